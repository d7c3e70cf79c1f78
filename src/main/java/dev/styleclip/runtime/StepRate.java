package dev.styleclip.runtime;

/**
 * Time per step measured from a run's own frames (their elapsed time on the compute thread), so an estimate is this
 * device's at these settings — never a guess. The first frame past step 0 is the reference point: it includes loading
 * the networks (and, for a resumed run, the steps done before), which later steps do not repeat. The studio's timing
 * line and the CLI's progress bar both measure with it.
 */
public final class StepRate {
    private int firstStep = -1;
    private long firstMs;
    private int lastStep;
    private double msPerStep = Double.NaN;

    /** Forgets the run (a new one starts). */
    public void reset() {
        firstStep = -1;
        lastStep = 0;
        msPerStep = Double.NaN;
    }

    /** Takes a frame; returns the measured milliseconds per step so far (NaN until two steps were seen). */
    public double onFrame(Frame f) {
        return onStep(f.step(), f.elapsedMs());
    }

    /** Takes {@code step} steps done at {@code elapsedMs} of the run; returns {@link #onFrame}'s answer. */
    public double onStep(int step, long elapsedMs) {
        if (step <= 0) return msPerStep;
        if (firstStep < 0) {
            firstStep = step;
            firstMs = elapsedMs;
        } else if (step > firstStep) {
            msPerStep = (double) (elapsedMs - firstMs) / (step - firstStep);
        }
        lastStep = Math.max(lastStep, step);
        return msPerStep;
    }

    /** Milliseconds per step, NaN until measured. */
    public double msPerStep() {
        return msPerStep;
    }

    /** How many steps the measurement spans (0 until two steps were seen). */
    public int stepsMeasured() {
        return firstStep < 0 ? 0 : lastStep - firstStep;
    }

    /** Milliseconds until {@code total} after {@code step} at the measured rate; NaN until measured or when none is known. */
    public double msLeft(int step, int total) {
        if (Double.isNaN(msPerStep) || total <= 0 || step >= total) return Double.NaN;
        return msPerStep * (total - step);
    }
}
