package dev.styleclip.studio.service;

import dev.styleclip.runtime.Frame;

/**
 * What every feature port of the studio shares: the shape of a background task (its listener, called on the FX
 * thread; its handle, safe from any thread) and the device the tasks run on. Every call of a port returns at once;
 * results carry {@link dev.styleclip.runtime.Pixels} and {@link dev.styleclip.edit.Latent}, never NDArrays.
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

    /** "cpu", "gpu(0)": where the tasks run. */
    String deviceName();
}
