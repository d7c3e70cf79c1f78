package dev.styleclip.model.lpips;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.Format;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LpipsTest {

    @BeforeAll
    static void engine() {
        Engines.configureOffline();
    }

    @Test
    void bundledLinWeightsAreTheRealV01File() throws Exception {
        TensorStore lin = Lpips.bundledLin();
        TensorStore expected = Golden.tensors(Golden.set("lpips").resolve("models/real_v0.1/vgg.state_dict.safetensors"));
        assertEquals(expected.names(), lin.names());
        for (String n : expected.names()) assertArrayEquals(expected.get(n).toFloatArray(), lin.get(n).toFloatArray(), 0f, n);
        assertTrue(Lpips.class.getResource("LICENSE-lpips") != null, "licence bundled with the weights");
        assertTrue(Lpips.class.getResource("vgg.pth") != null, "original file bundled");
    }

    @Test
    void demoHasTheVgg16Widths() {
        try (Lpips lp = Lpips.demo()) {
            assertArrayEquals(new int[]{64, 128, 256, 512, 512}, lp.trunk().tapWidths());
            assertEquals(14_714_688L, lp.trunk().parameterCount()); // torchvision vgg16 features
        }
    }

    private static Lpips small() throws ModelFileException {
        int[] w = {8, 12, 16, 16, 16};
        MapTensorStore lin = new MapTensorStore("lin", Format.SAFETENSORS);
        for (int k = 0; k < 5; k++) {
            float[] v = new float[w[k]];
            for (int i = 0; i < v.length; i++) v[i] = 0.1f + 0.01f * i;
            lin.put(Tensor.ofFloats("lin" + k + ".model.1.weight", new long[]{1, w[k], 1, 1}, v));
        }
        return Lpips.load(Lpips.syntheticVgg16(w, 9L), lin);
    }

    @Test
    void smallNonSquareImagesAndGradientsWrtBothInputs() throws Exception {
        try (Lpips lp = small(); NDManager m = NDManager.newBaseManager()) {
            assertEquals(16, lp.minInputSize());
            NDArray a = m.randomUniform(-1f, 1f, new Shape(2, 3, 32, 48));
            NDArray b = m.randomUniform(-1f, 1f, new Shape(2, 3, 32, 48));
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray d = lp.distance(a, b);
                assertEquals(new Shape(2, 1, 1, 1), d.getShape());
                gc.backward(d.sum());
            }
            for (NDArray g : new NDArray[]{a.getGradient(), b.getGradient()}) {
                float s = g.abs().sum().getFloat();
                assertTrue(Float.isFinite(s) && s > 0, "gradient " + s);
            }
            // symmetric, zero for identical images
            float[] ab = lp.distance(a.stopGradient(), b.stopGradient()).toFloatArray();
            float[] ba = lp.distance(b.stopGradient(), a.stopGradient()).toFloatArray();
            assertArrayEquals(ab, ba, 1e-6f);
            assertEquals(0f, lp.distance(a.stopGradient(), a.stopGradient()).sum().getFloat(), 0f);
            NDArray same = b.stopGradient();
            assertEquals(0f, lp.distance(same, same).sum().getFloat(), 0f);
            assertEquals(m, same.getManager(), "the input goes back to its manager");
            assertThrows(IllegalArgumentException.class, () -> lp.distance(m.zeros(new Shape(1, 3, 8, 8)), m.zeros(new Shape(1, 3, 8, 8))));
            assertThrows(IllegalArgumentException.class, () -> lp.distance(a, m.zeros(new Shape(2, 3, 32, 32))));
        }
    }

    @Test
    void allZeroFeaturePixelsGiveFiniteGradients() throws Exception {
        // a trunk whose first ReLU is dead for inputs in [-1, 1]: every tap is all zero; the
        // infinite sqrt derivative there must not leak NaN through the (inactive) ReLUs
        int[] w = {8, 12, 16, 16, 16};
        TensorStore vgg = Lpips.syntheticVgg16(w, 2L);
        MapTensorStore dead = new MapTensorStore("dead", Format.SAFETENSORS);
        for (Tensor t : vgg.tensors()) {
            if (t.name().equals("features.0.bias")) {
                float[] v = new float[w[0]];
                java.util.Arrays.fill(v, -100f);
                dead.put(Tensor.ofFloats(t.name(), t.shape(), v));
            } else {
                dead.put(t);
            }
        }
        MapTensorStore lin = new MapTensorStore("lin", Format.SAFETENSORS);
        for (int k = 0; k < 5; k++) lin.put(Tensor.ofFloats("lin" + k + ".model.1.weight", new long[]{1, w[k], 1, 1}, new float[w[k]]));
        try (Lpips lp = Lpips.load(dead, lin); NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.randomUniform(-1f, 1f, new Shape(1, 3, 32, 32));
            NDArray b = m.randomUniform(-1f, 1f, new Shape(1, 3, 32, 32));
            a.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray d = lp.distance(a, b);
                assertEquals(0f, d.getFloat(0, 0, 0, 0), 0f);
                gc.backward(d);
            }
            assertEquals(0f, a.getGradient().abs().sum().getFloat(), 0f);
        }
    }

    @Test
    void memoryStaysFlatAndTargetPathMatches() throws Exception {
        try (Lpips lp = small(); NDManager m = NDManager.newBaseManager()) {
            NDArray b = m.randomUniform(-1f, 1f, new Shape(1, 3, 32, 32));
            try (Lpips.Target t = lp.target(b)) {
                int before = -1;
                for (int i = 0; i < 20; i++) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray a = b.add(0.05f * (i + 1));
                        a.attach(step);
                        a.setRequiresGradient(true);
                        float viaTarget;
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray d = lp.distance(a, t);
                            viaTarget = d.getFloat(0, 0, 0, 0);
                            gc.backward(d);
                        }
                        assertEquals(lp.distance(a.stopGradient(), b).getFloat(0, 0, 0, 0), viaTarget, 1e-6f);
                        int now = step.getManagedArrays().size();
                        if (before < 0) before = now;
                        assertEquals(before, now, "arrays left per step");
                    }
                }
                assertEquals(1, m.getManagedArrays().size(), "only b is left in the caller's manager");
            }
        }
    }

    @Test
    void rejectsMismatchedLinWeights() throws Exception {
        MapTensorStore lin = new MapTensorStore("lin", Format.SAFETENSORS);
        for (int k = 0; k < 5; k++) lin.put(Tensor.ofFloats("lin" + k + ".model.1.weight", new long[]{1, 4, 1, 1}, new float[4]));
        ModelFileException e = assertThrows(ModelFileException.class, () -> Lpips.load(Lpips.syntheticVgg16(new int[]{8, 12, 16, 16, 16}, 1L), lin));
        assertTrue(e.getMessage().contains("lin0.model.1.weight"), e.getMessage());
    }
}
