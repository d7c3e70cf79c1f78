package dev.styleclip.cli;

import dev.styleclip.runtime.ProcessMemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for benchmark commands: timing statistics, process memory, and a plain text table. */
public final class Bench {
    private Bench() {
    }

    /** Median and minimum of a list of timings in milliseconds. */
    public record Stats(double median, double min) {
        public static Stats of(List<Double> ms) {
            if (ms.isEmpty()) return new Stats(Double.NaN, Double.NaN);
            double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
            return new Stats(med, a[0]);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", round(median));
            m.put("min", round(min));
            return m;
        }
    }

    /** Times {@code iters} runs of a body after {@code warmup} unmeasured runs. */
    public static Stats time(int warmup, int iters, Runnable body) {
        for (int i = 0; i < warmup; i++) body.run();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        return Stats.of(ms);
    }

    /** Records what the measurement ran on: peak RSS, engine threads, device and native allocator. */
    public static void putProcess(Map<String, Object> r) {
        r.put("peak_rss_mb", peakRssMb());
        r.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        r.put("device", ai.djl.engine.Engine.getInstance().defaultDevice().toString());
        r.put("allocator", dev.styleclip.runtime.NativeAllocator.inUse());
    }

    /** The line under a table for what {@link #putProcess} recorded. */
    public static String processLine(Map<String, Object> r) {
        return "peak RSS " + r.get("peak_rss_mb") + " MB, threads " + r.get("threads") + ", device " + r.get("device")
                + ", allocator " + r.get("allocator");
    }

    /** Resident set size now, in MB (from /proc; NaN where unavailable). */
    public static double rssMb() {
        return mb(ProcessMemory.rss());
    }

    /** Peak resident set size of this process, in MB (from /proc; NaN where unavailable). */
    public static double peakRssMb() {
        return mb(ProcessMemory.peakRss());
    }

    /**
     * Starts a new peak measurement: Linux resets the peak resident size (VmHWM) to the current size when "5" is
     * written to /proc/self/clear_refs. False where that is not possible (then peaks include what came before).
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static double mb(long bytes) {
        return bytes < 0 ? Double.NaN : round(bytes / 1048576.0);
    }

    public static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** Formats rows as an aligned plain-text table; the first row is the header. */
    public static String table(List<String[]> rows) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            for (int i = 0; i < r.length; i++) {
                if (i > 0) sb.append("  ");
                sb.append(i == 0 ? pad(r[i], w[i], false) : pad(r[i], w[i], true));
            }
            sb.append('\n');
            if (k == 0) {
                char[] line = new char[Arrays.stream(w).sum() + 2 * (cols - 1)];
                Arrays.fill(line, '-');
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int n, boolean right) {
        if (s.length() >= n) return s;
        String sp = " ".repeat(n - s.length());
        return right ? sp + s : s + sp;
    }
}
