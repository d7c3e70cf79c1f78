package dev.styleclip.cli;

import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.pti.TunedWeightsFile;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Nd;
import dev.styleclip.edit.Projection;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code styleclip tune} on the golden tiny generator: it prints progress and a summary, writes the tuned generator as
 * its differences labelled with the base file's sha256 (float32 or float16) and the tuned picture, and that file loads
 * to a network that renders the picture; bad input is one line and nothing is written.
 */
class TuneCommandTest {
    private static final Path GENERATOR = Golden.set("stylegan3").resolve("models/sg3t-32.pkl");

    /** A latent file and a target picture (another latent's) for the golden generator. */
    private static Path[] inputs(Path dir) throws Exception {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager(); StyleGan3Generator g = StyleGan3Files.open(GENERATOR, m)) {
            Latent w = new Latent(g.numWs(), g.wDim(), g.mapping(g.seedZ(m, 1), 0.7, null).toFloatArray());
            Path latent = dir.resolve("w.npz");
            LatentFile.write(latent, w);
            RgbImage face = Projection.pixels(g.generate(g.seedZ(m, 5), 0.7, null, null)).toRgbImage();
            Path target = dir.resolve("face.png");
            Images.writePng(face, target);
            return new Path[]{latent, target};
        }
    }

    @Test
    void tunesWritesTheDifferencesAndTheyLoad(@TempDir Path dir) throws Exception {
        Path[] in = inputs(dir);
        Path out = dir.resolve("tuned.safetensors");
        Path picture = dir.resolve("tuned.png");
        CliRun r = CliRun.run("tune", "--generator", GENERATOR.toString(), "--demo-networks", "--latent", in[0].toString(),
                "--target", in[1].toString(), "--out", out.toString(), "--steps", "3", "--lr", "3e-3", "--lpips-stop", "0",
                "--image", picture.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator sg3t-32.pkl · LPIPS demo"), r.err());
        assertTrue(r.err().contains("3/3 total"), "progress with the losses: " + r.err());
        assertTrue(r.out().contains("tuned sg3t-32.pkl in 3 steps (every step): LPIPS "), r.out());
        assertTrue(r.out().matches("(?s).*\\n\\d+\\.\\d s per step\\n.*"), r.out());
        assertTrue(r.out().contains("wrote " + out + " (float32 differences from sg3t-32.pkl, sha256:"), r.out());

        TunedWeightsFile.Header h = TunedWeightsFile.header(out);
        assertEquals(TunedWeightsFile.BaseNetwork.of(GeneratorSource.file(GENERATOR)), h.base());
        assertEquals("3", h.info().get("steps_done"));
        assertEquals("true", h.info().get("locality"));
        try (NDManager m = NDManager.newBaseManager(); StyleGan3Generator g = StyleGan3Files.open(GENERATOR, m);
             StyleGan3Generator tuned = TunedWeightsFile.open(out, GeneratorSource.file(GENERATOR), g, m)) {
            Latent w = LatentFile.read(in[0]);
            RgbImage img = Projection.pixels(tuned.synthesis(Nd.constant(m, w.values(), new ai.djl.ndarray.types.Shape(1, w.numWs(), w.wDim()))))
                    .toRgbImage();
            assertArrayEquals(Images.read(picture).rgb(), img.rgb(), "the file renders the picture the command wrote");
        }

        Path half = dir.resolve("half.safetensors");
        r = CliRun.run("tune", "--generator", GENERATOR.toString(), "--demo-networks", "--latent", in[0].toString(),
                "--target", in[1].toString(), "--out", half.toString(), "--steps", "1", "--no-locality", "--float16");
        assertEquals(0, r.code(), r.err());
        assertEquals(TunedWeightsFile.Precision.FLOAT16, TunedWeightsFile.header(half).precision());
        assertEquals("false", TunedWeightsFile.header(half).info().get("locality"));
        assertTrue(Files.size(half) < Files.size(out));
    }

    @Test
    void badInputIsOneLineAndWritesNothing(@TempDir Path dir) throws Exception {
        Path[] in = inputs(dir);
        Path out = dir.resolve("tuned.safetensors");
        CliRun r = CliRun.run("tune", "--generator", GENERATOR.toString(), "--demo-networks", "--latent", dir.resolve("none.npz").toString(),
                "--target", in[1].toString(), "--out", out.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--latent") && r.err().contains("no such file"), r.err());
        r = CliRun.run("tune", "--generator", GENERATOR.toString(), "--demo-networks", "--latent", in[0].toString(),
                "--target", in[1].toString(), "--out", out.toString(), "--lr", "0");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("learning rate must be > 0"), r.err());
        // a latent of another generator's shape
        r = CliRun.run("tune", "--demo", "stylegan3-t-256", "--demo-networks", "--latent", in[0].toString(),
                "--target", in[1].toString(), "--out", out.toString(), "--steps", "1");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("the pivot latent is [1, 16, 32] but the generator needs [1, 16, 512]"), r.err());
        assertEquals(1, r.err().strip().lines().filter(l -> !l.startsWith("using:")).count(), r.err());
        assertFalse(Files.exists(out));
    }
}
