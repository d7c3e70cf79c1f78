package dev.styleclip.video;

import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVOutputFormat;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Joins an encoded video (our own, video only) and the sound of a source clip into one MP4, packets copied without
 * decoding. A sound MP4 should not hold as it is (PCM from a camera's MOV or a WAV, Vorbis from a WebM) is first encoded as AAC
 * into a temporary file beside the output. The source's sound keeps its place against the source's first frame, which
 * is the new video's first frame.
 */
final class Mp4Mux {
    /** AAC bit rate when the sound has to be encoded again: transparent for stereo speech and music. */
    static final int AAC_BITRATE = 192_000;

    private Mp4Mux() {
    }

    /**
     * Whether the sound is copied into MP4 as it is: FFmpeg's MP4 muxer takes it, and it is no PCM — FFmpeg writes PCM
     * into MP4 (ISO/IEC 23003-5) since version 6, but few players read it there, so it becomes AAC like the rest.
     */
    static boolean holds(int codecId) {
        if (avcodec.avcodec_get_name(codecId).getString().startsWith("pcm_")) return false;
        AVOutputFormat mp4 = avformat.av_guess_format("mp4", null, null);
        return avformat.avformat_query_codec(mp4, codecId, avcodec.FF_COMPLIANCE_NORMAL) == 1;
    }

    static void join(Path videoFile, Path audioSource, Path out) throws IOException {
        try (MediaInput video = MediaInput.openVideo(videoFile); MediaInput source = MediaInput.openAudio(audioSource)) {
            AVStream sourceAudio = source.stream(source.audio);
            // where the sound starts against the source's first frame (0 when the source is a sound file)
            long shift = 0;
            if (source.video >= 0 && source.stream(source.video).start_time() != avutil.AV_NOPTS_VALUE) {
                shift = avutil.av_rescale_q(source.stream(source.video).start_time(), source.stream(source.video).time_base(),
                        sourceAudio.time_base());
            }
            if (holds(sourceAudio.codecpar().codec_id())) {
                write(video, source, shift, out);
                return;
            }
            Path aac = Files.createTempFile(out.toAbsolutePath().getParent(), ".audio.", ".partial");
            try {
                encodeAac(audioSource, aac);
                try (MediaInput encoded = MediaInput.openAudio(aac)) {
                    write(video, encoded, 0, out);
                }
            } finally {
                Files.deleteIfExists(aac);
            }
        }
    }

    /** The video's packets and the sound's, interleaved by time, into {@code out}. */
    private static void write(MediaInput video, MediaInput sound, long soundShift, Path out) throws IOException {
        AVFormatContext ctx = new AVFormatContext(null);
        Ffmpeg.clearLastError();
        check(avformat.avformat_alloc_output_context2(ctx, null, "mp4", Ffmpeg.url(out)), out, "cannot start the MP4 file");
        try {
            AVStream vIn = video.stream(video.video);
            AVStream aIn = sound.stream(sound.audio);
            AVStream vOut = copyStream(ctx, vIn, out);
            vOut.avg_frame_rate(vIn.avg_frame_rate());
            vOut.r_frame_rate(vIn.r_frame_rate());
            AVStream aOut = copyStream(ctx, aIn, out);
            AVIOContext pb = new AVIOContext(null);
            check(avformat.avio_open(pb, Ffmpeg.url(out), avformat.AVIO_FLAG_WRITE), out, "cannot be written");
            ctx.pb(pb);
            AVDictionary options = new AVDictionary(null);
            // the index at the front, so players start before the whole file has arrived (FFmpeg re-opens the file by
            // the context's URL to move it there)
            avutil.av_dict_set(options, "movflags", "+faststart", 0);
            try {
                check(avformat.avformat_write_header(ctx, options), out, "cannot write the MP4 header");
            } finally {
                avutil.av_dict_free(options);
            }
            AVPacket v = nextOf(video, video.video);
            AVPacket a = nextOf(sound, sound.audio);
            while (v != null || a != null) {
                boolean takeVideo = a == null || v != null
                        && avutil.av_compare_ts(time(v), vIn.time_base(), time(a) - soundShift, aIn.time_base()) <= 0;
                if (takeVideo) {
                    put(ctx, v, 0, vIn.time_base(), vOut, out);
                    v = nextOf(video, video.video);
                } else {
                    put(ctx, a, soundShift, aIn.time_base(), aOut, out);
                    a = nextOf(sound, sound.audio);
                }
            }
            check(avformat.av_write_trailer(ctx), out, "cannot finish the MP4 file");
        } finally {
            if (ctx.pb() != null && !ctx.pb().isNull()) avformat.avio_closep(ctx.pb());
            avformat.avformat_free_context(ctx);
        }
    }

    private static AVStream copyStream(AVFormatContext ctx, AVStream in, Path out) throws IOException {
        AVStream s = avformat.avformat_new_stream(ctx, null);
        if (s == null || s.isNull()) throw new IOException(out + ": cannot add a stream to the MP4 file");
        check(avcodec.avcodec_parameters_copy(s.codecpar(), in.codecpar()), out, "cannot copy a stream's parameters");
        s.codecpar().codec_tag(0); // the MP4 muxer picks its own tag for the codec
        s.time_base(in.time_base());
        return s;
    }

    private static AVPacket nextOf(MediaInput in, int stream) throws IOException {
        for (AVPacket p = in.next(); p != null; p = in.next()) {
            if (p.stream_index() == stream) return p;
        }
        return null;
    }

    private static long time(AVPacket p) {
        return p.dts() != avutil.AV_NOPTS_VALUE ? p.dts() : p.pts();
    }

    private static void put(AVFormatContext ctx, AVPacket p, long shift, AVRational from, AVStream to, Path out)
            throws IOException {
        if (shift != 0) {
            if (p.pts() != avutil.AV_NOPTS_VALUE) p.pts(p.pts() - shift);
            if (p.dts() != avutil.AV_NOPTS_VALUE) p.dts(p.dts() - shift);
        }
        avcodec.av_packet_rescale_ts(p, from, to.time_base());
        p.stream_index(to.index());
        p.pos(-1);
        check(avformat.av_interleaved_write_frame(ctx, p), out, "cannot write to the MP4 file");
    }

    /** The source's sound decoded and encoded as AAC into an audio-only MP4. */
    private static void encodeAac(Path source, Path aac) throws IOException {
        FFmpegFrameGrabber g = new FFmpegFrameGrabber(Ffmpeg.url(source));
        FFmpegFrameRecorder r = null;
        try {
            Ffmpeg.clearLastError();
            g.start();
            r = new FFmpegFrameRecorder(Ffmpeg.url(aac), Math.min(8, Math.max(1, g.getAudioChannels())));
            r.setFormat("mp4");
            r.setAudioCodec(avcodec.AV_CODEC_ID_AAC);
            r.setSampleRate(g.getSampleRate());
            r.setAudioBitrate(AAC_BITRATE);
            r.start();
            for (Frame f = g.grabSamples(); f != null; f = g.grabSamples()) r.record(f);
            r.stop();
        } catch (FrameGrabber.Exception | FrameRecorder.Exception e) {
            throw new IOException(source + ": its sound cannot be encoded as AAC: " + Ffmpeg.describeGrabber(e), e);
        } finally {
            try {
                if (r != null) r.release();
                g.release();
            } catch (FrameGrabber.Exception | FrameRecorder.Exception e) {
                // the temporary file is deleted by the caller either way
            }
        }
    }

    private static void check(int code, Path file, String what) throws IOException {
        if (code < 0) throw new IOException(file + ": " + what + ": " + Ffmpeg.describe(code));
    }
}
