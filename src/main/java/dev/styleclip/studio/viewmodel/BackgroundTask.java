package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.runtime.Frame;

import java.util.function.Consumer;

/**
 * One background job's callbacks, in the shape of JabRef's {@code BackgroundTask}: the status shows it running from the
 * moment it is made; however it ends (success, failure, cancel) the status hears it finished and {@link #onFinished}
 * runs before the outcome's own callback; a failure becomes a notice unless {@link #onFailure} takes it over. All
 * callbacks run on the FX thread (the bridge delivers them there).
 */
public final class BackgroundTask<R> implements StudioPort.Listener<R> {
    private final StatusViewModel status;
    private final String failTitle;
    private Consumer<Frame> onFrame = f -> { };
    private Consumer<R> onSuccess = r -> { };
    private Consumer<Throwable> onFailure;
    private Runnable onCancelled = () -> { };
    private Runnable onFinished = () -> { };

    BackgroundTask(StatusViewModel status, String what, String failTitle) {
        this.status = status;
        this.failTitle = failTitle;
        status.started(what);
    }

    public BackgroundTask<R> onFrame(Consumer<Frame> c) {
        onFrame = c;
        return this;
    }

    public BackgroundTask<R> onSuccess(Consumer<R> c) {
        onSuccess = c;
        return this;
    }

    /** Replaces the failure notice (the callback says what went wrong itself). */
    public BackgroundTask<R> onFailure(Consumer<Throwable> c) {
        onFailure = c;
        return this;
    }

    public BackgroundTask<R> onCancelled(Runnable r) {
        onCancelled = r;
        return this;
    }

    /** Runs first whichever way the task ends (state a view model keeps while it runs: flags, the task handle). */
    public BackgroundTask<R> onFinished(Runnable r) {
        onFinished = r;
        return this;
    }

    @Override
    public void frame(Frame f) {
        onFrame.accept(f);
    }

    @Override
    public void done(R result) {
        end();
        onSuccess.accept(result);
    }

    @Override
    public void failed(Throwable error) {
        end();
        if (onFailure != null) onFailure.accept(error);
        else status.fail(failTitle, error);
    }

    @Override
    public void cancelled() {
        end();
        onCancelled.run();
    }

    private void end() {
        status.finished();
        onFinished.run();
    }
}
