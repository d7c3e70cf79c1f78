package dev.styleclip.runtime;

import ai.djl.Device;
import ai.djl.util.cuda.CudaUtils;

import java.lang.management.MemoryUsage;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much memory a job may use on its device. On the CPU: the resident size the whole process may reach — what it
 * holds now plus what the machine has available, less a reserve for the system and other programs. On a GPU: the
 * device's free memory, less a reserve for libtorch's kernels and workspace. The user can set it
 * ({@code --memory-budget 6G}, the studio's setting); {@link #auto} is the default.
 *
 * @param bytes    the budget
 * @param gpu      whether it is GPU memory (the estimate then leaves out the process's host memory)
 * @param origin   where it came from, for messages ("--memory-budget", "free memory")
 */
public record MemoryBudget(long bytes, boolean gpu, String origin) {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final Pattern SIZE = Pattern.compile("(?i)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(k|m|g|t)?(?:i?b)?\\s*");

    public MemoryBudget {
        if (bytes <= 0) throw new IllegalArgumentException("the memory budget must be positive");
    }

    /** The default for a device: a safe share of what is free (see the class comment). */
    public static MemoryBudget auto(Device device) {
        if (device != null && device.isGpu()) {
            MemoryUsage u = CudaUtils.getGpuMemory(device);
            long free = u.getMax() - u.getCommitted();
            return new MemoryBudget(Math.max(MIB, (long) (free * 0.9) - 256 * MIB), true, "free GPU memory");
        }
        long rss = Math.max(0, ProcessMemory.rss());
        long avail = ProcessMemory.available();
        long total = ProcessMemory.total();
        if (avail < 0) return new MemoryBudget(8 * GIB, false, "a default of 8 GiB (free memory unknown)");
        // keep a tenth of the machine (at least 1 GiB) for the system and other programs
        long reserve = Math.max(GIB, total > 0 ? total / 10 : GIB);
        return new MemoryBudget(Math.max(MIB, rss + Math.max(0, avail - reserve)), false, "free memory");
    }

    /** A budget the user gave ("6G", "6 GiB", "6144M", "512MB", plain bytes), for the given device. */
    public static MemoryBudget parse(String text, Device device) {
        return new MemoryBudget(parseSize(text), device != null && device.isGpu(), "--memory-budget");
    }

    /** A size with an optional K/M/G/T suffix (binary units; "B"/"iB" accepted). */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text == null ? "" : text);
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not a memory size (use e.g. 6G, 512M)");
        double v = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
        long mult = switch (unit) {
            case "k" -> 1L << 10;
            case "m" -> MIB;
            case "g" -> GIB;
            case "t" -> 1L << 40;
            default -> 1;
        };
        double b = v * mult;
        if (!(b >= 1) || b > Long.MAX_VALUE / 2) throw new IllegalArgumentException("'" + text + "' is not a usable memory size");
        return (long) b;
    }

    /** "3.2 GiB", "850 MiB". */
    public static String format(long bytes) {
        if (bytes >= GIB) return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) GIB);
        return String.format(Locale.ROOT, "%d MiB", Math.max(1, Math.round(bytes / (double) MIB)));
    }

    /** "budget 6.0 GiB (--memory-budget)". */
    public String describe() {
        return format(bytes) + " (" + origin + ")";
    }
}
