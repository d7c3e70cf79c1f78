package dev.styleclip.runtime;

import java.util.concurrent.CompletableFuture;

/** The caller's side of a submitted job: its result, state, and cancel / pause / resume. Safe from any thread. */
public final class JobHandle<R> {

    /** Where a job is in its life. */
    public enum State { QUEUED, RUNNING, PAUSED, SUCCEEDED, FAILED, CANCELLED }

    private final String name;
    private final CompletableFuture<R> result = new CompletableFuture<>();
    private volatile boolean cancelRequested;
    private volatile State state = State.QUEUED;
    private final Object pauseLock = new Object();
    private boolean paused;

    JobHandle(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Completes with the job's result, or exceptionally (JobCancelledException, DivergedException, the job's error). */
    public CompletableFuture<R> result() {
        return result;
    }

    public State state() {
        return state;
    }

    /** Requests cancellation: a queued job never starts; a running one stops at its next step (a paused one at once). */
    public void cancel() {
        cancelRequested = true;
        synchronized (pauseLock) {
            pauseLock.notifyAll();
        }
    }

    public boolean cancelRequested() {
        return cancelRequested;
    }

    /** Pauses a running job before its next step. */
    public void pause() {
        synchronized (pauseLock) {
            paused = true;
        }
    }

    public void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    public boolean isPaused() {
        synchronized (pauseLock) {
            return paused;
        }
    }

    void setState(State s) {
        state = s;
    }

    /** Called on the compute thread between steps. */
    void awaitNotPausedOrCancelled() {
        synchronized (pauseLock) {
            while (paused && !cancelRequested) {
                State before = state;
                state = State.PAUSED;
                try {
                    pauseLock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancelRequested = true;
                }
                state = before == State.PAUSED ? State.RUNNING : before;
            }
        }
        if (cancelRequested) throw new JobCancelledException(name);
    }

    CompletableFuture<R> future() {
        return result;
    }
}
