package dev.styleclip.video;

import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Decodes a clip's frames in order, each as an upright {@link RgbImage} (rotation metadata applied) with its time.
 * The clip is probed first ({@link VideoInfo#probe}), so a file that is no video fails with that one line before any
 * decoding starts; a file that breaks off mid-way fails at the frame where it does.
 */
public final class VideoReader implements AutoCloseable {
    private final VideoInfo info;
    private final FFmpegFrameGrabber grabber;
    private int next;
    private long firstTimestamp = Long.MIN_VALUE;
    private boolean closed;

    private VideoReader(VideoInfo info, FFmpegFrameGrabber grabber) {
        this.info = info;
        this.grabber = grabber;
    }

    public static VideoReader open(Path file) throws IOException {
        VideoInfo info = VideoInfo.probe(file);
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(Ffmpeg.url(file));
        g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
        try {
            Ffmpeg.clearLastError();
            g.start();
        } catch (FrameGrabber.Exception e) {
            release(g);
            throw new VideoFileException(file, "cannot be decoded: " + Ffmpeg.describeGrabber(e), e);
        }
        return new VideoReader(info, g);
    }

    public VideoInfo info() {
        return info;
    }

    /** The next frame, or null after the last. */
    public VideoFrame next() throws IOException {
        if (closed) throw new IllegalStateException("reader closed");
        Frame f;
        try {
            Ffmpeg.clearLastError();
            f = grabber.grabImage();
        } catch (FrameGrabber.Exception e) {
            throw new VideoFileException(info.file(), "damaged or cut short at frame " + next + ": "
                    + Ffmpeg.describeGrabber(e), e);
        }
        if (f == null) return null;
        if (firstTimestamp == Long.MIN_VALUE) firstTimestamp = f.timestamp;
        RgbImage stored = toRgb(f);
        RgbImage upright = Images.applyExifOrientation(stored, info.orientation());
        return new VideoFrame(next++, (f.timestamp - firstTimestamp) / 1e6, upright);
    }

    /** Copies a packed RGB24 frame (rows may be padded: {@code imageStride} bytes apart). */
    private static RgbImage toRgb(Frame f) {
        int w = f.imageWidth, h = f.imageHeight;
        ByteBuffer src = (ByteBuffer) f.image[0];
        int stride = f.imageStride;
        byte[] rgb = new byte[w * h * 3];
        for (int y = 0; y < h; y++) src.get(y * stride, rgb, y * w * 3, w * 3);
        return new RgbImage(w, h, rgb);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        release(grabber);
    }

    private static void release(FFmpegFrameGrabber g) {
        try {
            g.close();
        } catch (FrameGrabber.Exception e) {
            // nothing was written; a failure to free the decoder leaves nothing behind worth reporting
        }
    }
}
