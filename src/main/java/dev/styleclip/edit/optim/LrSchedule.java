package dev.styleclip.edit.optim;

/** Learning rate by step index (0-based). */
public interface LrSchedule {

    double lr(int step);

    /** A constant rate. */
    static LrSchedule constant(double lr0) {
        return i -> lr0;
    }

    /** PyTorch StepLR stepped after every optimiser step: lr0 · γ^⌊i / stepSize⌋ (the seed's schedule: 50, 0.5). */
    static LrSchedule step(double lr0, int stepSize, double gamma) {
        if (stepSize <= 0) throw new IllegalArgumentException("StepLR step size must be positive");
        return i -> lr0 * Math.pow(gamma, Math.floorDiv(i, stepSize));
    }

    /**
     * StyleCLIP's cosine ramp over a nominal run of {@code total} steps: t = i/T; r = min(1, (1 − t)/rampDown);
     * r = ½ − ½·cos(π r); r ·= min(1, t / rampUp); lr = lr0 · r. Step 0 has lr 0.
     */
    static LrSchedule cosineRamp(double lr0, int total, double rampDown, double rampUp) {
        if (total <= 0) throw new IllegalArgumentException("the cosine ramp needs a positive number of steps");
        return i -> {
            double t = (double) i / total;
            double r = Math.min(1.0, (1.0 - t) / rampDown);
            r = 0.5 - 0.5 * Math.cos(Math.PI * r);
            r = r * Math.min(1.0, t / rampUp);
            return lr0 * r;
        };
    }
}
