package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.video.TestClips;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip video-info} on a clip the test makes from a golden face photo. */
class VideoInfoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void describesAClipAsTextAndJson() throws Exception {
        Path clip = TestClips.faceClip(tmp, "luciano");
        CliRun text = CliRun.run("video-info", clip.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("picture:     h264, 160×160 stored"), text.out());
        assertTrue(text.out().contains("frame rate:  25 fps (25/1)"), text.out());
        assertTrue(text.out().contains("frames:      50"), text.out());
        assertTrue(text.out().contains("length:      2.000 s"), text.out());
        assertTrue(text.out().contains("sound:       aac, 48000 Hz, 1 channel, 2.0"), text.out());

        CliRun json = CliRun.run("video-info", clip.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode r = new ObjectMapper().readTree(json.out());
        assertEquals(50, r.get("frame_count").asInt());
        assertEquals("25/1", r.get("frame_rate_fraction").asText());
        assertEquals(false, r.get("variable_frame_rate").asBoolean());
        assertEquals("aac", r.get("audio").get("codec").asText());
    }

    @Test
    void aBrokenClipIsOneLineAndExitTwo() throws Exception {
        Path bad = Files.writeString(tmp.resolve("clip.mp4"), "no video here");
        CliRun r = CliRun.run("video-info", bad.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().startsWith("error: " + bad + ": not a video file FFmpeg can read"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals("", r.out());
    }
}
