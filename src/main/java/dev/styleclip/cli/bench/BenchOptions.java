package dev.styleclip.cli.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.runtime.Engines;
import picocli.CommandLine.Option;

/**
 * The options every {@code bench} command shares, with one meaning each: how many timed repetitions, how many untimed
 * ones first (their defaults are each benchmark's: a repetition is an image, a step or a photo), the engine's intra-op
 * threads (libtorch's choice unless given), JSON instead of a table.
 */
public final class BenchOptions {

    @Option(names = "--iters", paramLabel = "N", description = "timed repetitions (default: each benchmark's, see its description)")
    Integer iters;

    @Option(names = "--warmup", paramLabel = "N", description = "untimed repetitions first (default: each benchmark's)")
    Integer warmup;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: libtorch's choice, one per core)")
    Integer threads;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    private int iterDefault = 5;
    private int warmupDefault = 1;

    /**
     * Checks the options against this benchmark's defaults (what one repetition is differs: an image, a step, a photo)
     * and sets the engine's threads before it starts; call first.
     */
    public BenchOptions apply(int defaultIters, int defaultWarmup) {
        iterDefault = defaultIters;
        warmupDefault = defaultWarmup;
        if (iters() < 1) throw new IllegalArgumentException("--iters must be at least 1");
        if (warmup() < 0) throw new IllegalArgumentException("--warmup must be 0 or more");
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
            // read when the engine starts (its thread pools); useThreads sets it again on the computing thread
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        return this;
    }

    /**
     * Starts the engine and gives it {@code --threads} intra-op threads; call on the thread that computes (OpenMP keeps
     * the count per calling thread).
     */
    public void useThreads() {
        Engines.pytorch();
        if (threads != null) JniUtils.setNumThreads(threads);
    }

    public int iters() {
        return iters != null ? iters : iterDefault;
    }

    public int warmup() {
        return warmup != null ? warmup : warmupDefault;
    }

    /** The intra-op threads the engine runs with now, on the calling thread. */
    public int threads() {
        return JniUtils.getNumThreads();
    }

    public boolean json() {
        return json;
    }
}
