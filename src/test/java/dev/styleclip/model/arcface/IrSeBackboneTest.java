package dev.styleclip.model.arcface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.Format;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Structure inference on the variants a held-back set may hold, and the ID-loss preprocessing paths. */
class IrSeBackboneTest {

    @BeforeAll
    static void engine() {
        Engines.configureOffline();
    }

    private static TensorStore filtered(TensorStore s, String prefix, Predicate<String> keep) throws ModelFileException {
        MapTensorStore out = new MapTensorStore(s.source(), Format.SAFETENSORS);
        for (String n : s.names()) if (keep.test(n)) out.put(prefix + n, s.get(n));
        return out;
    }

    @Test
    void demoNetworkHasTheIrSe50Architecture() throws Exception {
        try (IrSeBackbone net = IrSeBackbone.demo()) {
            assertEquals("IR-SE 3->64, 24 units in 4 stages [3,4,14,3] 64/128/256/512, 112x112 -> 512", net.describe());
            assertArrayEquals(new int[]{2, 6, 20, 23}, net.stageEnds());
            int[] hidden = net.units().stream().filter(u -> u.stride() == 2).mapToInt(IrSeBackbone.Unit::seHidden).toArray();
            assertArrayEquals(new int[]{4, 8, 16, 32}, hidden);
            int[] stride2 = net.units().stream().filter(u -> u.stride() == 2).mapToInt(IrSeBackbone.Unit::index).toArray();
            assertArrayEquals(new int[]{0, 3, 7, 21}, stride2);
        }
    }

    @Test
    void infersIrModeThreeStagesAndOptionalKeys() throws Exception {
        TensorStore sd = IrSeStateDicts.synthetic(3, 16, new int[]{1, 2, 2}, new int[]{16, 32, 48}, false, 20, 112, 3L);
        try (IrSeBackbone net = IrSeBackbone.load(sd); NDManager m = NDManager.newBaseManager()) {
            assertFalse(net.isSe());
            assertEquals(3, net.stageCount());
            assertArrayEquals(new int[]{0, 2, 4}, net.stageEnds());
            assertEquals(112, net.inputSize());
            assertEquals(20, net.embeddingDim());
            NDArray x = m.randomUniform(-1f, 1f, new Shape(2, 3, 112, 112));
            IrSeBackbone.Trace t = net.trace(x);
            assertEquals(new Shape(2, 48, 14, 14), t.stages().get(2).getShape());
            NDArray f = net.forward(x);
            assertEquals(new Shape(2, 20), f.getShape());
            float[] n = f.square().sum(new int[]{1}).toFloatArray();
            assertEquals(1f, n[0], 1e-5);
            // no num_batches_tracked, BatchNorm1d without affine (= weight 1, bias 0), and a key prefix
            TensorStore stripped = filtered(sd, "facenet.", k -> !k.endsWith("num_batches_tracked")
                    && !k.equals("output_layer.4.weight") && !k.equals("output_layer.4.bias"));
            try (IrSeBackbone net2 = IrSeBackbone.load(stripped)) {
                assertArrayEquals(f.toFloatArray(), net2.forward(x).toFloatArray(), 0f);
            }
        }
    }

    @Test
    void encoderStyleBackboneWithoutOutputLayer() throws Exception {
        TensorStore sd = IrSeStateDicts.synthetic(6, 16, new int[]{2, 1}, new int[]{16, 24}, true, 0, 64, 4L);
        try (IrSeBackbone net = IrSeBackbone.load(filtered(sd, "encoder.", k -> true)); NDManager m = NDManager.newBaseManager()) {
            assertFalse(net.hasOutputLayer());
            assertEquals(6, net.inputChannels());
            assertTrue(net.isSe());
            NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 6, 64, 64));
            NDArray h = net.body(net.inputLayer(x), null);
            assertEquals(new Shape(1, 24, 16, 16), h.getShape());
            assertThrows(IllegalStateException.class, () -> net.forward(x));
        }
    }

    @Test
    void rejectsInconsistentStateDicts() throws Exception {
        TensorStore sd = IrSeStateDicts.synthetic(3, 16, new int[]{1, 1}, new int[]{16, 32}, true, 8, 112, 5L);
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> IrSeBackbone.load(filtered(sd, "", k -> !k.startsWith("body.1.shortcut_layer"))));
        assertTrue(e.getMessage().contains("body.1"), e.getMessage());
        assertThrows(ModelFileException.class, () -> IrSeBackbone.load(filtered(sd, "", k -> !k.startsWith("input_layer"))));
    }

    @Test
    void preprocessingOfMultiplesOf256EqualsBlockMeanThen256() throws Exception {
        TensorStore sd = IrSeStateDicts.synthetic(3, 16, new int[]{1, 1, 1, 1}, new int[]{16, 16, 16, 16}, true, 8, 112, 6L);
        try (IrSeBackbone net = IrSeBackbone.load(sd); IdentityLoss id = new IdentityLoss(net); NDManager m = NDManager.newBaseManager()) {
            for (int k : new int[]{2, 4}) {
                int s = 256 * k;
                NDArray x = m.randomUniform(-1f, 1f, new Shape(1, 3, s, s));
                NDArray pooled = x.reshape(1, 3, 256, k, 256, k).mean(new int[]{5}).mean(new int[]{3});
                float[] a = id.faceInput(x).toFloatArray();
                float[] b = id.faceInput(pooled).toFloatArray();
                Golden.assertAllClose(a, b, 1e-6, 1e-5, "face input " + s);
            }
        }
    }

    @Test
    void adaptivePoolMatrixFollowsTorchBins() {
        double[][] p = IdentityLoss.adaptivePool(188, 112);
        for (double[] row : p) {
            double s = 0;
            int nz = 0;
            for (double v : row) {
                s += v;
                if (v != 0) nz++;
            }
            assertEquals(1.0, s, 1e-12);
            assertTrue(nz == 2 || nz == 3, "bins of 2 or 3");
        }
        // 384 -> 256: start = i*384//256, end = ceil((i+1)*384/256): overlapping 2-wide bins
        double[][] q = IdentityLoss.adaptivePool(384, 256);
        assertEquals(0.5, q[1][1], 0);
        assertEquals(0.5, q[1][2], 0);
    }

    @Test
    void memoryStaysFlatOverManyLossAndGradientSteps() throws Exception {
        TensorStore sd = IrSeStateDicts.synthetic(3, 16, new int[]{1, 1, 1, 1}, new int[]{16, 16, 16, 16}, true, 8, 112, 7L);
        try (IrSeBackbone net = IrSeBackbone.load(sd); IdentityLoss id = new IdentityLoss(net); NDManager m = NDManager.newBaseManager()) {
            NDArray y = m.randomUniform(-1f, 1f, new Shape(1, 3, 256, 256));
            NDArray target = id.features(y);
            int before = -1;
            for (int i = 0; i < 30; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = y.add(0.1f * i);
                    x.attach(step);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = id.lossToFeatures(x, target);
                        gc.backward(l);
                    }
                    assertTrue(Float.isFinite(x.getGradient().sum().getFloat()));
                    int now = step.getManagedArrays().size();
                    if (before < 0) before = now;
                    assertEquals(before, now, "arrays left per step");
                }
            }
        }
    }
}
