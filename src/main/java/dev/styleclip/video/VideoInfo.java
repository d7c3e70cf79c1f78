package dev.styleclip.video;

import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.IntPointer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a clip is, read from its container and every packet's timestamp (demuxed, not decoded: a few seconds for an
 * hour of video): the picture as stored and as shown (rotation metadata), the frame rate as an exact fraction and
 * whether the frames really come at that rate, the frame count and length, and the sound.
 *
 * @param container        FFmpeg's name of the container ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm")
 * @param videoCodec       the video codec's name ("h264", "vp9")
 * @param width            stored width of a frame
 * @param height           stored height of a frame
 * @param orientation      how stored frames are turned upright, as an EXIF orientation (1 = as stored, 6 = a quarter
 *                         turn clockwise, 3 = half a turn, 8 = a quarter turn anticlockwise; 2, 4, 5, 7 mirrored)
 * @param frameRateNum     frame rate numerator (30000 of 30000/1001)
 * @param frameRateDen     frame rate denominator
 * @param variableFrameRate whether the frames' durations differ (by more than a tenth, past the timestamps' rounding):
 *                         the rate is then the average
 * @param frameCount       video frames in the file (packets counted, not the header's claim)
 * @param durationSeconds  from the first frame's start to the last frame's end
 * @param audio            the sound, or null when the clip has none
 */
public record VideoInfo(Path file, String container, String videoCodec, int width, int height, int orientation,
                        long frameRateNum, long frameRateDen, boolean variableFrameRate, int frameCount,
                        double durationSeconds, Audio audio) {

    /**
     * The clip's sound.
     *
     * @param codec           the audio codec's name ("aac", "opus", "pcm_s16le")
     * @param sampleRate      samples per second
     * @param channels        channel count
     * @param durationSeconds from the first packet's start to the last one's end
     */
    public record Audio(String codec, int sampleRate, int channels, double durationSeconds) {
    }

    /** A frame duration this much away from the typical one (relative) makes the rate variable. */
    static final double VARIABLE_RATE_TOLERANCE = 0.1;

    public double frameRate() {
        return (double) frameRateNum / frameRateDen;
    }

    public boolean hasAudio() {
        return audio != null;
    }

    /** Whether frames are stored on their side (a quarter turn): the upright picture swaps width and height. */
    public boolean sideways() {
        return orientation >= 5;
    }

    /** Width of an upright frame (what the reader hands out). */
    public int uprightWidth() {
        return sideways() ? height : width;
    }

    /** Height of an upright frame. */
    public int uprightHeight() {
        return sideways() ? width : height;
    }

    /** Clockwise degrees (0, 90, 180, 270) that turn a stored frame upright, leaving mirroring aside. */
    public int rotationDegrees() {
        return switch (orientation) {
            case 3, 4 -> 180;
            case 5, 6 -> 90;
            case 7, 8 -> 270;
            default -> 0;
        };
    }

    /** Whether the upright picture is also mirrored (rare: front cameras of some phones). */
    public boolean mirrored() {
        return orientation == 2 || orientation == 4 || orientation == 5 || orientation == 7;
    }

    /** Reads a clip's description; a file that is no readable video is a {@link VideoFileException}. */
    public static VideoInfo probe(Path file) throws IOException {
        try (MediaInput in = MediaInput.openVideo(file)) {
            AVStream vs = in.stream(in.video);
            AVCodecParameters vp = vs.codecpar();
            if (vp.width() <= 0 || vp.height() <= 0) throw new VideoFileException(file, "its video stream has no picture size");
            long[] pts = new long[1024];
            int frames = 0;
            long audioStart = Long.MAX_VALUE;
            long audioEnd = Long.MIN_VALUE;
            long lastVideoDuration = 0;
            for (AVPacket p = in.next(); p != null; p = in.next()) {
                long t = p.pts() != avutil.AV_NOPTS_VALUE ? p.pts() : p.dts();
                if (p.stream_index() == in.video) {
                    if (frames == pts.length) pts = Arrays.copyOf(pts, frames * 2);
                    pts[frames++] = t;
                    lastVideoDuration = Math.max(lastVideoDuration, p.duration());
                } else if (p.stream_index() == in.audio && t != avutil.AV_NOPTS_VALUE) {
                    audioStart = Math.min(audioStart, t);
                    audioEnd = Math.max(audioEnd, t + Math.max(0, p.duration()));
                }
            }
            if (frames == 0) throw new VideoFileException(file, "its video stream has no frames (damaged or cut short?)");
            long claimed = vs.nb_frames();
            if (claimed > frames) {
                throw new VideoFileException(file, "cut short or damaged: its index lists " + claimed + " frames, "
                        + frames + " are in the file");
            }
            Timing timing = Timing.of(Arrays.copyOf(pts, frames), vs.time_base(), vs.r_frame_rate(), vs.avg_frame_rate(),
                    lastVideoDuration);
            Audio audio = null;
            if (in.audio >= 0) {
                AVStream as = in.stream(in.audio);
                double seconds = audioEnd > audioStart ? seconds(audioEnd - audioStart, as.time_base())
                        : as.duration() > 0 ? seconds(as.duration(), as.time_base()) : 0;
                audio = new Audio(codecName(as.codecpar().codec_id()), as.codecpar().sample_rate(),
                        as.codecpar().ch_layout().nb_channels(), seconds);
            }
            return new VideoInfo(file, in.formatName(), codecName(vp.codec_id()), vp.width(), vp.height(),
                    orientation(vp), timing.num, timing.den, timing.variable, frames, timing.seconds, audio);
        }
    }

    /** The frame rate, regularity and length from the video packets' timestamps. */
    private record Timing(long num, long den, boolean variable, double seconds) {
        static Timing of(long[] pts, AVRational tb, AVRational guessed, AVRational average, long lastDuration) {
            Arrays.sort(pts);
            int n = pts.length;
            long median = 0;
            boolean variable = false;
            if (n > 1) {
                long[] d = new long[n - 1];
                for (int i = 1; i < n; i++) d[i - 1] = pts[i] - pts[i - 1];
                long[] sorted = d.clone();
                Arrays.sort(sorted);
                median = sorted[sorted.length / 2];
                // timestamps are rounded to the time base (29.97 fps in milliseconds: 33, 34, 33 …): a tick is no variation
                double allowed = Math.max(1.0, VARIABLE_RATE_TOLERANCE * median);
                for (long x : d) variable |= Math.abs(x - median) > allowed;
            }
            long frameTicks = median > 0 ? median : Math.max(lastDuration, 0);
            double seconds = frameTicks > 0 ? VideoInfo.seconds(pts[n - 1] - pts[0] + frameTicks, tb) : 0;
            long num;
            long den;
            if (!variable && valid(guessed) && (median == 0 || near(guessed, 1.0 / VideoInfo.seconds(median, tb)))) {
                num = guessed.num();
                den = guessed.den();
            } else if (valid(average)) {
                num = average.num();
                den = average.den();
            } else if (seconds > 0) {
                num = Math.round(n / seconds * 1000);
                den = 1000;
            } else {
                num = valid(guessed) ? guessed.num() : 25;
                den = valid(guessed) ? guessed.den() : 1;
            }
            if (seconds == 0) seconds = n * (double) den / num;
            return new Timing(num, den, variable, seconds);
        }

        private static boolean valid(AVRational r) {
            return r != null && r.num() > 0 && r.den() > 0;
        }

        private static boolean near(AVRational r, double fps) {
            return Math.abs((double) r.num() / r.den() - fps) <= 0.05 * fps;
        }
    }

    private static double seconds(long ticks, AVRational tb) {
        return ticks * (double) tb.num() / tb.den();
    }

    private static String codecName(int id) {
        return avcodec.avcodec_get_name(id).getString();
    }

    /** The EXIF orientation equal to the stream's display matrix (1 when it has none). */
    private static int orientation(AVCodecParameters p) {
        AVPacketSideData sd = avcodec.av_packet_side_data_get(p.coded_side_data(), p.nb_coded_side_data(),
                avcodec.AV_PKT_DATA_DISPLAYMATRIX);
        if (sd == null || sd.isNull() || sd.size() < 9 * 4) return 1;
        int[] m = new int[9];
        new IntPointer(sd.data()).get(m);
        return DisplayMatrix.orientation(m);
    }
}
