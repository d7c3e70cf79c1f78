package dev.styleclip.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * This process's memory and what the machine has left, from Linux's {@code /proc} and the cgroup the process runs in
 * (a container's limit is the real one). Other systems: the figures are unknown (-1) and callers must cope.
 */
public final class ProcessMemory {
    private static volatile long engineStartRss = -1;

    private ProcessMemory() {
    }

    /** Resident set size now, in bytes (-1 unknown). */
    public static long rss() {
        return status("VmRSS:");
    }

    /** Peak resident set size of this process so far, in bytes (-1 unknown). */
    public static long peakRss() {
        return status("VmHWM:");
    }

    /** Records the resident size once the engine is up: what the process needs before any model or tensor. */
    static void markEngineStart() {
        if (engineStartRss < 0) engineStartRss = rss();
    }

    /** The resident size when the engine had just started (JVM, libtorch's code), or the current one if unknown. */
    public static long engineStartRss() {
        long v = engineStartRss;
        return v > 0 ? v : Math.max(0, rss());
    }

    /**
     * Memory other programs do not hold and this process could still take, in bytes: the kernel's MemAvailable, and
     * at most what the process's cgroup limit leaves (-1 unknown).
     */
    public static long available() {
        long avail = meminfo("MemAvailable:");
        long cg = cgroupHeadroom();
        if (avail < 0) return cg;
        return cg < 0 ? avail : Math.min(avail, cg);
    }

    /** Total memory of the machine (or the cgroup limit when lower), in bytes (-1 unknown). */
    public static long total() {
        long t = meminfo("MemTotal:");
        long limit = cgroupLimit();
        if (t < 0) return limit;
        return limit < 0 ? t : Math.min(t, limit);
    }

    private static long cgroupHeadroom() {
        long limit = cgroupLimit();
        if (limit < 0) return -1;
        long used = firstNumber(Paths.get("/sys/fs/cgroup/memory.current"), Paths.get("/sys/fs/cgroup/memory/memory.usage_in_bytes"));
        return used < 0 ? -1 : Math.max(0, limit - used);
    }

    private static long cgroupLimit() {
        long v = firstNumber(Paths.get("/sys/fs/cgroup/memory.max"), Paths.get("/sys/fs/cgroup/memory/memory.limit_in_bytes"));
        // "max" or a huge number means no limit
        return v <= 0 || v >= (1L << 60) ? -1 : v;
    }

    private static long firstNumber(Path... files) {
        for (Path f : files) {
            try {
                String s = Files.readString(f).trim();
                if (!s.isEmpty() && Character.isDigit(s.charAt(0))) return Long.parseLong(s);
            } catch (IOException | RuntimeException e) {
                // not this layout
            }
        }
        return -1;
    }

    private static long status(String key) {
        return kib(Paths.get("/proc/self/status"), key);
    }

    private static long meminfo(String key) {
        return kib(Paths.get("/proc/meminfo"), key);
    }

    private static long kib(Path file, String key) {
        try {
            List<String> lines = Files.readAllLines(file);
            for (String line : lines) {
                if (line.startsWith(key)) {
                    String[] p = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(p[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }
}
