package dev.styleclip.studio.service;

import dev.styleclip.runtime.Frame;

import java.util.function.Supplier;

/**
 * What every feature port of the studio shares: the shape of a background task (its listener, called on the FX
 * thread; its handle, safe from any thread). Every call of a port returns at once; results carry
 * {@link dev.styleclip.runtime.Pixels} and {@link dev.styleclip.edit.Latent}, never NDArrays.
 */
public interface StudioPort {

    /** Receives the outcome of one task (on the FX thread). */
    interface Listener<R> {
        default void frame(Frame f) {
        }

        void done(R result);

        void failed(Throwable error);

        default void cancelled() {
        }
    }

    /** A running task: cancel, pause and resume are safe from any thread. */
    interface Task {
        void cancel();

        void pause();

        void resume();

        boolean isPaused();

        Task NONE = new Task() {
            public void cancel() {
            }

            public void pause() {
            }

            public void resume() {
            }

            public boolean isPaused() {
                return false;
            }
        };
    }

    /**
     * Submits a task whose caller already shows it as running: a request refused at once, before it was queued (bad
     * settings the engine checks when it builds the job), reaches {@code listener} as a failure, so the caller always
     * hears an end and never stays "running" with nothing queued.
     *
     * @return the running task, or null when it was refused
     */
    static Task start(Listener<?> listener, Supplier<Task> submit) {
        try {
            return submit.get();
        } catch (RuntimeException e) {
            listener.failed(e);
            return null;
        }
    }
}
