package dev.styleclip.runtime.models;

/**
 * Where a download stands.
 *
 * @param name          what is downloaded (catalog name or file name)
 * @param bytes         bytes on disk so far (a resumed download counts the earlier part)
 * @param total         expected total bytes, or -1 if the server did not say
 * @param bytesPerSecond current transfer rate (bytes of this attempt / seconds of this attempt)
 * @param etaSeconds    estimated seconds left, or -1 if unknown
 * @param resumedFrom   the offset this attempt resumed from (0 for a fresh start)
 * @param done          whether this is the final report of a finished transfer
 */
public record DownloadProgress(String name, long bytes, long total, double bytesPerSecond, double etaSeconds,
                               long resumedFrom, boolean done) {

    /** Fraction done in [0, 1], or -1 if the total is unknown. */
    public double fraction() {
        return total > 0 ? Math.min(1.0, (double) bytes / total) : -1;
    }

    /** Human-readable byte count (KiB/MiB/GiB). */
    public static String bytes(long n) {
        if (n < 0) return "?";
        if (n < 1024) return n + " B";
        double v = n;
        String[] u = {"KiB", "MiB", "GiB", "TiB"};
        int i = -1;
        do {
            v /= 1024;
            i++;
        } while (v >= 1024 && i < u.length - 1);
        return String.format(java.util.Locale.ROOT, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s", v, u[i]);
    }

    /** Human-readable duration (h:mm:ss or m:ss), "?" if unknown. */
    public static String duration(double seconds) {
        if (seconds < 0 || Double.isNaN(seconds) || Double.isInfinite(seconds)) return "?";
        long s = Math.round(seconds);
        long h = s / 3600, m = (s % 3600) / 60, r = s % 60;
        return h > 0 ? String.format(java.util.Locale.ROOT, "%d:%02d:%02d", h, m, r)
                : String.format(java.util.Locale.ROOT, "%d:%02d", m, r);
    }
}
