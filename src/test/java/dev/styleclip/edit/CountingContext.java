package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.runtime.Frame;

import java.util.ArrayList;
import java.util.List;

/**
 * A bare JobContext that counts the arrays left in the job manager after every step (a job whose memory stays flat
 * leaves the same number after each).
 */
public final class CountingContext implements dev.styleclip.runtime.JobContext {
    public final NDManager manager = NDManager.newBaseManager();
    public final List<Integer> arrays = new ArrayList<>();
    final dev.styleclip.runtime.ModelCache models = new dev.styleclip.runtime.ModelCache();

    @Override
    public String jobName() {
        return "test";
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public ai.djl.Device device() {
        return ai.djl.Device.cpu();
    }

    @Override
    public dev.styleclip.runtime.ModelCache models() {
        return models;
    }

    @Override
    public <T> T step(StepBody<T> body) throws Exception {
        try (NDManager sm = manager.newSubManager()) {
            return body.run(sm);
        } finally {
            arrays.add(manager.getManagedArrays().size());
        }
    }

    @Override
    public void checkCancelled() {
    }

    @Override
    public void emit(Frame frame) {
    }

    @Override
    public long elapsedMs() {
        return 0;
    }
}
