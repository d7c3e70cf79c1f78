package dev.styleclip.runtime;

import java.util.Map;

/**
 * One immutable progress report of a job: step, every loss term, learning rate, metrics, an optional preview picture and
 * the time since the job started. Frames are what the studio draws and the CLI prints.
 *
 * @param job       the job's name
 * @param step      steps done so far (1-based after the first step; 0 before)
 * @param total     steps planned (0 if unknown)
 * @param losses    loss terms by name ("total", "clip", "l2", "id", ...), in a stable order
 * @param lr        learning rate in force for this step (NaN when not applicable)
 * @param metrics   metrics by name ("clip_score", "id_similarity", "lpips", ...)
 * @param preview   the current picture, or null
 * @param elapsedMs milliseconds since the job started
 * @param message   a short human-readable status, or null
 */
public record Frame(String job, int step, int total, Map<String, Double> losses, double lr,
                    Map<String, Double> metrics, Pixels preview, long elapsedMs, String message) {
    public Frame {
        losses = losses == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(losses));
        metrics = metrics == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
    }

    /** A frame carrying only a status message. */
    public static Frame status(String job, int step, int total, long elapsedMs, String message) {
        return new Frame(job, step, total, Map.of(), Double.NaN, Map.of(), null, elapsedMs, message);
    }

    /** Fraction done in [0, 1], or -1 when the total is unknown. */
    public double progress() {
        return total > 0 ? Math.min(1.0, (double) step / total) : -1;
    }
}
