package dev.styleclip.runtime;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/**
 * A job's context passed on to a part of the job with one thing changed (its own manager, its frames also recorded…):
 * everything not overridden goes to the job's own context — the memory budget and a forced plan included, which a
 * hand-written forwarder easily forgets, so that part would plan against the automatic budget instead of the user's.
 */
public abstract class ForwardingContext implements JobContext {
    private final JobContext inner;

    protected ForwardingContext(JobContext inner) {
        this.inner = inner;
    }

    /** The context this one forwards to. */
    protected final JobContext inner() {
        return inner;
    }

    @Override
    public String jobName() {
        return inner.jobName();
    }

    @Override
    public NDManager manager() {
        return inner.manager();
    }

    @Override
    public Device device() {
        return inner.device();
    }

    @Override
    public ModelCache models() {
        return inner.models();
    }

    @Override
    public <T> T step(StepBody<T> body) throws Exception {
        return inner.step(body);
    }

    @Override
    public void checkCancelled() {
        inner.checkCancelled();
    }

    @Override
    public void emit(Frame frame) {
        inner.emit(frame);
    }

    @Override
    public long elapsedMs() {
        return inner.elapsedMs();
    }

    @Override
    public MemoryBudget memoryBudget() {
        return inner.memoryBudget();
    }

    @Override
    public SynthesisPlan forcedPlan() {
        return inner.forcedPlan();
    }

    @Override
    public void requireFinite(int step, String term, double value) {
        inner.requireFinite(step, term, value);
    }
}
