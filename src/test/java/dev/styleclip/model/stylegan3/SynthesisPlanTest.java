package dev.styleclip.model.stylegan3;

import dev.styleclip.runtime.SynthesisPlan;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.golden.Golden;
import dev.styleclip.nn.Gradients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Memory plans beyond the golden cases: StyleSpace gradients (a layer's styles as the variables) recomputed in uneven
 * pieces equal the plain ones for the T and R golden generators, within the golden set's gradient tolerance; a
 * recomputed pass with nothing to differentiate, or never back-propagated, is harmless; the demo architectures are the
 * published ones.
 */
class SynthesisPlanTest {
    private static GoldenGenerators golden;
    private static NDManager manager;
    private static Map<String, StyleGan3Generator> models;
    private static double atol, rtol;

    @BeforeAll
    static void load() throws Exception {
        golden = GoldenGenerators.load();
        manager = golden.manager;
        models = golden.models;
        atol = golden.atol;
        rtol = golden.rtol;
    }

    @AfterAll
    static void close() {
        golden.close();
    }

    /** ∂ Σ(img ⊙ probe) / ∂ styles of every layer, with the styles as leaves, under a plan. */
    private static Map<String, float[]> styleGradients(StyleGan3Generator g, SynthesisPlan plan, NDManager m) {
        NDArray z = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(2, g.zDim()), ai.djl.ndarray.types.DataType.FLOAT32);
        Map<String, NDArray> styles = g.styles(g.mapping(z, 0.7, null));
        for (NDArray s : styles.values()) s.setRequiresGradient(true);
        NDArray probe = m.randomNormal(0, 1, new ai.djl.ndarray.types.Shape(2, 3, g.resolution(), g.resolution()),
                ai.djl.ndarray.types.DataType.FLOAT32);
        try (Gradients gc = Gradients.record()) {
            gc.backward(g.synthesisFromStyles(styles, StyleGan3Generator.Options.with(plan)).mul(probe).sum());
        }
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, NDArray> e : styles.entrySet()) out.put(e.getKey(), e.getValue().getGradient().toFloatArray());
        return out;
    }

    @Test
    void styleSpaceGradientsRecomputedInPiecesEqualThePlainOnes() {
        for (Map.Entry<String, StyleGan3Generator> e : models.entrySet()) {
            StyleGan3Generator g = e.getValue();
            SynthesisPlan pieces = new SynthesisPlan(true, 5 * g.channelBytes(0, 2, true)); // 5 channels: uneven
            for (SynthesisPlan plan : List.of(new SynthesisPlan(true, 0), pieces, new SynthesisPlan(true, 1))) {
                Map<String, float[]> plain, got;
                try (NDManager m = manager.newSubManager()) {
                    m.getEngine().setRandomSeed(7);
                    plain = styleGradients(g, SynthesisPlan.PLAIN, m);
                }
                try (NDManager m = manager.newSubManager()) {
                    m.getEngine().setRandomSeed(7);
                    got = styleGradients(g, plan, m);
                }
                assertEquals(plain.keySet(), got.keySet());
                for (String k : plain.keySet()) {
                    Golden.assertAllClose(got.get(k), plain.get(k), atol, rtol, e.getKey() + " " + plan.describe() + " d/d" + k);
                }
            }
        }
    }

    /** A mapper's step: its output feeds the generator and an L2 term of the same loss (shared graph). */
    private static float[] sharedGraphGradient(StyleGan3Generator g, SynthesisPlan plan) {
        try (NDManager m = manager.newSubManager()) {
            m.getEngine().setRandomSeed(3);
            NDArray w = g.mapping(m.randomNormal(new ai.djl.ndarray.types.Shape(2, g.zDim())), 0.7, null);
            w.setRequiresGradient(true);
            try (Gradients gc = Gradients.record()) {
                NDArray wh = w.mul(w).mul(w); // a graph of its own between the variable and the generator
                NDArray img = g.synthesis(wh, StyleGan3Generator.Options.with(plan));
                gc.backward(img.square().mean().add(wh.sub(w).square().mean()));
            }
            return w.getGradient().toFloatArray();
        }
    }

    @Test
    void aRecomputedPassSharingGraphWithTheRestOfTheLoss() {
        for (Map.Entry<String, StyleGan3Generator> e : models.entrySet()) {
            float[] plain = sharedGraphGradient(e.getValue(), SynthesisPlan.PLAIN);
            float[] recomputed = sharedGraphGradient(e.getValue(), new SynthesisPlan(true, 1));
            Golden.assertAllClose(recomputed, plain, atol, rtol, e.getKey() + ": d loss / d w");
        }
    }

    @Test
    void aRecomputedPassWithNothingToReachOrNeverBackPropagatedIsHarmless() {
        StyleGan3Generator g = models.values().iterator().next();
        try (NDManager m = manager.newSubManager()) {
            NDArray ws = g.mapping(m.randomNormal(new ai.djl.ndarray.types.Shape(1, g.zDim())), 1, null); // a constant
            StyleGan3Generator.Options o = StyleGan3Generator.Options.with(new SynthesisPlan(true, 1));
            try (Gradients gc = Gradients.record()) {
                gc.backward(g.synthesis(ws, o).sum()); // the image is a leaf: its gradient goes nowhere further
            }
            try (Gradients gc = Gradients.record()) {
                NDArray img = g.synthesis(ws, o); // recorded, its checkpoints held by the recording …
                assertEquals(g.resolution(), img.getShape().get(2));
            } // … and freed with it, without a backward
        }
    }

    @Test
    void theDemoArchitecturesAreThePublishedOnes() {
        StyleGan3Config r1024 = new StyleGan3Config(DemoNetworks.kwargs("stylegan3-r-1024"));
        assertEquals(List.of("L0_36_1024", "L1_36_1024", "L2_52_1024", "L3_52_1024", "L4_84_1024", "L5_148_1024",
                "L6_148_1024", "L7_276_645", "L8_276_406", "L9_532_256", "L10_1044_161", "L11_1044_102", "L12_1044_64",
                "L13_1024_64", "L14_1024_3"), r1024.layers.stream().map(StyleGan3Config.LayerSpec::name).toList());
        assertTrue(r1024.useRadialFilters);
        assertEquals(1, r1024.layers.get(0).convKernel());
        StyleGan3Config t1024 = new StyleGan3Config(DemoNetworks.kwargs("stylegan3-t-1024"));
        assertEquals("L10_1044_81", t1024.layers.get(10).name());
        assertEquals(3, t1024.layers.get(0).convKernel());
        assertEquals("L14_256_3", new StyleGan3Config(DemoNetworks.kwargs("stylegan3-t-256")).layers.get(14).name());
        assertEquals(DemoNetworks.demoKwargs(), DemoNetworks.kwargs(DemoNetworks.DEFAULT));
        assertEquals("demo network (random weights, stylegan3-r 512x512 architecture)", DemoNetworks.source("stylegan3-r-512"));
        assertThrows(IllegalArgumentException.class, () -> DemoNetworks.kwargs("stylegan2-1024"));
    }
}
