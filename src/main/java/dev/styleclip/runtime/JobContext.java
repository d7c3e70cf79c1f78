package dev.styleclip.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/** What a running job sees of the compute thread: memory scopes, device, model cache, cancellation and progress. */
public interface JobContext {

    /** The body of one step: its temporaries live in {@code step}, closed when the body returns. */
    @FunctionalInterface
    interface StepBody<T> {
        T run(NDManager step) throws Exception;
    }

    String jobName();

    /** The job's manager: arrays that must live across steps (the latent, optimiser state) are attached here. */
    NDManager manager();

    Device device();

    ModelCache models();

    /**
     * Runs one step: checks for cancel (and waits while paused) first, then runs the body in a fresh per-step manager that
     * is closed afterwards, so memory stays flat. Arrays to keep must be attached to {@link #manager()} inside the body.
     */
    <T> T step(StepBody<T> body) throws Exception;

    /** Throws {@link JobCancelledException} when cancel was requested; blocks while the job is paused. */
    void checkCancelled();

    /** Reports progress (listeners run on the compute thread and must be quick). */
    void emit(Frame frame);

    /** Milliseconds since the job started. */
    long elapsedMs();

    /** The memory budget jobs plan against (the user's setting, else a safe share of what is free now). */
    default MemoryBudget memoryBudget() {
        return MemoryBudget.auto(device());
    }

    /** A synthesis plan forced on jobs (benchmarks, tests), or null: each job plans against {@link #memoryBudget}. */
    default SynthesisPlan forcedPlan() {
        return null;
    }

    /** Throws {@link DivergedException} when a loss value is NaN or infinite. */
    default void requireFinite(int step, String term, double value) {
        if (!Double.isFinite(value)) throw new DivergedException(jobName(), step, term, value);
    }
}
