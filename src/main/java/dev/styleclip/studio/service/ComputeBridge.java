package dev.styleclip.studio.service;

import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobCancelledException;
import dev.styleclip.runtime.JobHandle;
import javafx.application.Platform;

import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The bridge from the compute thread to the FX thread (the studio's only way to run work): jobs go in, frames come out on
 * the FX thread coalesced — the latest frame wins, so a slow UI never slows the computation — and the result or the
 * failure arrives on the FX thread too.
 */
public final class ComputeBridge {
    private final ComputeService compute;

    public ComputeBridge(ComputeService compute) {
        this.compute = compute;
    }

    public ComputeService compute() {
        return compute;
    }

    /** Callbacks of one job, all called on the FX thread. Any may be null. */
    public record Callbacks<R>(Consumer<Frame> onFrame, Consumer<R> onSuccess, Consumer<Throwable> onFailure, Runnable onCancelled) {
    }

    /** Runs a job as a task of the studio's ports: {@code listener} hears its frames and its end on the FX thread. */
    public <R> StudioPort.Task task(String name, Job<R> job, StudioPort.Listener<R> listener) {
        JobHandle<R> h = submit(name, job, new Callbacks<>(listener::frame, listener::done, listener::failed, listener::cancelled));
        return new StudioPort.Task() {
            public void cancel() {
                h.cancel();
            }

            public void pause() {
                h.pause();
            }

            public void resume() {
                h.resume();
            }

            public boolean isPaused() {
                return h.isPaused();
            }
        };
    }

    /** Runs a job on the compute thread; callbacks arrive on the FX thread. */
    public <R> JobHandle<R> submit(String name, Job<R> job, Callbacks<R> cb) {
        AtomicReference<Frame> latest = new AtomicReference<>();
        AtomicBoolean scheduled = new AtomicBoolean();
        Consumer<Frame> sink = frame -> {
            latest.set(frame);
            if (cb.onFrame() != null && scheduled.compareAndSet(false, true)) {
                Platform.runLater(() -> {
                    scheduled.set(false);
                    Frame f = latest.getAndSet(null);
                    if (f != null) cb.onFrame().accept(f);
                });
            }
        };
        JobHandle<R> handle = compute.submit(name, job, sink);
        handle.result().whenComplete((r, e) -> Platform.runLater(() -> {
            // deliver the very last frame before the outcome
            Frame f = latest.getAndSet(null);
            if (f != null && cb.onFrame() != null) cb.onFrame().accept(f);
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause == null) {
                if (cb.onSuccess() != null) cb.onSuccess().accept(r);
            } else if (cause instanceof JobCancelledException) {
                if (cb.onCancelled() != null) cb.onCancelled().run();
            } else if (cb.onFailure() != null) {
                cb.onFailure().accept(cause);
            }
        }));
        return handle;
    }
}
