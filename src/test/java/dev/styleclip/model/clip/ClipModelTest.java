package dev.styleclip.model.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Properties of the CLIP implementation beyond the golden values: memory, batching, errors, the front end. */
class ClipModelTest {
    private static NDManager manager;
    private static ClipModel tiny;

    @BeforeAll
    static void start() throws Exception {
        Engines.configureOffline();
        manager = Engines.pytorch().newBaseManager();
        String file = Golden.manifest("clip").path("models").path("tiny").path("file").asText();
        tiny = ClipModel.load(ClipGoldenTest.modelStore(Golden.set("clip").resolve(file)), manager);
    }

    @AfterAll
    static void stop() {
        if (tiny != null) tiny.close();
        if (manager != null) manager.close();
    }

    private static int count(NDManager m) {
        return ((BaseNDManager) m).getManagedArrays().size();
    }

    @Test
    void memoryStaysFlatOverManyCalls() {
        int r = tiny.inputResolution();
        long[][] tokens = ClipTokenizer.standard().tokenize(List.of("a smiling face", "sad"), 77);
        StyleClipFrontEnd front = new StyleClipFrontEnd(2 * r, r);
        try (NDManager m = manager.newSubManager()) {
            NDArray raw = m.randomUniform(-1, 1, new Shape(2, 3, 2L * r, 2L * r));
            int modelBefore = count(tiny.manager());
            int before = -1;
            for (int i = 0; i < 6; i++) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = raw.duplicate();
                    x.attach(step);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = tiny.styleClipLoss(tiny.encodeImage(front.apply(x)), tiny.encodeText(tokens, step));
                        gc.backward(loss.mean());
                    }
                    assertNotNull(x.getGradient());
                    int now = count(step);
                    if (before < 0) before = now;
                    assertEquals(before, now, "arrays left in the caller's manager after step " + i);
                }
                assertEquals(modelBefore, count(tiny.manager()), "arrays added to the model's manager");
            }
            // x, pooled, image and text features, loss, its mean, the gradient (and DJL's bookkeeping arrays)
            assertTrue(before <= 9, "a step leaves only its results in the caller's manager, found " + before);
        }
    }

    @Test
    void batchedEqualsOneByOne() {
        int r = tiny.inputResolution();
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.randomNormal(new Shape(3, 3, r, r));
            float[] batched = tiny.encodeImage(x).toFloatArray();
            int d = tiny.config().embedDim();
            for (int i = 0; i < 3; i++) {
                float[] one = tiny.encodeImage(x.get(i + ":" + (i + 1))).toFloatArray();
                for (int k = 0; k < d; k++) assertEquals(batched[i * d + k], one[k], 1e-5, "image " + i);
            }
            long[][] tokens = ClipTokenizer.standard().tokenize(List.of("lush beard", "a face with blue hair"), 77);
            float[] both = tiny.encodeText(tokens, m).toFloatArray();
            float[] second = tiny.encodeText(new long[][]{tokens[1]}, m).toFloatArray();
            for (int k = 0; k < d; k++) assertEquals(both[d + k], second[k], 1e-5);
            // int32 token arrays are accepted too (clip.tokenize returns int32)
            int[] t32 = ClipTokenizer.standard().tokenize("lush beard", 77);
            float[] viaNd = tiny.encodeText(m.create(t32, new Shape(1, 77))).toFloatArray();
            for (int k = 0; k < d; k++) assertEquals(both[k], viaNd[k], 1e-6);
        }
    }

    @Test
    void sameArrayForImageAndTextFeaturesIsSafe() {
        try (NDManager m = manager.newSubManager()) {
            NDArray f = m.randomNormal(new Shape(2, tiny.config().embedDim()));
            float[] cos = ClipModel.cosine(f, f).toFloatArray();
            assertEquals(1f, cos[0], 1e-5);
            assertEquals(0f, tiny.styleClipLoss(f, f).toFloatArray()[3], 1e-5);
            assertEquals(100f, tiny.logitsPerImage(f, f).toFloatArray()[0], 1e-3);
            assertEquals(2 * tiny.config().embedDim(), f.toFloatArray().length); // still open
        }
    }

    @Test
    void textFeaturesWithAndWithoutTraceAgree() {
        // without a trace the text transformer runs only up to the last end token (causal mask): same features
        long[][] tokens = ClipTokenizer.standard().tokenize(List.of("sad", "a face with blue hair", "x <|endoftext|> y"), 77);
        try (NDManager m = manager.newSubManager()) {
            float[] fast = tiny.encodeText(tokens, m).toFloatArray();
            float[] full = tiny.encodeText(tokens, m, new java.util.HashMap<>()).toFloatArray();
            for (int k = 0; k < fast.length; k++) assertEquals(full[k], fast[k], 2e-6, "element " + k);
        }
    }

    @Test
    void rejectsBadInput() {
        try (NDManager m = manager.newSubManager()) {
            assertThrows(IllegalArgumentException.class, () -> tiny.encodeImage(m.zeros(new Shape(1, 3, 31, 31))));
            assertThrows(IllegalArgumentException.class, () -> tiny.encodeText(new long[][]{new long[76]}, m));
            long[] badId = new long[77];
            badId[3] = 49408;
            assertThrows(IllegalArgumentException.class, () -> tiny.encodeText(new long[][]{badId}, m));
        }
        MapTensorStore notClip = new MapTensorStore("x.safetensors", Format.SAFETENSORS);
        notClip.put(Tensor.ofFloats("weight", new long[]{1}, new float[]{1}));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ClipModel.load(notClip, manager));
        assertTrue(e.getMessage().contains("not a CLIP model"), e.getMessage());
        ClipConfig small = new ClipConfig(16, 32, 1, 64, 16, 8, 49408, 64, 1, 1);
        MapTensorStore broken = new MapTensorStore("broken.pt", Format.TORCHSCRIPT);
        for (Tensor t : ClipDemo.store(small, 1).tensors()) {
            broken.put(t.name().equals("transformer.resblocks.0.mlp.c_fc.weight")
                    ? Tensor.ofFloats(t.name(), new long[]{3, 3}, new float[9]) : t);
        }
        e = assertThrows(ModelFileException.class, () -> ClipModel.load(broken, manager));
        assertTrue(e.getMessage().contains("transformer.resblocks.0.mlp.c_fc.weight has shape [3, 3]"), e.getMessage());
        MapTensorStore resnet = new MapTensorStore("RN50.pt", Format.TORCHSCRIPT);
        resnet.put(Tensor.ofFloats("visual.layer1.0.conv1.weight", new long[]{1}, new float[]{1}));
        e = assertThrows(ModelFileException.class, () -> ClipModel.load(resnet, manager));
        assertTrue(e.getMessage().contains("ResNet"), e.getMessage());
    }

    @Test
    void configIsInferredFromShapesForOtherSizes() throws Exception {
        ClipConfig c = new ClipConfig(48, 48, 3, 192, 16, 20, 49408, 128, 2, 1);
        TensorStore store = ClipDemo.store(c, 7);
        assertEquals(c, ClipConfig.infer(store));
        try (ClipModel m = ClipDemo.create(c, 7, manager); NDManager sub = manager.newSubManager()) {
            assertEquals(3, m.config().visionHeads());
            float[] f = m.encodeImage(sub.randomNormal(new Shape(2, 3, 48, 48))).toFloatArray();
            assertEquals(2 * 48, f.length);
            long[][] tokens = ClipTokenizer.standard().tokenize(List.of("a b c " .repeat(10)), 20);
            assertEquals(ClipTokenizer.standard().eot(), tokens[0][19]);
            assertEquals(48, m.encodeText(tokens, sub).toFloatArray().length);
            assertEquals(100f, m.logitScaleExp(), 1e-4);
        }
    }

    @Test
    void frontEndEqualsNearestUpsampleThenAveragePool() {
        int[][] sizes = {{64, 32}, {32, 32}, {48, 32}, {32, 224}, {40, 24}};
        Random rnd = new Random(3);
        try (NDManager m = manager.newSubManager()) {
            for (int[] sz : sizes) {
                int s = sz[0];
                int r = sz[1];
                StyleClipFrontEnd f = new StyleClipFrontEnd(s, r);
                assertEquals(0, (f.upsample() * s) % r);
                assertEquals(f.upsample() * s, f.kernel() * r);
                float[] x = new float[2 * s * s];
                for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
                float[] got = f.apply(m.create(x, new Shape(1, 2, s, s))).toFloatArray();
                int u = f.upsample();
                int k = f.kernel();
                for (int c = 0; c < 2; c++) {
                    for (int i = 0; i < r; i++) {
                        for (int j = 0; j < r; j++) {
                            double sum = 0;
                            for (int a = 0; a < k; a++) {
                                for (int b = 0; b < k; b++) {
                                    sum += x[c * s * s + ((i * k + a) / u) * s + (j * k + b) / u];
                                }
                            }
                            assertEquals(sum / (k * k), got[c * r * r + i * r + j], 1e-5, s + "->" + r);
                        }
                    }
                }
            }
            assertEquals(7, StyleClipFrontEnd.upsampleFactor(1024, 224));
            assertEquals(32, StyleClipFrontEnd.poolKernel(1024, 224));
            assertEquals(2, StyleClipFrontEnd.upsampleFactor(48, 32));
        }
    }

    @Test
    void normalisedFrontEndMapsToClipRange() {
        try (NDManager m = manager.newSubManager()) {
            StyleClipFrontEnd f = new StyleClipFrontEnd(8, 4, true);
            float[] out = f.apply(m.ones(new Shape(1, 3, 8, 8))).toFloatArray();
            for (int c = 0; c < 3; c++) {
                assertEquals((1 - ClipPreprocess.MEAN[c]) / ClipPreprocess.STD[c], out[c * 16], 1e-5);
            }
            NDArray raw = m.randomUniform(-1, 1, new Shape(1, 3, 8, 8));
            raw.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(f.apply(raw).sum());
            }
            float[] g = raw.getGradient().toFloatArray();
            assertEquals(0.5f / 4 / ClipPreprocess.STD[0], g[0], 1e-5);
        }
    }

    @Test
    void textEmbeddingCacheEncodesEachPromptOnce() {
        TextEmbeddingCache cache = new TextEmbeddingCache(8);
        try (NDManager m = manager.newSubManager()) {
            float[] a = cache.features(tiny, List.of("lush beard", "sad"), m).toFloatArray();
            assertEquals(2, cache.misses());
            float[] b = cache.features(tiny, List.of("sad", "lush beard", "joker"), m).toFloatArray();
            assertEquals(3, cache.misses());
            assertEquals(2, cache.hits());
            int d = tiny.config().embedDim();
            for (int k = 0; k < d; k++) {
                assertEquals(a[k], b[d + k]);
                assertEquals(a[d + k], b[k]);
            }
            float[] direct = tiny.encodeText(List.of("joker"), m).toFloatArray();
            for (int k = 0; k < d; k++) assertEquals(direct[k], b[2 * d + k], 1e-6);
            assertThrows(IllegalArgumentException.class, () -> cache.get(tiny, "  "));
        }
    }
}
