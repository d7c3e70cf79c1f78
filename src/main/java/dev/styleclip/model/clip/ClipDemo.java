package dev.styleclip.model.clip;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.DType;
import dev.styleclip.io.Format;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.SplittableRandom;

/**
 * A demo CLIP with deterministic random weights, for running the app and the benchmarks without the real checkpoint.
 * It is built as a state dict ({@link #store}) and loaded through {@link ClipModel#load} like a real file. Its
 * similarities are meaningless. Weights are uniform with the standard deviations of CLIP's
 * {@code initialize_parameters} (uniform rather than normal only because it is much faster to draw);
 * {@code logit_scale = ln 100} as in the released models.
 *
 * <p>The full ViT-B/32 size ({@link #VIT_B_32}, 151 M parameters) takes about 1.2–2.5 s to build and load on the
 * 2-core development machine (measured by {@code bench clip}), with a peak RSS of about 1.9 GB (the weights exist
 * once in the Java heap while building, once as native float32 tensors); it is only built on demand.
 */
public final class ClipDemo {

    /** OpenAI's ViT-B/32 architecture: embed 512, vision 768 × 12 layers, patch 32 at 224 px, text 512 × 12 layers. */
    public static final ClipConfig VIT_B_32 = new ClipConfig(512, 224, 12, 768, 32, 77, 49408, 512, 8, 12);

    /** The source name demo models report. */
    public static final String SOURCE_PREFIX = "demo network";

    private ClipDemo() {
    }

    /** The ViT-B/32-sized demo network with seed 0. */
    public static ClipModel create(NDManager manager) {
        return create(VIT_B_32, 0L, manager);
    }

    /** A demo network of the given architecture and seed. */
    public static ClipModel create(ClipConfig config, long seed, NDManager manager) {
        try {
            return ClipModel.load(store(config, seed), manager);
        } catch (ModelFileException e) {
            throw new IllegalStateException("demo CLIP does not load: " + e.getMessage(), e);
        }
    }

    /** The demo state dict (CLIP's names and shapes; tensors are generated when first read). */
    public static TensorStore store(ClipConfig c, long seed) {
        String source = SOURCE_PREFIX + " (random weights, seed " + seed + ", " + c.describe() + ")";
        MapTensorStore s = new MapTensorStore(source, Format.SAFETENSORS);
        int vw = c.visionWidth();
        int tw = c.transformerWidth();
        double vs = Math.pow(vw, -0.5);
        double ts = Math.pow(tw, -0.5);
        put(s, seed, "positional_embedding", 0.01, 0, c.contextLength(), tw);
        put(s, seed, "text_projection", ts, 0, tw, c.embedDim());
        s.put(Tensor.ofFloats("logit_scale", new long[0], new float[]{(float) Math.log(100)}));
        put(s, seed, "visual.class_embedding", vs, 0, vw);
        put(s, seed, "visual.positional_embedding", vs, 0, c.visionTokens(), vw);
        put(s, seed, "visual.proj", vs, 0, vw, c.embedDim());
        int p = c.visionPatchSize();
        put(s, seed, "visual.conv1.weight", Math.pow(3.0 * p * p, -0.5), 0, vw, 3, p, p);
        norm(s, "visual.ln_pre.", vw);
        for (int i = 0; i < c.visionLayers(); i++) block(s, seed, "visual.transformer.resblocks." + i + ".", vw, c.visionLayers());
        norm(s, "visual.ln_post.", vw);
        for (int i = 0; i < c.transformerLayers(); i++) block(s, seed, "transformer.resblocks." + i + ".", tw, c.transformerLayers());
        put(s, seed, "token_embedding.weight", 0.02, 0, c.vocabSize(), tw);
        norm(s, "ln_final.", tw);
        return s;
    }

    private static void block(MapTensorStore s, long seed, String prefix, int w, int layers) {
        double attnStd = Math.pow(w, -0.5);
        double projStd = attnStd * Math.pow(2.0 * layers, -0.5);
        double fcStd = Math.pow(2.0 * w, -0.5);
        put(s, seed, prefix + "attn.in_proj_weight", attnStd, 0, 3 * w, w);
        put(s, seed, prefix + "attn.in_proj_bias", 0, 0, 3 * w);
        put(s, seed, prefix + "attn.out_proj.weight", projStd, 0, w, w);
        put(s, seed, prefix + "attn.out_proj.bias", 0, 0, w);
        norm(s, prefix + "ln_1.", w);
        put(s, seed, prefix + "mlp.c_fc.weight", fcStd, 0, 4 * w, w);
        put(s, seed, prefix + "mlp.c_fc.bias", 0, 0, 4 * w);
        put(s, seed, prefix + "mlp.c_proj.weight", projStd, 0, w, 4 * w);
        put(s, seed, prefix + "mlp.c_proj.bias", 0, 0, w);
        norm(s, prefix + "ln_2.", w);
    }

    private static void norm(MapTensorStore s, String prefix, int w) {
        put(s, 0, prefix + "weight", 0, 1, w);
        put(s, 0, prefix + "bias", 0, 0, w);
    }

    /** A tensor of uniform values with the given standard deviation around {@code mean}, generated on first read. */
    private static void put(MapTensorStore s, long seed, String name, double std, double mean, long... shape) {
        long n = Tensor.numel(shape);
        long tensorSeed = seed * 0x9E3779B97F4A7C15L ^ name.hashCode();
        s.put(new Tensor(name, DType.F32, shape, () -> {
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(n * 4)).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer f = b.asFloatBuffer();
            if (std == 0) {
                for (long i = 0; i < n; i++) f.put((float) mean);
            } else {
                SplittableRandom r = new SplittableRandom(tensorSeed);
                double half = std * Math.sqrt(3.0); // uniform on [-half, half] has this std
                for (long i = 0; i < n; i++) f.put((float) (mean + (2.0 * r.nextDouble() - 1.0) * half));
            }
            return b;
        }));
    }
}
