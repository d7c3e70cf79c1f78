package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.StepRate;

/**
 * Time per step and what remains, in the studio's words: the measurement is {@link StepRate}'s (the run's own frames),
 * the CLI's progress bar measures the same way.
 */
final class StepTimer {
    private final StepRate rate = new StepRate();

    /** Forgets the run (a new one starts). */
    void reset() {
        rate.reset();
    }

    /** Takes a frame; returns the measured milliseconds per step so far (NaN until two steps were seen). */
    double onFrame(Frame f) {
        return rate.onFrame(f);
    }

    /** Takes {@code step} steps done at {@code elapsedMs} of the run; returns {@link #onFrame}'s answer. */
    double onStep(int step, long elapsedMs) {
        return rate.onStep(step, elapsedMs);
    }

    double msPerStep() {
        return rate.msPerStep();
    }

    /** "120 ms/step · ETA 14 s" after {@code step} of {@code total}, or "" until measured. */
    String describe(int step, int total) {
        return describe(step, total, "step");
    }

    /** {@link #describe(int, int)} with steps called {@code unit} ("12 s/input · ETA 1 min"). */
    String describe(int step, int total, String unit) {
        double ms = rate.msPerStep();
        if (Double.isNaN(ms)) return "";
        double left = rate.msLeft(step, total);
        return duration(ms) + "/" + unit + (Double.isNaN(left) ? "" : " · ETA " + duration(left));
    }

    /**
     * The preference that remembers a measured time of {@code what} ("edit.msPerStep.optimize_w") on a generator: times
     * differ by orders of magnitude between networks, so each generator has its own.
     */
    static String preferenceKey(String what, String generator) {
        String g = MapperPlaces.slug(generator);
        return what + "." + (g.length() > 40 ? g.substring(0, 40) : g);
    }

    /** "850 ms", "14 s", "3 min 5 s", "1 h 2 min"; "?" when unknown. */
    static String duration(double ms) {
        if (!Double.isFinite(ms) || ms < 0) return "?";
        if (ms < 1000) return Math.round(ms) + " ms";
        long s = Math.round(ms / 1000);
        if (s < 60) return s + " s";
        if (s < 3600) return s / 60 + " min" + (s % 60 != 0 ? " " + s % 60 + " s" : "");
        return s / 3600 + " h " + s / 60 % 60 + " min";
    }
}
