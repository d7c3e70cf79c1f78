package dev.styleclip.video;

import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading and writing real clips through FFmpeg, on clips the tests make from the golden face photos. */
class VideoFilesTest {
    @TempDir
    Path tmp;

    @Test
    void aClipReadAndWrittenAgainKeepsItsFramesRateAndSound() throws Exception {
        Path source = TestClips.faceClip(tmp, "luciano");
        VideoInfo in = VideoInfo.probe(source);
        assertEquals(TestClips.FRAMES, in.frameCount());
        assertEquals(25, in.frameRateNum());
        assertEquals(1, in.frameRateDen());
        assertFalse(in.variableFrameRate());
        assertEquals(2.0, in.durationSeconds(), 1e-9);
        assertEquals(TestClips.SIZE, in.width());
        assertEquals("h264", in.videoCodec());
        assertEquals(1, in.orientation());
        assertNotNull(in.audio(), "the tone became the clip's sound");
        assertEquals("aac", in.audio().codec(), "MP4 does not hold the WAV's PCM: encoded as AAC");
        assertEquals(2.0, in.audio().durationSeconds(), 1.0 / TestClips.FPS);

        RgbImage photo = TestClips.photo("luciano");
        Path copy = tmp.resolve("copy.mp4");
        List<Double> times = new ArrayList<>();
        try (VideoReader r = VideoReader.open(source); Mp4Writer w = Mp4Writer.open(copy, Mp4Writer.Settings.like(r.info()))) {
            for (VideoFrame f = r.next(); f != null; f = r.next()) {
                assertEquals(times.size(), f.index());
                times.add(f.seconds());
                RgbImage drawn = TestClips.frame(photo, f.index(), TestClips.FRAMES, TestClips.SIZE, TestClips.SIZE);
                assertTrue(TestClips.meanAbsDiff(drawn, f.image()) < 6, "frame " + f.index() + " is the picture that was written");
                w.write(f.image());
            }
            w.finish();
        }
        assertEquals(TestClips.FRAMES, times.size());
        for (int i = 0; i < times.size(); i++) assertEquals(i / 25.0, times.get(i), 1e-6, "time of frame " + i);

        VideoInfo out = VideoInfo.probe(copy);
        assertEquals(in.frameCount(), out.frameCount());
        assertEquals(in.frameRateNum(), out.frameRateNum());
        assertEquals(in.frameRateDen(), out.frameRateDen());
        assertEquals(in.durationSeconds(), out.durationSeconds(), 1e-9);
        assertEquals(in.audio().durationSeconds(), out.audio().durationSeconds(), 1.0 / TestClips.FPS);
        assertArrayEquals(audioDigest(source), audioDigest(copy), "AAC fits MP4: the sound's packets are copied unchanged");
    }

    @Test
    void ntscRateIsKeptAsAnExactFraction() throws Exception {
        Path clip = tmp.resolve("ntsc.mp4");
        TestClips.write(clip, TestClips.photo("astronaut"), new Mp4Writer.Settings(64, 64, 30000, 1001, null, 0), 10);
        VideoInfo info = VideoInfo.probe(clip);
        assertEquals(30000, info.frameRateNum());
        assertEquals(1001, info.frameRateDen());
        assertEquals(10, info.frameCount());
        assertEquals(10 * 1001 / 30000.0, info.durationSeconds(), 1e-6);
        assertFalse(info.variableFrameRate());
        assertNull(info.audio(), "written without sound");
    }

    /** A phone's portrait clip: frames stored on their side, the player told to turn them a quarter clockwise. */
    @Test
    void rotationMetadataIsHonoured() throws Exception {
        RgbImage photo = TestClips.photo("grace_hopper");
        int w = 96, h = 160; // upright: portrait
        Path clip = tmp.resolve("portrait.mp4");
        List<RgbImage> upright = new ArrayList<>();
        try (Mp4Writer wr = Mp4Writer.open(clip, new Mp4Writer.Settings(h, w, TestClips.FPS, 1, null, 90))) {
            for (int i = 0; i < 8; i++) {
                RgbImage u = TestClips.frame(photo, i, 8, w, h);
                upright.add(u);
                wr.write(Images.applyExifOrientation(u, 8)); // stored a quarter turn anticlockwise, as the sensor saw it
            }
            wr.finish();
        }
        VideoInfo info = VideoInfo.probe(clip);
        assertEquals(6, info.orientation());
        assertEquals(90, info.rotationDegrees());
        assertEquals(h, info.width(), "stored landscape");
        assertEquals(w, info.uprightWidth(), "shown portrait");
        try (VideoReader r = VideoReader.open(clip)) {
            for (VideoFrame f = r.next(); f != null; f = r.next()) {
                assertEquals(w, f.image().width());
                assertEquals(h, f.image().height());
                double upright0 = TestClips.meanAbsDiff(upright.get(f.index()), f.image());
                double turnedBack = TestClips.meanAbsDiff(Images.applyExifOrientation(upright.get(f.index()), 3), f.image());
                assertTrue(turnedBack > 4 * upright0, "frame " + f.index() + " upright: " + upright0 + " vs " + turnedBack);
            }
        }
        // written back from upright frames: no rotation left
        Path again = tmp.resolve("again.mp4");
        try (VideoReader r = VideoReader.open(clip); Mp4Writer wr = Mp4Writer.open(again, Mp4Writer.Settings.like(r.info()))) {
            for (VideoFrame f = r.next(); f != null; f = r.next()) wr.write(f.image());
            wr.finish();
        }
        VideoInfo out = VideoInfo.probe(again);
        assertEquals(1, out.orientation());
        assertEquals(w, out.width());
    }

    @Test
    void anOddSizeIsWrittenOneColumnAndRowLarger() throws Exception {
        Path clip = tmp.resolve("odd.mp4");
        try (Mp4Writer w = Mp4Writer.open(clip, new Mp4Writer.Settings(61, 45, TestClips.FPS, 1, null, 0))) {
            assertEquals(62, w.outputWidth());
            assertEquals(46, w.outputHeight());
            for (int i = 0; i < 3; i++) w.write(TestClips.frame(TestClips.photo("luciano"), i, 3, 61, 45));
            w.finish();
        }
        VideoInfo info = VideoInfo.probe(clip);
        assertEquals(62, info.width());
        assertEquals(46, info.height());
        assertEquals(3, info.frameCount());
    }

    @Test
    void aPngSequenceAppearsWholeOrNotAtAll() throws Exception {
        Path folder = tmp.resolve("frames");
        RgbImage photo = TestClips.photo("luciano");
        try (PngSequenceWriter w = PngSequenceWriter.open(folder, 48, 48)) {
            for (int i = 0; i < 5; i++) w.write(TestClips.frame(photo, i, 5, 48, 48));
            assertFalse(Files.exists(folder), "nothing at the target before finish");
            assertEquals(folder.toAbsolutePath(), w.finish());
        }
        try (Stream<Path> s = Files.list(folder)) {
            assertEquals(List.of("frame_000001.png", "frame_000002.png", "frame_000003.png", "frame_000004.png", "frame_000005.png"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertArrayEquals(TestClips.frame(photo, 2, 5, 48, 48).rgb(), Images.read(folder.resolve("frame_000003.png")).rgb(), "PNG is lossless");
        IOException notEmpty = assertThrows(IOException.class, () -> PngSequenceWriter.open(folder, 48, 48));
        assertTrue(notEmpty.getMessage().contains("not empty"), notEmpty.getMessage());

        Path abandoned = tmp.resolve("abandoned");
        try (PngSequenceWriter w = PngSequenceWriter.open(abandoned, 48, 48)) {
            w.write(TestClips.frame(photo, 0, 5, 48, 48));
        }
        assertFalse(Files.exists(abandoned));
        assertEquals(List.of(), hidden(tmp), "no partial folder left");
    }

    @Test
    void aWriterClosedBeforeFinishLeavesTheOldFile() throws Exception {
        Path clip = tmp.resolve("out.mp4");
        Files.writeString(clip, "the old file");
        try (Mp4Writer w = Mp4Writer.open(clip, new Mp4Writer.Settings(32, 32, TestClips.FPS, 1, null, 0))) {
            for (int i = 0; i < 3; i++) w.write(RgbImage.blank(32, 32));
        }
        assertEquals("the old file", Files.readString(clip));
        assertEquals(List.of(), hidden(tmp), "no partial file left");
        IllegalArgumentException wrongSize = assertThrows(IllegalArgumentException.class, () -> {
            try (Mp4Writer w = Mp4Writer.open(clip, new Mp4Writer.Settings(32, 32, TestClips.FPS, 1, null, 0))) {
                w.write(RgbImage.blank(30, 32));
            }
        });
        assertTrue(wrongSize.getMessage().contains("30x32"), wrongSize.getMessage());
    }

    @Test
    void aVariableFrameRateIsSeenAndEveryFrameCounted() throws Exception {
        Path clip = tmp.resolve("vfr.mkv");
        // a phone in low light: 30 fps, then half the rate for a while
        long[] micros = new long[20];
        for (int i = 1; i < micros.length; i++) micros[i] = micros[i - 1] + (i >= 8 && i < 14 ? 66_667 : 33_333);
        org.bytedeco.javacv.FFmpegFrameRecorder r = new org.bytedeco.javacv.FFmpegFrameRecorder(clip.toFile(), 64, 64, 0);
        r.setFormat("matroska");
        r.setVideoCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4);
        r.setFrameRate(1000); // millisecond ticks: the timestamps below decide when each frame shows
        r.start();
        try (org.bytedeco.javacv.Frame f = new org.bytedeco.javacv.Frame(64, 64, org.bytedeco.javacv.Frame.DEPTH_UBYTE, 3)) {
            for (long t : micros) {
                r.setTimestamp(t);
                r.record(f);
            }
        }
        r.stop();
        r.release();
        VideoInfo info = VideoInfo.probe(clip);
        assertTrue(info.variableFrameRate(), info.toString());
        assertEquals(20, info.frameCount());
        assertTrue(info.container().contains("matroska"), info.container());
        assertEquals(micros[19] / 1e6 + 0.033, info.durationSeconds(), 0.002);
        int read = 0;
        try (VideoReader reader = VideoReader.open(clip)) {
            for (VideoFrame f = reader.next(); f != null; f = reader.next()) {
                assertEquals(micros[f.index()] / 1e6, f.seconds(), 0.001, "time of frame " + f.index());
                read++;
            }
        }
        assertEquals(20, read);
    }

    @Test
    void aFileThatIsNoVideoGetsOneLine() throws Exception {
        Path clip = TestClips.faceClip(tmp, "astronaut");
        byte[] bytes = Files.readAllBytes(clip);

        Path random = tmp.resolve("random.mp4");
        byte[] noise = new byte[20_000];
        new java.util.Random(7).nextBytes(noise);
        Files.write(random, noise);
        Path truncated = tmp.resolve("truncated.mp4");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path text = Files.writeString(tmp.resolve("notes.mp4"), "not a video at all\n");
        Path empty = Files.write(tmp.resolve("empty.mp4"), new byte[0]);

        for (Path bad : List.of(random, truncated, text, empty)) {
            VideoFileException e = assertThrows(VideoFileException.class, () -> {
                try (VideoReader r = VideoReader.open(bad)) {
                    while (r.next() != null) {
                        // decode to the end: a cut-short file may only fail there
                    }
                }
            }, bad.toString());
            oneLineNaming(e, bad);
        }
        VideoFileException still = assertThrows(VideoFileException.class, () -> VideoInfo.probe(TestClips.FACES.resolve("luciano.png")));
        assertTrue(still.getMessage().contains("still image"), still.getMessage());
        VideoFileException sound = assertThrows(VideoFileException.class, () -> VideoInfo.probe(TestClips.tone(tmp.resolve("t.wav"), 0.5, 440)));
        assertTrue(sound.getMessage().contains("no video stream (audio only)"), sound.getMessage());
        VideoFileException missing = assertThrows(VideoFileException.class, () -> VideoInfo.probe(tmp.resolve("nope.mp4")));
        assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());
        VideoFileException folder = assertThrows(VideoFileException.class, () -> VideoInfo.probe(tmp));
        assertTrue(folder.getMessage().contains("is a folder"), folder.getMessage());
    }

    private static void oneLineNaming(Exception e, Path file) {
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString() + ": "), m);
        assertFalse(m.contains("\n"), m);
        assertTrue(m.length() < 300, m);
    }

    private static List<String> hidden(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    /** One digest over every audio packet's bytes, in order. */
    private static byte[] audioDigest(Path clip) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (MediaInput in = MediaInput.openAudio(clip)) {
            for (AVPacket p = in.next(); p != null; p = in.next()) {
                if (p.stream_index() != in.audio) continue;
                byte[] b = new byte[p.size()];
                p.data().get(b);
                md.update(b);
            }
        }
        return md.digest();
    }
}
