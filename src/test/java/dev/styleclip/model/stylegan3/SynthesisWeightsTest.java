package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.Tensor;
import dev.styleclip.nn.Gradients;
import dev.styleclip.runtime.SynthesisPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The weight gradients pivotal tuning needs, on the golden T and R generators: a tunable copy renders as the original,
 * to the bit;
 * the gradients of every synthesis weight are the same from a recorded graph and from the recomputed backward, whole or
 * in uneven channel chunks and row bands, at batch 2 (exactly so in float64, and float32 close to float64); they match
 * central finite differences (float64); the original generator
 * is never touched; a network rebuilt from a copy's weights renders as the copy, to the bit.
 */
class SynthesisWeightsTest {
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

    private static NDArray ws(StyleGan3Generator g, NDManager m, int n) {
        m.getEngine().setRandomSeed(11);
        NDArray z = m.randomNormal(0, 1, new Shape(n, g.zDim()), DataType.FLOAT32);
        return g.mapping(z, 0.7, null);
    }

    private static NDArray probe(StyleGan3Generator g, NDManager m, int n) {
        m.getEngine().setRandomSeed(12);
        return m.randomNormal(0, 1, new Shape(n, 3, g.resolution(), g.resolution()), DataType.FLOAT32);
    }

    /** ∂ Σ(G(ws) ⊙ probe) / ∂ every tunable weight of the copy, under a plan (ws is a constant). */
    private static Map<String, float[]> weightGradients(StyleGan3Generator copy, SynthesisPlan plan, int n) {
        SynthesisWeights weights = copy.tunableWeights();
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager m = manager.newSubManager(); SynthesisWeights.Tracking t = weights.track(m)) {
            NDArray ws = ws(copy, m, n);
            NDArray probe = probe(copy, m, n).toType(copy.dataType(), false);
            try (Gradients rec = Gradients.record()) {
                rec.backward(copy.synthesis(ws, StyleGan3Generator.Options.with(plan)).mul(probe).sum());
            }
            for (String name : weights.names()) out.put(name, t.gradient(name).toType(DataType.FLOAT32, false).toFloatArray());
        }
        return out;
    }

    private static double loss(StyleGan3Generator g, int n) {
        try (NDManager m = manager.newSubManager()) {
            NDArray img = g.synthesis(ws(g, m, n), StyleGan3Generator.Options.with(SynthesisPlan.PLAIN));
            return img.mul(probe(g, m, n).toType(img.getDataType(), false)).sum().toType(DataType.FLOAT64, false).getDouble();
        }
    }

    private static float[] image(StyleGan3Generator g) {
        try (NDManager m = manager.newSubManager()) {
            return g.synthesis(ws(g, m, 2)).toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    @Test
    void aTunableCopyRendersAsTheOriginal() throws Exception {
        for (StyleGan3Generator g : models.values()) {
            try (StyleGan3Generator copy = g.tunableCopy(manager)) {
                assertArrayEquals(image(g), image(copy), g.source() + ": the tunable copy renders to the bit");
                assertEquals(copy.tunableNames().size(), copy.tunableWeights().names().size());
                assertEquals(copy.tunableCount(), copy.tunableWeights().count());
            }
            assertThrows(IllegalStateException.class, g::tunableWeights, "a fixed generator has no weights to tune");
        }
    }

    /**
     * In float64 every plan gives the recorded graph's gradients to rounding (the pieces are exact); in float32 they agree
     * to a small part of each tensor's largest gradient: a pre-activation within rounding of the leaky ReLU's kink can
     * take the other branch in float32 (either path), which moves a sum over pixels by that pixel's gradient — on the R
     * model up to 2.3e-3 of a tensor's scale (measured against float64), on T far less.
     */
    @Test
    void weightGradientsRecomputedInPiecesEqualTheRecordedOnes() throws Exception {
        for (StyleGan3Generator g : models.values()) {
            float[] before = image(g);
            SynthesisPlan pieces = new SynthesisPlan(true, 5 * g.channelBytes(0, 2, true)); // 5 channels: uneven
            SynthesisPlan smallest = new SynthesisPlan(true, 1); // one channel, one row
            Map<String, float[]> exact;
            try (StyleGan3Generator twin = g.toFloat64(manager); StyleGan3Generator copy64 = twin.tunableCopy(manager)) {
                exact = weightGradients(copy64, SynthesisPlan.PLAIN, 2);
                for (SynthesisPlan plan : List.of(pieces, smallest)) {
                    Map<String, float[]> got = weightGradients(copy64, plan, 2);
                    for (String name : exact.keySet()) {
                        assertClose(got.get(name), exact.get(name), 1e-6, g.source() + " float64, " + plan.describe() + " " + name);
                    }
                }
            }
            try (StyleGan3Generator copy = g.tunableCopy(manager)) {
                for (SynthesisPlan plan : List.of(SynthesisPlan.PLAIN, smallest)) {
                    Map<String, float[]> got = weightGradients(copy, plan, 2);
                    for (String name : exact.keySet()) {
                        assertClose(got.get(name), exact.get(name), 5e-3, g.source() + " float32, " + plan.describe() + " " + name);
                    }
                }
            }
            assertArrayEquals(before, image(g), "the original generator changed");
        }
    }

    /** Every value within {@code share} of the expected tensor's largest magnitude, which must not be zero. */
    private static void assertClose(float[] actual, float[] expected, double share, String what) {
        double scale = 0;
        for (float v : expected) scale = Math.max(scale, Math.abs(v));
        assertTrue(scale > 0, what + ": the expected gradient is all zero");
        Golden.assertAllClose(actual, expected, share * scale, 0, what);
    }

    @Test
    void weightGradientsMatchFiniteDifferences() throws Exception {
        StyleGan3Generator g = models.values().iterator().next();
        try (StyleGan3Generator twin = g.toFloat64(manager); StyleGan3Generator copy = twin.tunableCopy(manager)) {
            Map<String, float[]> grads = weightGradients(copy, new SynthesisPlan(true, 1), 1);
            List<String> names = copy.tunableNames();
            List<String> probed = new ArrayList<>(names.subList(names.size() - 8, names.size())); // the last layer and ToRGB
            probed.addAll(names.subList(16, 20));
            SynthesisWeights weights = copy.tunableWeights();
            for (String name : probed) {
                NDArray p = weights.parameter(name);
                double[] v = p.toDoubleArray();
                float[] grad = grads.get(name);
                int k = 0;
                for (int i = 1; i < grad.length; i++) if (Math.abs(grad[i]) > Math.abs(grad[k])) k = i;
                double h = 1e-6 * Math.max(1, Math.abs(v[k]));
                double[] plus = v.clone();
                plus[k] += h;
                double[] minus = v.clone();
                minus[k] -= h;
                p.set(plus);
                double lp = loss(copy, 1);
                p.set(minus);
                double lm = loss(copy, 1);
                p.set(v);
                double fd = (lp - lm) / (plus[k] - minus[k]);
                assertEquals(grad[k], fd, 1e-4 * Math.abs(grad[k]) + 1e-5, name + "[" + k + "]: backward vs finite difference");
            }
        }
    }

    @Test
    void aNetworkRebuiltFromTheWeightsRendersAsTheCopy() throws Exception {
        StyleGan3Generator g = models.values().iterator().next();
        float[] before = image(g);
        try (StyleGan3Generator copy = g.tunableCopy(manager)) {
            // unchanged weights: the rebuilt network is the original, exactly
            try (StyleGan3Generator same = g.withSynthesisWeights(copy.tunableWeights().snapshot(), manager)) {
                assertArrayEquals(before, image(same));
            }
            SynthesisWeights w = copy.tunableWeights();
            for (String name : w.names()) {
                NDArray p = w.parameter(name);
                try (NDArray noise = p.getManager().randomNormal(0, 0.05f, p.getShape(), DataType.FLOAT32)) {
                    p.addi(noise);
                }
            }
            List<Tensor> tuned = w.snapshot();
            float[] copyImage = image(copy);
            assertFalse(java.util.Arrays.equals(copyImage, before), "changing the weights changed nothing");
            try (StyleGan3Generator rebuilt = g.withSynthesisWeights(tuned, manager)) {
                assertArrayEquals(copyImage, image(rebuilt), "rebuilt from the tuned weights");
                Tensor w0 = rebuilt.tensors().get(tuned.get(0).name());
                assertArrayEquals(tuned.get(0).toFloatArray(), w0.toFloatArray());
            }
            try (StyleGan3Generator twin = copy.toFloat64(manager)) {
                Golden.assertAllClose(image(twin), copyImage, 1e-4, 1e-4, "the float64 twin carries the tuned weights");
            }
        }
        assertArrayEquals(before, image(g), "the original generator changed");
        assertThrows(dev.styleclip.io.ModelFileException.class, () -> g.withSynthesisWeights(
                List.of(Tensor.ofFloats("synthesis.input.weight", new long[]{1}, new float[1])), manager));
    }
}
