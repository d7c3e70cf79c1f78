package dev.styleclip.video;

import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Frames into an MP4 file with H.264 video (Cisco's OpenH264 encoder, in JavaCV's FFmpeg build) at an exact frame
 * rate, and the sound of a source clip: its packets copied as they are when MP4 can hold the codec (AAC, MP3, Opus …),
 * else decoded and encoded again as AAC.
 * <p>
 * The video is encoded first into a hidden temporary file beside the target; {@link #finish()} joins it with the sound
 * ({@link Mp4Mux}) into a second one and moves that into place, so the target is only ever the old file or the whole
 * new one. H.264 in 4:2:0 needs even sides: an odd width or height gets one more column or row, a copy of the last one
 * ({@link #outputWidth()}, {@link #outputHeight()}).
 */
public final class Mp4Writer implements FrameWriter {

    /**
     * What to write.
     *
     * @param width           frame width as written to {@link #write}
     * @param height          frame height
     * @param frameRateNum    frame rate numerator (30000 for NTSC's 29.97)
     * @param frameRateDen    frame rate denominator (1001)
     * @param audioFrom       the file whose sound goes with the frames (the source clip), or null for none
     * @param rotationDegrees rotation metadata to store (clockwise degrees a player turns the frames, as a phone writes
     *                        it); 0 for frames that are upright already, which is all the studio writes
     */
    public record Settings(int width, int height, long frameRateNum, long frameRateDen, Path audioFrom, int rotationDegrees) {
        public Settings {
            if (width <= 0 || height <= 0) throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
            if (frameRateNum <= 0 || frameRateDen <= 0) {
                throw new IllegalArgumentException("frame rate must be positive: " + frameRateNum + "/" + frameRateDen);
            }
            if (rotationDegrees % 90 != 0) throw new IllegalArgumentException("rotation must be a quarter turn: " + rotationDegrees);
        }

        /** The source clip's upright size, frame rate and sound: what an edited copy of it is written with. */
        public static Settings like(VideoInfo source) {
            return new Settings(source.uprightWidth(), source.uprightHeight(), source.frameRateNum(), source.frameRateDen(),
                    source.hasAudio() ? source.file() : null, 0);
        }

        public double frameRate() {
            return (double) frameRateNum / frameRateDen;
        }
    }

    /** Bits per pixel and frame the encoder aims at: about what a good camera stores, so an edit loses little. */
    static final double BITS_PER_PIXEL = 0.2;

    private final Settings settings;
    private final AtomicFiles.Pending video;
    private final FFmpegFrameRecorder recorder;
    private final Frame frame;
    private int count;
    private boolean finished;
    private boolean closed;

    private Mp4Writer(Settings settings, AtomicFiles.Pending video, FFmpegFrameRecorder recorder) {
        this.settings = settings;
        this.video = video;
        this.recorder = recorder;
        this.frame = new Frame(even(settings.width()), even(settings.height()), Frame.DEPTH_UBYTE, 3);
    }

    public static Mp4Writer open(Path target, Settings s) throws IOException {
        Ffmpeg.load();
        AtomicFiles.prepareFile(target);
        AtomicFiles.Pending video = AtomicFiles.begin(target);
        int w = even(s.width()), h = even(s.height());
        FFmpegFrameRecorder r = new FFmpegFrameRecorder(Ffmpeg.url(video.temporary()), w, h, 0);
        r.setFormat("mp4");
        r.setVideoCodecName("libopenh264");
        r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        r.setFrameRate(s.frameRate());
        r.setGopSize((int) Math.max(1, Math.round(s.frameRate())));
        r.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, Math.max(200_000, (long) (BITS_PER_PIXEL * w * h * s.frameRate()))));
        // the rate control may otherwise drop frames to keep to the bit rate: the clip must keep every frame
        r.setVideoOption("allow_skip_frames", "0");
        // FFmpeg's matrix turns anticlockwise for a positive angle (DisplayMatrix); the setting is clockwise
        if (s.rotationDegrees() != 0) r.setDisplayRotation(-s.rotationDegrees());
        try {
            Ffmpeg.clearLastError();
            r.start();
        } catch (FrameRecorder.Exception e) {
            release(r);
            video.close();
            throw new IOException(target + ": cannot start the video encoder: " + Ffmpeg.describeGrabber(e), e);
        }
        return new Mp4Writer(s, video, r);
    }

    /** Width of the frames in the file (the requested one, made even). */
    public int outputWidth() {
        return even(settings.width());
    }

    /** Height of the frames in the file (the requested one, made even). */
    public int outputHeight() {
        return even(settings.height());
    }

    private static int even(int n) {
        return n + (n & 1);
    }

    @Override
    public void write(RgbImage img) throws IOException {
        if (finished || closed) throw new IllegalStateException("writer finished");
        if (img.width() != settings.width() || img.height() != settings.height()) {
            throw new IllegalArgumentException("frame is " + img.width() + "x" + img.height() + ", the video is "
                    + settings.width() + "x" + settings.height());
        }
        fill(img);
        try {
            Ffmpeg.clearLastError();
            recorder.record(frame, avutil.AV_PIX_FMT_RGB24);
        } catch (FrameRecorder.Exception e) {
            throw new IOException(video.target() + ": encoding frame " + count + " failed: " + Ffmpeg.describeGrabber(e), e);
        }
        count++;
    }

    /** The picture into the encoder's frame; an odd last column / row is repeated into the padding. */
    private void fill(RgbImage img) {
        ByteBuffer dst = (ByteBuffer) frame.image[0];
        int w = img.width(), h = img.height(), ow = frame.imageWidth, oh = frame.imageHeight, stride = frame.imageStride;
        byte[] src = img.rgb();
        for (int y = 0; y < oh; y++) {
            int sy = Math.min(y, h - 1);
            dst.put(y * stride, src, sy * w * 3, w * 3);
            if (ow > w) dst.put(y * stride + w * 3, src, (sy * w + w - 1) * 3, 3);
        }
    }

    @Override
    public int frameCount() {
        return count;
    }

    @Override
    public Path finish() throws IOException {
        if (finished) return video.target();
        if (count == 0) throw new IllegalStateException("no frames were written");
        try {
            Ffmpeg.clearLastError();
            recorder.stop();
        } catch (FrameRecorder.Exception e) {
            throw new IOException(video.target() + ": finishing the video failed: " + Ffmpeg.describeGrabber(e), e);
        } finally {
            release(recorder);
        }
        if (settings.audioFrom() == null) {
            video.commit();
        } else {
            try (AtomicFiles.Pending joined = AtomicFiles.begin(video.target())) {
                Mp4Mux.join(video.temporary(), settings.audioFrom(), joined.temporary());
                joined.commit();
            }
            video.close();
        }
        finished = true;
        return video.target();
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        frame.close();
        if (!finished) {
            release(recorder);
            video.close();
        }
    }

    private static void release(FFmpegFrameRecorder r) {
        try {
            r.release();
        } catch (FrameRecorder.Exception e) {
            // the partial file is deleted by the caller; a failed free of the encoder changes nothing on disk
        }
    }
}
