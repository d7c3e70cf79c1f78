package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code score} and {@code bench clip} on the tiny CLIP state dict of the readers golden set. */
class ScoreCommandTest {


    private static Path tinyClip() {
        return Golden.set("readers").resolve("clip-tiny-ViT-P8-R32.safetensors");
    }

    private static Path image(String name) {
        return Golden.set("clip").resolve("images").resolve(name);
    }

    @Test
    void scoresAnImageAgainstPrompts() throws Exception {
        CliRun r = CliRun.run("score", "--clip", tinyClip().toString(), "--image", image("square_64x64.png").toString(),
                "--prompt", "lush beard", "--prompt", "a face with blue hair", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertFalse(n.get("demo").asBoolean());
        assertEquals(2, n.get("scores").size());
        for (JsonNode s : n.get("scores")) {
            double cos = s.get("cosine").asDouble();
            assertTrue(cos >= -1 && cos <= 1);
            assertEquals(1 - n.get("logit_scale_exp").asDouble() * cos / 100, s.get("clip_loss").asDouble(), 1e-5);
        }
        CliRun text = CliRun.run("score", "--clip", tinyClip().toString(), "--image", image("portrait_30x73.png").toString(),
                "--prompt", "sad");
        assertEquals(0, text.code(), text.err());
        assertTrue(text.out().contains("\"sad\""), text.out());
        assertTrue(text.out().contains("clip_loss"), text.out());
    }

    @Test
    void readsGreyAndAlphaImages(@TempDir Path dir) throws Exception {
        for (int type : new int[]{BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_USHORT_GRAY}) {
            BufferedImage img = new BufferedImage(20, 40, type);
            for (int y = 0; y < 40; y++) for (int x = 0; x < 20; x++) img.setRGB(x, y, 0x80000000 | (x * 10 << 8) | y * 5);
            Path f = dir.resolve("img" + type + ".png");
            ImageIO.write(img, "png", f.toFile());
            CliRun r = CliRun.run("score", "--clip", tinyClip().toString(), "--image", f.toString(), "--prompt", "x");
            assertEquals(0, r.code(), type + ": " + r.err());
        }
    }

    @Test
    void badInputIsAOneLineErrorWithExitCode2(@TempDir Path dir) throws Exception {
        Path notImage = dir.resolve("not.png");
        Files.writeString(notImage, "hello");
        String[][] bad = {
                {"score", "--clip", tinyClip().toString(), "--image", dir.resolve("missing.png").toString(), "--prompt", "x"},
                {"score", "--clip", tinyClip().toString(), "--image", notImage.toString(), "--prompt", "x"},
                {"score", "--clip", tinyClip().toString(), "--image", image("square_64x64.png").toString(), "--prompt", "  "},
                {"score", "--clip", dir.resolve("missing.pt").toString(), "--image", image("square_64x64.png").toString(), "--prompt", "x"},
                {"score", "--clip", Golden.set("readers").resolve("lpips-vgg.pth.safetensors").toString(),
                        "--image", image("square_64x64.png").toString(), "--prompt", "x"},
                {"score", "--clip", tinyClip().toString(), "--image", image("square_64x64.png").toString()},
        };
        for (String[] args : bad) {
            CliRun r = CliRun.run(args);
            assertEquals(Cli.EXIT_BAD_INPUT, r.code(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertTrue(r.err().startsWith("error: ") || r.err().contains("Missing required option"), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void benchClipReportsTimings() throws Exception {
        CliRun r = CliRun.run("bench", "clip", "--clip", tinyClip().toString(), "--iters", "2", "--warmup", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals(1, n.get("threads").asInt());
        for (String k : new String[]{"image_forward_ms", "image_forward_backward_ms", "text_forward_ms"}) {
            assertTrue(n.get(k).get("median").asDouble() > 0, k);
            assertTrue(n.get(k).get("min").asDouble() <= n.get(k).get("median").asDouble(), k);
        }
        CliRun t = CliRun.run("bench", "clip", "--clip", tinyClip().toString(), "--iters", "1", "--warmup", "0");
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("image encoder forward+backward"), t.out());
        assertEquals(Cli.EXIT_BAD_INPUT, CliRun.run("bench", "clip", "--iters", "0").code());
    }
}
