package dev.styleclip.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.GoldenModelFiles;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.StyleClipFrontEnd;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GC safety of every differentiable path (see {@link Nd} and docs/stack.md "Autograd and arrays made from Java data"):
 * the gradient computed with a garbage collection (and fresh direct buffers full of NaN reusing freed native memory)
 * between forward and backward must be bit-identical to the one computed with backward right after forward.
 */
class GcSafetyTest {
    private static final int GC_ROUNDS = 3;
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        Engines.configureOffline();
        manager = Engines.pytorch().newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    // ------------------------------------------------------------------ the rule itself

    @Test
    void ndHelpersSurviveGcBeforeBackward() throws Exception {
        for (int i = 0; i < 10; i++) {
            try (NDManager s = manager.newSubManager()) {
                NDArray x = Nd.constant(s, new float[]{1, 2, 3}, new Shape(3));
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray y;
                    try (NDManager f = s.newSubManager()) {
                        NDArray c = Nd.constant(f, new float[]{5, 6, 7}, new Shape(3));
                        y = Nd.div(Nd.pow(Nd.mul(x.mul(c), 2f), 1.0), 1.0f).sum();
                        y.attach(s);
                    }
                    List<ByteBuffer> hold = gcPressure();
                    gc.backward(y);
                    hold.clear();
                }
                assertArrayEquals(new float[]{10, 12, 14}, x.getGradient().toFloatArray(), "iteration " + i);
            }
        }
    }

    @Test
    void scalarMatchesDjlScalarOps() {
        try (NDManager s = manager.newSubManager()) {
            NDArray x = s.randomNormal(new Shape(4, 5));
            NDArray m0 = x.square().mean();
            assertArrayEquals(x.mul(1.702f).toFloatArray(), Nd.mul(x, 1.702f).toFloatArray());
            assertArrayEquals(x.div(7.0).toFloatArray(), Nd.div(x, 7.0).toFloatArray());
            assertArrayEquals(m0.pow(-0.5).toDoubleArray(), Nd.pow(m0, -0.5).toDoubleArray());
            assertEquals(m0.pow(-0.5).getDataType(), Nd.pow(m0, -0.5).getDataType());
            assertArrayEquals(x.add(1e-8f).toFloatArray(), Nd.add(x, 1e-8f).toFloatArray());
            assertEquals(DataType.FLOAT64, Nd.scalar(s, 0.1, DataType.FLOAT64).getDataType());
            assertEquals(0.1, Nd.scalar(s, 0.1, DataType.FLOAT64).toDoubleArray()[0]);
        }
    }

    // ------------------------------------------------------------------ the networks

    @Test
    void generatorGradient() throws Exception {
        Path pkl = Golden.set("stylegan3").resolve("models/sg3t-32.pkl");
        try (NDManager mm = manager.newSubManager()) {
            StyleGan3Generator g = StyleGan3Generator.load(ModelFiles.open(pkl).object("G_ema"), mm);
            int res = g.resolution();
            float[] z = random(2 * g.zDim(), 1);
            float[] weights = random(2 * 3 * res * res, 2);
            // ws (W+ path: synthesis only)
            float[] ws;
            try (NDManager s = mm.newSubManager()) {
                ws = g.mapping(Nd.constant(s, z, new Shape(2, g.zDim())), 0.7, null).toFloatArray();
            }
            assertGcSafe("generator ws", ws, new Shape(2, g.numWs(), g.wDim()), v -> {
                NDArray img = g.synthesis(v);
                return img.mul(Nd.constant(img.getManager(), weights, img.getShape())).sum();
            });
            // z (mapping with truncation + synthesis)
            assertGcSafe("generator z", z, new Shape(2, g.zDim()), v -> {
                NDArray img = g.synthesis(g.mapping(v, 0.7, null));
                return img.mul(Nd.constant(img.getManager(), weights, img.getShape())).sum();
            });
        }
    }

    @Test
    void clipGradient() throws Exception {
        Path pt = Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt");
        try (NDManager mm = manager.newSubManager()) {
            ClipModel clip = ClipModel.load(ModelFiles.open(pt).main(), mm);
            int r = clip.inputResolution();
            int size = 2 * r;
            StyleClipFrontEnd plain = new StyleClipFrontEnd(size, r);
            StyleClipFrontEnd normalized = new StyleClipFrontEnd(size, r, true);
            int d = clip.config().embedDim();
            float[] text = random(2 * d, 3);
            float[] img = random(2 * 3 * size * size, 4);
            for (StyleClipFrontEnd fe : List.of(plain, normalized)) {
                assertGcSafe("clip (normalize " + fe.normalized() + ")", img, new Shape(2, 3, size, size), v -> {
                    NDArray f = clip.encodeImage(fe.apply(v));
                    NDArray t = Nd.constant(v.getManager(), text, new Shape(2, d));
                    return clip.styleClipLoss(f, t).sum().add(ClipModel.cosine(f, t).sum())
                            .add(clip.logitsPerImage(f, t).sum());
                });
            }
        }
    }

    @Test
    void identityLossGradient() throws Exception {
        Path pth = Golden.set("idloss").resolve("models/irse_tiny_a.pth");
        try (IrSeBackbone backbone = IrSeBackbone.load(GoldenModelFiles.stateDict(pth));
             IdentityLoss id = new IdentityLoss(backbone)) {
            int size = 64;
            float[] src = random(3 * size * size, 5);
            float[] img = random(2 * 3 * size * size, 6);
            float[] target;
            try (NDManager s = manager.newSubManager()) {
                NDArray t = id.features(Nd.constant(s, src, new Shape(1, 3, size, size)));
                target = t.broadcast(new Shape(2, t.getShape().get(1))).toFloatArray();
            }
            long e = target.length / 2;
            assertGcSafe("id loss", img, new Shape(2, 3, size, size), v ->
                    id.lossToFeatures(v, Nd.constant(v.getManager(), target, new Shape(2, e))));
        }
    }

    @Test
    void lpipsGradient() throws Exception {
        Path dir = Golden.set("lpips").resolve("models");
        try (Lpips lpips = Lpips.load(GoldenModelFiles.stateDict(dir.resolve("lpips_vgg_tiny_a_vgg16.pth")),
                GoldenModelFiles.stateDict(dir.resolve("lpips_vgg_tiny_a_lin.pth")))) {
            int size = Math.max(32, lpips.minInputSize());
            float[] a = random(2 * 3 * size * size, 7);
            float[] b = random(2 * 3 * size * size, 8);
            Shape sh = new Shape(2, 3, size, size);
            assertGcSafe("lpips pair", a, sh, v -> lpips.distance(v, Nd.constant(v.getManager(), b, sh)).sum());
            try (NDManager s = manager.newSubManager(); Lpips.Target t = lpips.target(Nd.constant(s, b, sh))) {
                assertGcSafe("lpips target", a, sh, v -> lpips.distance(v, t).sum());
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The gradient of {@code loss(v)} w.r.t. v (data, shape), once with backward right after forward and
     * {@value #GC_ROUNDS} times with GC pressure in between: all bit-identical and finite.
     */
    static void assertGcSafe(String what, float[] data, Shape shape, Function<NDArray, NDArray> loss) throws Exception {
        float[] ref = gradient(data, shape, loss, false);
        for (float x : ref) assertTrue(Float.isFinite(x), what + ": reference gradient is finite");
        boolean nonZero = false;
        for (float x : ref) nonZero |= x != 0;
        assertTrue(nonZero, what + ": gradient is not all zero");
        for (int i = 0; i < GC_ROUNDS; i++) {
            assertArrayEquals(ref, gradient(data, shape, loss, true), what + ": gradient after a GC, round " + i);
        }
    }

    private static float[] gradient(float[] data, Shape shape, Function<NDArray, NDArray> loss, boolean gc) throws Exception {
        try (NDManager s = manager.newSubManager()) {
            NDArray v = Nd.constant(s, data, shape);
            v.setRequiresGradient(true);
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray l;
                try (NDManager f = s.newSubManager()) { // the forward's temporaries are closed before backward
                    NDArray in = v.reshape(shape); // a differentiable alias, in the forward's manager
                    in.attach(f);
                    l = loss.apply(in).reshape(new Shape());
                    l.attach(s);
                }
                List<ByteBuffer> hold = gc ? gcPressure() : List.of();
                c.backward(l);
                hold.size();
            }
            return v.getGradient().toFloatArray();
        }
    }

    /** A forced GC, then direct buffers of many sizes full of NaN (held until the caller drops them). */
    static List<ByteBuffer> gcPressure() throws InterruptedException {
        byte[][] junk = new byte[32][];
        for (int k = 0; k < junk.length; k++) junk[k] = new byte[1 << 20];
        junk = null;
        System.gc();
        Thread.sleep(20);
        System.gc();
        Thread.sleep(10);
        List<ByteBuffer> hold = new ArrayList<>();
        for (int size = 16; size <= (1 << 18); size *= 2) {
            for (int k = 0; k < 8; k++) {
                ByteBuffer b = ByteBuffer.allocateDirect(size);
                while (b.remaining() >= 4) b.putFloat(Float.NaN);
                hold.add(b);
            }
        }
        return hold;
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) r.nextGaussian() * 0.5f;
        return out;
    }
}
