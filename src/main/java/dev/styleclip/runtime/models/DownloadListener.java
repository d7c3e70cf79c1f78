package dev.styleclip.runtime.models;

/** Receives progress reports of a download (on the downloading thread; at most ~10 per second, plus a final one). */
@FunctionalInterface
public interface DownloadListener {
    DownloadListener NONE = p -> { };

    void onProgress(DownloadProgress progress);

    /** A note in words: a retry after a dropped connection, a resume, a restart. Default: ignored. */
    default void onMessage(String message) {
    }
}
