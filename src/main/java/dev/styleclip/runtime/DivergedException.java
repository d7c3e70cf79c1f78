package dev.styleclip.runtime;

/** A loss became NaN or infinite: the job stops with a clear message and keeps its last good state. */
public class DivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int step;
    private final String term;

    public DivergedException(String job, int step, String term, double value) {
        super(job + " diverged at step " + step + ": the " + term + " loss became " + value
                + "; the last good result was kept (try a lower learning rate)");
        this.step = step;
        this.term = term;
    }

    public int step() {
        return step;
    }

    public String term() {
        return term;
    }
}
