package dev.styleclip.edit.optim;

/**
 * PyTorch's ReduceLROnPlateau in mode "min" with a relative threshold: a loss is better when it is below
 * best·(1 − threshold); after more than {@code patience} epochs without improvement the rate is multiplied by
 * {@code factor} (not below {@code minLr}, and only when the change exceeds {@code eps}), then the count restarts.
 */
public final class ReduceLrOnPlateau {
    private final double factor;
    private final int patience;
    private final double threshold;
    private final double minLr;
    private final double eps;
    private double lr;
    private double best = Double.POSITIVE_INFINITY;
    private int numBad;

    /** The seed's defaults: factor 0.2, patience 10, threshold 1e-4, min lr 0, eps 1e-8. */
    public ReduceLrOnPlateau(double lr) {
        this(lr, 0.2, 10, 1e-4, 0, 1e-8);
    }

    public ReduceLrOnPlateau(double lr, double factor, int patience, double threshold, double minLr, double eps) {
        if (factor >= 1 || factor <= 0) throw new IllegalArgumentException("plateau factor must be in (0, 1)");
        if (patience < 0) throw new IllegalArgumentException("plateau patience must be ≥ 0");
        this.lr = lr;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.minLr = minLr;
        this.eps = eps;
    }

    /** Feeds one epoch's loss; returns the learning rate in force afterwards. */
    public double step(double loss) {
        if (loss < best * (1 - threshold)) {
            best = loss;
            numBad = 0;
        } else {
            numBad++;
        }
        if (numBad > patience) {
            double next = Math.max(lr * factor, minLr);
            if (lr - next > eps) lr = next;
            numBad = 0;
        }
        return lr;
    }

    public double lr() {
        return lr;
    }

    public double best() {
        return best;
    }

    public int numBadEpochs() {
        return numBad;
    }

    /** Restores the state (resuming a checkpoint). */
    public void restore(double lr, double best, int numBad) {
        this.lr = lr;
        this.best = best;
        this.numBad = numBad;
    }
}
