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
