package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.stylegan3.GeneratorImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip generate} against the golden transform case, and its error handling. */
class GenerateCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void writesTheGoldenImagesAsGenImagesWould(@TempDir Path tmp) throws Exception {
        JsonNode manifest = Golden.manifest("stylegan3");
        for (JsonNode c : Golden.cases("stylegan3")) {
            if (!c.path("kind").asText().equals("transform")) continue;
            String id = c.path("model").asText();
            Path gen = Golden.set("readers").resolve("stylegan3-" + id + ".G_ema.safetensors");
            TensorStore t = Golden.tensors(Golden.set("stylegan3").resolve(c.path("outputs").path("img").path("file").asText()));
            long[] seeds = t.get("seeds").toLongArray();
            StringBuilder sl = new StringBuilder();
            for (long s : seeds) sl.append(sl.length() == 0 ? "" : ",").append(s);
            JsonNode p = c.path("params");
            Path outdir = tmp.resolve(id);
            StringWriter out = new StringWriter(), err = new StringWriter();
            int code = run(out, err, "generate", "--generator", gen.toString(), "--seeds", sl.toString(),
                    "--trunc", "0.7", "--translate", p.path("translate").get(0).asText() + "," + p.path("translate").get(1).asText(),
                    "--rotate", p.path("angle_degrees").asText(), "--outdir", outdir.toString());
            assertEquals(0, code, err.toString());
            float[] golden = t.get(c.path("outputs").path("img").path("tensor").asText()).toFloatArray();
            long[] shape = t.get(c.path("outputs").path("img").path("tensor").asText()).shape();
            int h = (int) shape[2], w = (int) shape[3];
            for (int i = 0; i < seeds.length; i++) {
                Path png = outdir.resolve(String.format(Locale.ROOT, "seed%04d.png", seeds[i]));
                assertTrue(Files.isRegularFile(png), png + " written");
                BufferedImage img = ImageIO.read(png.toFile());
                assertEquals(w, img.getWidth());
                assertEquals(h, img.getHeight());
                int worst = 0;
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++) {
                        int rgb = img.getRGB(x, y);
                        int[] got = {(rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255};
                        for (int ch = 0; ch < 3; ch++) {
                            int exp = GeneratorImages.toByte(golden[((i * 3 + ch) * h + y) * w + x]);
                            worst = Math.max(worst, Math.abs(exp - got[ch]));
                        }
                    }
                assertTrue(worst <= 1, id + " seed " + seeds[i] + ": pixel off by " + worst);
            }
        }
        assertTrue(manifest.path("models").size() > 0);
    }

    @Test
    void badFilesAreOneLineErrors(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "generate", "--generator", tmp.resolve("missing.pkl").toString(), "--seeds", "0",
                "--outdir", tmp.toString());
        assertEquals(2, code);
        assertTrue(err.toString().startsWith("error: "), err.toString());
        assertEquals(1, err.toString().trim().lines().count(), err.toString());

        Path notGan = Golden.set("stylegan3").resolve("tensors/sg3t-32.safetensors");
        StringWriter out2 = new StringWriter(), err2 = new StringWriter();
        code = run(out2, err2, "generate", "--generator", notGan.toString(), "--seeds", "0", "--outdir", tmp.toString());
        assertEquals(2, code);
        assertTrue(err2.toString().startsWith("error: "), err2.toString());
        assertEquals(1, err2.toString().trim().lines().count(), err2.toString());

        StringWriter out3 = new StringWriter(), err3 = new StringWriter();
        code = run(out3, err3, "generate", "--seeds", "x-y", "--outdir", tmp.toString());
        assertEquals(2, code);
    }

    @Test
    void seedRanges() {
        assertEquals(java.util.List.of(0L, 1L, 2L, 3L, 42L), GenerateCommand.parseSeeds("0-3,42"));
    }
}
