package dev.styleclip.runtime.models;

/** The download was cancelled; a resumable {@code .partial} file may stay behind. */
public class DownloadCancelledException extends ModelsException {
    private static final long serialVersionUID = 1L;

    public DownloadCancelledException(String message) {
        super(message);
    }
}
