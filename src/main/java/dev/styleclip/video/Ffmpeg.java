package dev.styleclip.video;

import org.bytedeco.ffmpeg.avutil.LogCallback;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The FFmpeg libraries (JavaCV's bundled build): loaded once, with a message a user can act on when they are missing,
 * and FFmpeg's own log kept off the terminal — its error lines ("moov atom not found") are kept instead and end up in
 * the one-line message of the failure they explain.
 */
final class Ffmpeg {
    private static final Object LOCK = new Object();
    private static boolean loaded;
    private static String loadFailure;
    /** Strongly held: FFmpeg calls it from native code, a collected callback would crash the process. */
    private static LogCallback logCallback;
    private static volatile String lastError;

    private Ffmpeg() {
    }

    /** Loads the libraries (extracting them from their jar into JavaCPP's cache, or from a packaged folder). */
    static void load() throws IOException {
        synchronized (LOCK) {
            if (!loaded && loadFailure == null) {
                try {
                    Loader.load(org.bytedeco.ffmpeg.global.avutil.class);
                    Loader.load(org.bytedeco.ffmpeg.global.avcodec.class);
                    Loader.load(org.bytedeco.ffmpeg.global.avformat.class);
                    Loader.load(org.bytedeco.ffmpeg.global.swscale.class);
                    Loader.load(org.bytedeco.ffmpeg.global.swresample.class);
                    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
                    logCallback = new LogCallback() {
                        @Override
                        public void call(int level, BytePointer msg) {
                            if (level <= avutil.AV_LOG_ERROR && msg != null && !msg.isNull()) {
                                String line = msg.getString().strip();
                                if (!line.isEmpty()) lastError = line;
                            }
                        }
                    };
                    avutil.setLogCallback(logCallback);
                    loaded = true;
                } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
                    loadFailure = "the video libraries (FFmpeg, bundled with JavaCV) could not be loaded: "
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                }
            }
            if (loadFailure != null) throw new IOException(loadFailure);
        }
    }

    /** Forgets FFmpeg's last error line, before a call whose failure should be explained by its own lines only. */
    static void clearLastError() {
        lastError = null;
    }

    /** FFmpeg's text for an error code, with its last error line when it said one ("moov atom not found"). */
    static String describe(int code) {
        byte[] buf = new byte[256];
        avutil.av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) n++;
        String text = new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        String detail = lastError;
        return detail == null || text.contains(detail) ? text : text + " (" + detail + ")";
    }

    /**
     * What went wrong inside a JavaCV grabber or recorder: FFmpeg's own last error line when it said one, else JavaCV's
     * message (which names the C function and the code).
     */
    static String describeGrabber(Exception e) {
        String detail = lastError;
        if (detail != null) return detail;
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }

    /** The URL FFmpeg opens for a local file: the {@code file:} protocol, so a name with a colon is not taken for one. */
    static String url(Path file) {
        return "file:" + file.toAbsolutePath();
    }
}
