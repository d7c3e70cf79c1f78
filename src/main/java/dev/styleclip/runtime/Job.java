package dev.styleclip.runtime;

/**
 * A unit of work for the {@link ComputeService}: runs on the compute thread, reports progress through the context, checks
 * for cancellation at least once per step (via {@link JobContext#step}), and returns a result that holds no NDArray.
 */
@FunctionalInterface
public interface Job<R> {
    R run(JobContext ctx) throws Exception;
}
