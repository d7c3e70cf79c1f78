package dev.styleclip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.video.VideoInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./styleclip video-info CLIP}: what a clip is, as the video pipeline will read it. */
@Command(name = "video-info", description = "Show what a video clip holds: picture size and rotation, frame rate (and whether it varies), "
        + "frame count, length and sound.")
public final class VideoInfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CLIP", description = "a video file (MP4, MOV, WebM, MKV, AVI …)")
    Path clip;

    @Option(names = "--json", description = "print the same information as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        VideoInfo info = VideoInfo.probe(clip);
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> r = report(info);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
            return 0;
        }
        out.println("file:        " + Cli.printable(info.file().toString()));
        out.println("container:   " + info.container());
        out.printf(Locale.ROOT, "picture:     %s, %d×%d stored", info.videoCodec(), info.width(), info.height());
        if (info.orientation() != 1) {
            out.printf(Locale.ROOT, ", shown %d×%d (turned %d° clockwise%s)", info.uprightWidth(), info.uprightHeight(),
                    info.rotationDegrees(), info.mirrored() ? ", mirrored" : "");
        }
        out.println();
        out.printf(Locale.ROOT, "frame rate:  %s fps (%d/%d)%s%n", fps(info.frameRate()), info.frameRateNum(), info.frameRateDen(),
                info.variableFrameRate() ? ", variable: the frames' durations differ, this is the average" : "");
        out.printf(Locale.ROOT, "frames:      %d%n", info.frameCount());
        out.printf(Locale.ROOT, "length:      %.3f s%n", info.durationSeconds());
        if (info.audio() == null) {
            out.println("sound:       none");
        } else {
            VideoInfo.Audio a = info.audio();
            out.printf(Locale.ROOT, "sound:       %s, %d Hz, %d channel%s, %.3f s%n", a.codec(), a.sampleRate(), a.channels(),
                    a.channels() == 1 ? "" : "s", a.durationSeconds());
        }
        return 0;
    }

    /** The description as plain data (the JSON form). */
    static Map<String, Object> report(VideoInfo info) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", info.file().toString());
        r.put("container", info.container());
        r.put("video_codec", info.videoCodec());
        r.put("width", info.width());
        r.put("height", info.height());
        r.put("orientation", info.orientation());
        r.put("rotation_degrees", info.rotationDegrees());
        r.put("mirrored", info.mirrored());
        r.put("upright_width", info.uprightWidth());
        r.put("upright_height", info.uprightHeight());
        r.put("frame_rate", info.frameRate());
        r.put("frame_rate_fraction", info.frameRateNum() + "/" + info.frameRateDen());
        r.put("variable_frame_rate", info.variableFrameRate());
        r.put("frame_count", info.frameCount());
        r.put("duration_seconds", info.durationSeconds());
        if (info.audio() == null) {
            r.put("audio", null);
        } else {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("codec", info.audio().codec());
            a.put("sample_rate", info.audio().sampleRate());
            a.put("channels", info.audio().channels());
            a.put("duration_seconds", info.audio().durationSeconds());
            r.put("audio", a);
        }
        return r;
    }

    private static String fps(double f) {
        return Math.abs(f - Math.rint(f)) < 1e-9 ? String.valueOf((long) Math.rint(f)) : String.format(Locale.ROOT, "%.3f", f);
    }
}
