package dev.styleclip.runtime;

/** Thrown inside a job when the user cancelled it; the job's partial result (if any) was kept by the job. */
public class JobCancelledException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public JobCancelledException(String job) {
        super(job + " was cancelled");
    }
}
