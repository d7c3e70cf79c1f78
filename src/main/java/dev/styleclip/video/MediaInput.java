package dev.styleclip.video;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One media file opened for demuxing (no decoding): its container, the best video stream and the best audio stream,
 * its packets in file order. Every way a file can fail to open is turned into a {@link VideoFileException} here, so
 * the probe, the reader and the writer's audio copy all say the same thing about the same file.
 */
final class MediaInput implements AutoCloseable {
    final Path file;
    final AVFormatContext context;
    /** Index of the video stream, or -1 when the file has none (an audio source). */
    final int video;
    /** Index of the audio stream, or -1 when the file has none. */
    final int audio;
    private final AVPacket packet = avcodec.av_packet_alloc();
    private boolean closed;

    private MediaInput(Path file, AVFormatContext context, int video, int audio) {
        this.file = file;
        this.context = context;
        this.video = video;
        this.audio = audio;
    }

    /** Opens a file that must have a video stream. */
    static MediaInput openVideo(Path file) throws IOException {
        return open(file, true);
    }

    /** Opens a file for its audio stream (a video stream may be there too). */
    static MediaInput openAudio(Path file) throws IOException {
        return open(file, false);
    }

    private static MediaInput open(Path file, boolean needVideo) throws IOException {
        Ffmpeg.load();
        if (!Files.exists(file)) throw new VideoFileException(file, "no such file");
        if (Files.isDirectory(file)) throw new VideoFileException(file, "is a folder; a video file is needed");
        if (!Files.isReadable(file)) throw new VideoFileException(file, "cannot be read (permission denied)");
        AVFormatContext ctx = new AVFormatContext(null);
        Ffmpeg.clearLastError();
        int r = avformat.avformat_open_input(ctx, Ffmpeg.url(file), null, null);
        if (r < 0) throw new VideoFileException(file, "not a video file FFmpeg can read: " + Ffmpeg.describe(r));
        boolean ok = false;
        try {
            String format = ctx.iformat().name().getString();
            if (needVideo && (format.endsWith("_pipe") || format.equals("image2"))) {
                throw new VideoFileException(file, "is a still image (" + format.replace("_pipe", "") + "), not a video");
            }
            r = avformat.avformat_find_stream_info(ctx, (org.bytedeco.javacpp.PointerPointer<?>) null);
            if (r < 0) throw new VideoFileException(file, "its streams cannot be read (damaged?): " + Ffmpeg.describe(r));
            int v = avformat.av_find_best_stream(ctx, avutil.AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            // a cover picture (an MP3's album art) is a video stream of one frame, not a clip
            if (v >= 0 && (ctx.streams(v).disposition() & avformat.AV_DISPOSITION_ATTACHED_PIC) != 0) v = -1;
            if (needVideo && v < 0) {
                throw new VideoFileException(file, "has no video stream" + (hasAudio(ctx) ? " (audio only)" : ""));
            }
            int a = avformat.av_find_best_stream(ctx, avutil.AVMEDIA_TYPE_AUDIO, -1, v, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            if (!needVideo && a < 0) throw new VideoFileException(file, "has no audio stream");
            ok = true;
            return new MediaInput(file, ctx, Math.max(v, -1), Math.max(a, -1));
        } finally {
            if (!ok) avformat.avformat_close_input(ctx);
        }
    }

    private static boolean hasAudio(AVFormatContext ctx) {
        for (int i = 0; i < ctx.nb_streams(); i++) {
            if (ctx.streams(i).codecpar().codec_type() == avutil.AVMEDIA_TYPE_AUDIO) return true;
        }
        return false;
    }

    AVStream stream(int index) {
        return context.streams(index);
    }

    /** The container's short name ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "avi"). */
    String formatName() {
        return context.iformat().name().getString().toLowerCase(Locale.ROOT);
    }

    /**
     * The next packet (valid until the next call), or null at the end of the file. A read error other than the end is
     * a damaged or cut-short file.
     */
    AVPacket next() throws VideoFileException {
        avcodec.av_packet_unref(packet);
        Ffmpeg.clearLastError();
        int r = avformat.av_read_frame(context, packet);
        if (r == avutil.AVERROR_EOF) return null;
        if (r < 0) throw new VideoFileException(file, "damaged or cut short: " + Ffmpeg.describe(r));
        return packet;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        avcodec.av_packet_free(packet);
        avformat.avformat_close_input(context);
    }
}
