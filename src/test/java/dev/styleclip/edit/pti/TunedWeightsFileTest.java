package dev.styleclip.edit.pti;

import ai.djl.ndarray.NDManager;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.DType;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.models.Hashes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tuned generator as a file of differences from its base network: a float32 file loads to the tuned weights to the
 * bit and renders exactly as the tuning's result; float16 halves it and stays close; a file is never applied to
 * another network, and what is not such a file, or does not fit the network, is refused with one line.
 */
class TunedWeightsFileTest {
    private static ComputeService service;
    private static NDManager manager;
    private static GeneratorSource source;
    private static StyleGan3Generator g;
    private static PivotalTuning.Result tuned;

    @BeforeAll
    static void tune() throws Exception {
        service = new ComputeService("cpu");
        manager = NDManager.newBaseManager();
        source = GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
        g = StyleGan3Files.open(source.file(), manager);
        Path lp = Golden.set("lpips").resolve("models");
        try (Lpips lpips = Lpips.load(ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_vgg16.pth")).main(),
                ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_lin.pth")).main())) {
            tuned = service.run("pti", new PivotalTuning(g, lpips, PivotalTuningTest.latent(g, 1), PivotalTuningTest.photo(g),
                    PivotalTuning.Settings.defaults().withSteps(3).withLr(3e-3).withLpipsStop(0)), null);
        }
    }

    @AfterAll
    static void close() {
        g.close();
        manager.close();
        service.close();
    }

    @Test
    void float32DifferencesLoadToTheTunedWeightsAndRenderExactly(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tuned.safetensors");
        TunedWeightsFile.BaseNetwork base = TunedWeightsFile.BaseNetwork.of(source);
        assertEquals("sha256:" + Hashes.sha256(source.file()), base.id());
        TunedWeightsFile.write(f, base, g, tuned.weights(), TunedWeightsFile.Precision.FLOAT32, Map.of("steps", "3"));

        TunedWeightsFile.Header h = TunedWeightsFile.header(f);
        assertEquals(base, h.base());
        assertEquals("sg3t-32.pkl", h.base().label());
        assertEquals(TunedWeightsFile.Precision.FLOAT32, h.precision());
        assertEquals("3", h.info().get("steps"));
        assertEquals(g.tunableNames().size(), h.tensors());
        // the stored values are differences, not the weights
        Tensor d0 = ModelFiles.openStore(f).get(g.tunableNames().get(0));
        float[] base0 = g.tensors().get(d0.name()).toFloatArray();
        float[] tuned0 = tuned.weights().get(0).toFloatArray();
        assertEquals(tuned0[0] - base0[0], d0.toFloatArray()[0], 1e-6);

        List<Tensor> back = TunedWeightsFile.read(f, base, g);
        for (int i = 0; i < back.size(); i++) {
            assertEquals(tuned.weights().get(i).name(), back.get(i).name());
            assertArrayEquals(tuned.weights().get(i).toFloatArray(), back.get(i).toFloatArray(), back.get(i).name());
        }
        try (StyleGan3Generator loaded = TunedWeightsFile.open(f, source, g, manager)) {
            RgbImage img = PivotalTuningTest.render(loaded, PivotalTuningTest.latent(g, 1));
            assertArrayEquals(tuned.after().rgb(), img.rgb(), "the loaded network renders the tuned picture");
            assertFalse(java.util.Arrays.equals(tuned.before().rgb(), img.rgb()), "and it is not the base's");
        }
    }

    @Test
    void float16HalvesTheFileAndStaysClose(@TempDir Path dir) throws Exception {
        TunedWeightsFile.BaseNetwork base = TunedWeightsFile.BaseNetwork.of(source);
        Path f32 = dir.resolve("a.safetensors");
        Path f16 = dir.resolve("b.safetensors");
        TunedWeightsFile.write(f32, base, g, tuned.weights(), TunedWeightsFile.Precision.FLOAT32, null);
        TunedWeightsFile.write(f16, base, g, tuned.weights(), TunedWeightsFile.Precision.FLOAT16, null);
        assertTrue(Files.size(f16) < 0.55 * Files.size(f32), Files.size(f16) + " vs " + Files.size(f32));
        assertEquals(DType.F16, ModelFiles.openStore(f16).get(g.tunableNames().get(0)).dtype());
        List<Tensor> back = TunedWeightsFile.read(f16, base, g);
        for (int i = 0; i < back.size(); i++) {
            float[] want = tuned.weights().get(i).toFloatArray();
            float[] b = g.tensors().get(back.get(i).name()).toFloatArray();
            float[] got = back.get(i).toFloatArray();
            for (int k = 0; k < want.length; k++) {
                double change = Math.abs(want[k] - b[k]);
                assertEquals(want[k], got[k], Math.max(change * Math.pow(2, -11), Math.pow(2, -25)) + 2 * Math.ulp(want[k]),
                        back.get(i).name() + "[" + k + "]");
            }
        }
    }

    @Test
    void aFileIsNeverAppliedToAnotherNetwork(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tuned.safetensors");
        TunedWeightsFile.write(f, TunedWeightsFile.BaseNetwork.of(source), g, tuned.weights(), TunedWeightsFile.Precision.FLOAT32, null);
        GeneratorSource other = GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3r-32.pkl"));
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> TunedWeightsFile.read(f, TunedWeightsFile.BaseNetwork.of(other), g));
        assertTrue(e.getMessage().contains("was tuned from sg3t-32.pkl (sha256:"), e.getMessage());
        assertTrue(e.getMessage().contains("not from sg3r-32.pkl (sha256:"), e.getMessage());
        TunedWeightsFile.BaseNetwork demo = TunedWeightsFile.BaseNetwork.of(GeneratorSource.demo("stylegan3-t-1024"));
        assertEquals("demo:stylegan3-t-1024", demo.id());
        e = assertThrows(ModelFileException.class, () -> TunedWeightsFile.read(f, demo, g));
        assertTrue(e.getMessage().contains("not from demo network (random weights, stylegan3-t 1024x1024 architecture) (demo:stylegan3-t-1024)"),
                e.getMessage());
    }

    @Test
    void whatIsNotATunedGeneratorOrDoesNotFitIsRefused(@TempDir Path dir) throws Exception {
        Path trace = Golden.set("pti").resolve("tensors/trace.safetensors");
        ModelFileException e = assertThrows(ModelFileException.class, () -> TunedWeightsFile.header(trace));
        assertTrue(e.getMessage().contains("is not a tuned generator"), e.getMessage());
        assertThrows(ModelFileException.class, () -> TunedWeightsFile.header(source.file()));

        TunedWeightsFile.BaseNetwork base = TunedWeightsFile.BaseNetwork.of(source);
        Map<String, String> meta = Map.of("format", TunedWeightsFile.FORMAT, "base", base.id(), "delta_dtype", "F32");
        Path foreign = dir.resolve("foreign.safetensors");
        Safetensors.write(foreign, List.of(Tensor.ofFloats("synthesis.input.weight", new long[]{1}, new float[1])), meta);
        e = assertThrows(ModelFileException.class, () -> TunedWeightsFile.read(foreign, base, g));
        assertTrue(e.getMessage().contains("synthesis.input.weight, which is not a tunable weight"), e.getMessage());
        String name = g.tunableNames().get(1);
        Path shape = dir.resolve("shape.safetensors");
        Safetensors.write(shape, List.of(Tensor.ofFloats(name, new long[]{2}, new float[2])), meta);
        e = assertThrows(ModelFileException.class, () -> TunedWeightsFile.read(shape, base, g));
        assertTrue(e.getMessage().contains(name + " has shape [2]"), e.getMessage());
        Path noBase = dir.resolve("nobase.safetensors");
        Safetensors.write(noBase, List.of(), Map.of("format", TunedWeightsFile.FORMAT, "delta_dtype", "F32"));
        e = assertThrows(ModelFileException.class, () -> TunedWeightsFile.header(noBase));
        assertTrue(e.getMessage().contains("does not say which network"), e.getMessage());
        // a failed write leaves nothing behind
        Path blocked = dir.resolve("a-file");
        Files.writeString(blocked, "x");
        assertThrows(java.io.IOException.class, () -> TunedWeightsFile.write(blocked.resolve("t.safetensors"), base, g,
                tuned.weights(), TunedWeightsFile.Precision.FLOAT32, null));
        assertEquals(List.of("a-file", "foreign.safetensors", "nobase.safetensors", "shape.safetensors"),
                Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList());
    }

    @Test
    void float32DifferencesAddBackToTheBit() {
        SplittableRandom rnd = new SplittableRandom(5);
        int n = 1_000_000;
        float[] base = new float[n];
        float[] tuned = new float[n];
        for (int i = 0; i < n; i++) {
            base[i] = (float) rnd.nextGaussian();
            // PTI-like changes, and now and then a weight driven to about zero (no float32 difference reaches those)
            tuned[i] = i % 1000 == 0 ? (float) (rnd.nextGaussian() * 1e-6) : base[i] + (float) (rnd.nextGaussian() * 3e-3);
        }
        float[] kept = TunedWeightsFile.reproducible(base, tuned);
        int moved = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(kept[i], base[i] + TunedWeightsFile.exactDelta(base[i], kept[i]), 0, "value " + i + " comes back to the bit");
            if (kept[i] != tuned[i]) {
                moved++;
                assertTrue(Math.abs(kept[i] - tuned[i]) <= Math.ulp(tuned[i] - base[i]), "moved by at most an ulp of its change");
            }
        }
        assertTrue(moved > 0 && moved <= n / 1000, moved + " of " + n + " moved");
        assertEquals(TunedWeightsFile.Precision.FLOAT16, TunedWeightsFile.Precision.parse("fp16"));
        assertThrows(IllegalArgumentException.class, () -> TunedWeightsFile.Precision.parse("int8"));
    }
}
