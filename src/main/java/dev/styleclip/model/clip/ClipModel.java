package dev.styleclip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.nn.LayerNorms;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.ResidualAttentionBlock;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * OpenAI CLIP (ViT variant) in DJL: the image encoder (patch convolution, class token, positional embedding, ln_pre,
 * residual attention blocks with QuickGELU, ln_post on the class token, projection) and the text encoder (token and
 * positional embeddings, causal mask, blocks, ln_final at the end-of-text position, projection), plus
 * {@code logit_scale}. Built from a state dict ({@link TensorStore}) with the configuration inferred from the tensor
 * shapes ({@link ClipConfig#infer}); fp16 weights are widened and everything is computed in float32.
 * {@link #toFloat64} makes a float64 twin (same weights widened exactly, LayerNorm in float64: the reference's
 * float64 runs).
 *
 * <p>Parameters live in the model's own manager (closed by {@link #close()}); every call computes in a sub-manager of
 * its input's manager and attaches only the result to the input's manager, so memory stays flat over many calls. The
 * image encoder is differentiable with respect to its input (use a {@code GradientCollector}).
 */
public final class ClipModel implements AutoCloseable, dev.styleclip.nn.MemoryFootprint {

    private final ClipConfig config;
    private final String source;
    private final NDManager manager;

    // image tower
    private final NDArray conv1Weight;
    /** visual.positional_embedding with class_embedding added to row 0 (the class token row is zero before adding). */
    private final NDArray visualPosWithClass;
    /** class_embedding and positional_embedding row 0 as stored (row 0 of the float64 twin is their float64 sum). */
    private final float[] classEmbedding, visualPos0;
    private final LayerNorms lnPre;
    private final List<ResidualAttentionBlock> visualBlocks;
    private final LayerNorms lnPost;
    private final NDArray visualProj;

    // text tower
    private final NDArray tokenEmbedding;
    private final NDArray textPos;
    private final List<ResidualAttentionBlock> textBlocks;
    private final LayerNorms lnFinal;
    private final NDArray textProj;
    private final NDArray causalMask;

    private final float logitScale;

    private ClipModel(TensorStore store, NDManager parent) throws ModelFileException {
        this.config = ClipConfig.infer(store);
        this.source = store.source();
        this.manager = parent.newSubManager();
        boolean ok = false;
        try {
            ClipConfig c = config;
            conv1Weight = param(store, "visual.conv1.weight", c.visionWidth(), 3, c.visionPatchSize(), c.visionPatchSize());
            float[] clsv = floats(store, "visual.class_embedding", c.visionWidth());
            float[] pos = floats(store, "visual.positional_embedding", c.visionTokens(), c.visionWidth());
            classEmbedding = clsv;
            visualPos0 = Arrays.copyOf(pos, clsv.length);
            for (int i = 0; i < clsv.length; i++) pos[i] = clsv[i] + pos[i];
            visualPosWithClass = manager.create(pos, new Shape(c.visionTokens(), c.visionWidth()));
            lnPre = LayerNorms.load(store, "visual.ln_pre.", manager);
            visualBlocks = new ArrayList<>();
            for (int i = 0; i < c.visionLayers(); i++) {
                checkBlock(store, "visual.transformer.resblocks." + i + ".", c.visionWidth());
                visualBlocks.add(ResidualAttentionBlock.load(store, "visual.transformer.resblocks." + i + ".", manager,
                        c.visionHeads()));
            }
            lnPost = LayerNorms.load(store, "visual.ln_post.", manager);
            visualProj = param(store, "visual.proj", c.visionWidth(), c.embedDim());

            tokenEmbedding = param(store, "token_embedding.weight", c.vocabSize(), c.transformerWidth());
            textPos = param(store, "positional_embedding", c.contextLength(), c.transformerWidth());
            textBlocks = new ArrayList<>();
            for (int i = 0; i < c.transformerLayers(); i++) {
                checkBlock(store, "transformer.resblocks." + i + ".", c.transformerWidth());
                textBlocks.add(ResidualAttentionBlock.load(store, "transformer.resblocks." + i + ".", manager,
                        c.transformerHeads()));
            }
            lnFinal = LayerNorms.load(store, "ln_final.", manager);
            textProj = param(store, "text_projection", c.transformerWidth(), c.embedDim());
            int n = c.contextLength();
            float[] mask = new float[n * n];
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) mask[i * n + j] = Float.NEGATIVE_INFINITY;
            causalMask = manager.create(mask, new Shape(n, n));
            Tensor ls = store.get("logit_scale");
            if (ls.numel() != 1) throw new ModelFileException(source, "logit_scale has " + ls.numel() + " elements, expected 1");
            logitScale = ls.toFloatArray()[0];
            ok = true;
        } finally {
            if (!ok) manager.close();
        }
    }

    /** The float64 twin of {@code src}: parameters widened exactly into a sub-manager of {@code parent}. */
    private ClipModel(ClipModel src, NDManager parent) {
        this.config = src.config;
        this.source = src.source;
        this.manager = parent.newSubManager();
        boolean ok = false;
        try {
            DataType t = DataType.FLOAT64;
            conv1Weight = widen(src.conv1Weight);
            int w = config.visionWidth();
            double[] pos;
            try (NDArray tmp = src.visualPosWithClass.toType(t, true)) {
                pos = tmp.toDoubleArray();
            }
            for (int i = 0; i < w; i++) pos[i] = (double) src.classEmbedding[i] + src.visualPos0[i];
            visualPosWithClass = Nd.constant(manager, pos, src.visualPosWithClass.getShape(), t);
            classEmbedding = src.classEmbedding;
            visualPos0 = src.visualPos0;
            lnPre = src.lnPre.toType(manager, t);
            visualBlocks = new ArrayList<>();
            for (ResidualAttentionBlock b : src.visualBlocks) visualBlocks.add(b.toType(manager, t));
            lnPost = src.lnPost.toType(manager, t);
            visualProj = widen(src.visualProj);
            tokenEmbedding = widen(src.tokenEmbedding);
            textPos = widen(src.textPos);
            textBlocks = new ArrayList<>();
            for (ResidualAttentionBlock b : src.textBlocks) textBlocks.add(b.toType(manager, t));
            lnFinal = src.lnFinal.toType(manager, t);
            textProj = widen(src.textProj);
            causalMask = widen(src.causalMask);
            logitScale = src.logitScale;
            ok = true;
        } finally {
            if (!ok) manager.close();
        }
    }

    private NDArray widen(NDArray a) {
        NDArray c = a.toType(DataType.FLOAT64, true);
        c.attach(manager);
        return c;
    }

    /**
     * A float64 twin of this model (image and text encoder) in a sub-manager of {@code parent} (close it when done):
     * the same float32 (or widened fp16) weights widened exactly, every op in float64 (LayerNorm too, with the exact
     * epsilon 1e-5; the reference's float64 runs replace CLIP's float32 LayerNorm cast). Image inputs of another
     * floating type are converted to float64 (as CLIP's {@code image.type(self.dtype)}); features come out in float64.
     */
    public ClipModel toFloat64(NDManager parent) {
        return new ClipModel(this, parent);
    }

    /** FLOAT32, or FLOAT64 for a {@link #toFloat64} twin. */
    public DataType dataType() {
        return conv1Weight.getDataType();
    }

    /**
     * Builds the model from a CLIP state dict (e.g. {@code ModelFiles.open(ViT-B-32.pt).main()}); parameters are
     * copied into a new sub-manager of {@code parent}.
     *
     * @throws ModelFileException when the store is not a ViT CLIP state dict or a tensor has an unexpected shape
     */
    public static ClipModel load(TensorStore store, NDManager parent) throws ModelFileException {
        return new ClipModel(store, parent);
    }

    public ClipConfig config() {
        return config;
    }

    /** Where the weights came from (the store's source). */
    public String source() {
        return source;
    }

    /** The input resolution R of the image encoder. */
    @Override
    public long parameterBytes() {
        return dev.styleclip.nn.MemoryFootprint.bytesOf(manager);
    }

    /**
     * The image encoder's activations (text features are cached): per residual block of T tokens and width w about
     * 19·T·w values (layer norms, q/k/v, attention output, the 4w-wide MLP and its activation) plus the attention
     * weights 2·heads·T², all alive within a call's scope; the input images at the generator's size are the caller's.
     */
    @Override
    public long workingBytes(int batch, boolean backward) {
        long g = config.imageResolution() / config.visionPatchSize();
        long t = g * g + 1, w = config.visionWidth(), heads = Math.max(1, w / 64);
        long block = 19 * t * w + 2 * heads * t * t;
        long elems = config.visionLayers() * block + 6L * config.imageResolution() * config.imageResolution();
        return (long) batch * 4 * elems * (backward ? 2 : 1);
    }

    public int inputResolution() {
        return config.imageResolution();
    }

    /** The stored {@code logit_scale} (a log). */
    public float logitScale() {
        return logitScale;
    }

    /** exp(logit_scale) as a scalar for features {@code f}: float32 {@link #logitScaleExp}, or exact in float64. */
    private double logitScaleExpFor(NDArray f) {
        return f.getDataType() == DataType.FLOAT64 ? Math.exp(logitScale) : logitScaleExp();
    }

    /** {@code exp(logit_scale)} in float32 (100 for the released models). */
    public float logitScaleExp() {
        return (float) Math.exp(logitScale);
    }

    /** The model's parameter manager. */
    public NDManager manager() {
        return manager;
    }

    // ------------------------------------------------------------------------------------------------ image encoder

    /** Image features [B, embed] of normalised images [B, 3, R, R]; the result is in the images' manager. */
    public NDArray encodeImage(NDArray images) {
        return encodeImage(images, null);
    }

    /**
     * Image features [B, embed] of normalised images [B, 3, R, R]. When {@code trace} is not null it receives the
     * intermediates (all samples, in the images' manager): {@code patch_embed} [B, W, g, g], {@code embed_pos},
     * {@code ln_pre}, {@code resblock_k} [B, g²+1, W], {@code ln_post_cls} [B, W].
     */
    public NDArray encodeImage(NDArray images, Map<String, NDArray> trace) {
        Shape s = images.getShape();
        int r = config.imageResolution();
        if (s.dimension() != 4 || s.get(1) != 3 || s.get(2) != r || s.get(3) != r) {
            throw new IllegalArgumentException("CLIP image input must be [B, 3, " + r + ", " + r + "], got " + s);
        }
        NDManager out = images.getManager();
        try (NDManager sub = out.newSubManager()) {
            images.tempAttach(sub);
            if (images.getDataType() != dataType()) images = images.toType(dataType(), false); // CLIP: image.type(self.dtype)
            long b = s.get(0);
            int w = config.visionWidth();
            int p = config.visionPatchSize();
            int g = config.grid();
            NDArray x = Conv2d.conv2d(images, conv1Weight, null, new Shape(p, p), new Shape(0, 0), new Shape(1, 1), 1)
                    .singletonOrThrow(); // [B, W, g, g]
            keep(trace, "patch_embed", x, out);
            x = x.reshape(b, w, (long) g * g).transpose(0, 2, 1); // [B, g², W]
            NDArray zeros = sub.zeros(new Shape(b, 1, w), x.getDataType());
            x = NDArrays.concat(new NDList(zeros, x), 1).add(visualPosWithClass);
            keep(trace, "embed_pos", x, out);
            x = lnPre.forward(x);
            keep(trace, "ln_pre", x, out);
            for (int i = 0; i < visualBlocks.size(); i++) {
                x = visualBlocks.get(i).forward(x, null);
                keep(trace, "resblock_" + i, x, out);
            }
            NDArray cls = lnPost.forward(x.get(":, 0, :"));
            keep(trace, "ln_post_cls", cls, out);
            NDArray features = cls.matMul(visualProj);
            features.attach(out);
            return features;
        }
    }

    // ------------------------------------------------------------------------------------------------- text encoder

    /** Text features [B, embed] of token rows (int32 or int64 [B, context]); the result is in the tokens' manager. */
    public NDArray encodeText(NDArray tokens) {
        return encodeText(tokens, null);
    }

    /** Text features [B, embed] of token rows (int32 or int64 [B, context]); see {@link #encodeText(long[][], NDManager, Map)}. */
    public NDArray encodeText(NDArray tokens, Map<String, NDArray> trace) {
        Shape s = tokens.getShape();
        if (s.dimension() != 2) throw new IllegalArgumentException("CLIP token input must be [B, context], got " + s);
        long[] flat;
        try (NDManager sub = tokens.getManager().newSubManager()) {
            tokens.tempAttach(sub);
            flat = tokens.toType(DataType.INT64, false).toLongArray();
        }
        long[][] rows = new long[(int) s.get(0)][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, (int) (i * s.get(1)), (int) ((i + 1) * s.get(1)));
        }
        return encodeText(rows, tokens.getManager(), trace);
    }

    /** Text features [B, embed] of token rows, created in {@code out}. */
    public NDArray encodeText(long[][] tokens, NDManager out) {
        return encodeText(tokens, out, null);
    }

    /**
     * Text features [B, embed] of token rows (each of the model's context length), created in {@code out}. Features
     * are read at the first position holding the largest id ({@code argmax}, the end token). When {@code trace} is
     * not null it receives {@code token_pos_embed} [B, ctx, W], {@code resblock_k} [B, ctx, W], {@code ln_final_eot}
     * [B, W] and {@code eot_index} (int64 [B]).
     */
    public NDArray encodeText(long[][] tokens, NDManager out, Map<String, NDArray> trace) {
        int ctx = config.contextLength();
        int b = tokens.length;
        if (b == 0) throw new IllegalArgumentException("no token rows");
        long[] flat = new long[b * ctx];
        long[] eotRows = new long[b];
        long[] eotIndex = new long[b];
        for (int i = 0; i < b; i++) {
            if (tokens[i].length != ctx) {
                throw new IllegalArgumentException("token row " + i + " has length " + tokens[i].length
                        + ", the model's context length is " + ctx);
            }
            int arg = 0;
            for (int j = 0; j < ctx; j++) {
                long t = tokens[i][j];
                if (t < 0 || t >= config.vocabSize()) {
                    throw new IllegalArgumentException("token id " + t + " outside the vocabulary of " + config.vocabSize());
                }
                if (t > tokens[i][arg]) arg = j;
                flat[i * ctx + j] = t;
            }
            eotIndex[i] = arg;
            eotRows[i] = (long) i * ctx + arg;
        }
        int w = config.transformerWidth();
        // With the causal mask, position e only sees positions <= e: without a trace, run only up to the last end token.
        int len = ctx;
        if (trace == null) {
            len = 0;
            for (long e : eotIndex) len = Math.max(len, (int) e + 1);
        }
        long[] used = flat;
        if (len < ctx) {
            used = new long[b * len];
            for (int i = 0; i < b; i++) {
                System.arraycopy(flat, i * ctx, used, i * len, len);
                eotRows[i] = (long) i * len + eotIndex[i];
            }
        }
        try (NDManager sub = out.newSubManager()) {
            NDArray idx = Nd.constant(sub, used);
            NDArray pos = len < ctx ? textPos.get(sub, new NDIndex(":" + len)) : textPos;
            NDArray mask = len < ctx ? causalMask.get(sub, new NDIndex(":" + len + ", :" + len)) : causalMask;
            NDArray x = tokenEmbedding.get(sub, new NDIndex("{}", idx)).reshape(b, len, w).add(pos);
            keep(trace, "token_pos_embed", x, out);
            for (int i = 0; i < textBlocks.size(); i++) {
                x = textBlocks.get(i).forward(x, mask);
                keep(trace, "resblock_" + i, x, out);
            }
            NDArray sel = x.reshape((long) b * len, w).get(new NDIndex("{}", Nd.constant(sub, eotRows)));
            sel = lnFinal.forward(sel);
            keep(trace, "ln_final_eot", sel, out);
            if (trace != null) trace.put("eot_index", out.create(eotIndex));
            NDArray features = sel.matMul(textProj);
            features.attach(out);
            return features;
        }
    }

    /** Tokenizes prompts with the standard tokenizer (at the model's context length) and encodes them. */
    public NDArray encodeText(List<String> prompts, NDManager out) {
        return encodeText(ClipTokenizer.standard().tokenize(prompts, config.contextLength()), out);
    }

    // -------------------------------------------------------------------------------------------------- similarity

    /** Rows divided by their L2 norm. */
    public static NDArray normalize(NDArray features) {
        return features.div(features.norm(new int[]{1}, true));
    }

    /** Cosine similarities [n_images, n_texts] of raw (unnormalised) features. */
    public static NDArray cosine(NDArray imageFeatures, NDArray textFeatures) {
        NDManager out = imageFeatures.getManager();
        try (NDManager sub = out.newSubManager()) {
            imageFeatures.tempAttach(sub);
            if (textFeatures != imageFeatures) textFeatures.tempAttach(sub); // attaching one array twice would close it
            NDArray c = normalize(imageFeatures).matMul(normalize(textFeatures).transpose());
            c.attach(out);
            return c;
        }
    }

    /** {@code logits_per_image} = exp(logit_scale) · cos [n_images, n_texts] (transpose it for logits_per_text). */
    public NDArray logitsPerImage(NDArray imageFeatures, NDArray textFeatures) {
        NDManager out = imageFeatures.getManager();
        try (NDManager sub = out.newSubManager()) {
            imageFeatures.tempAttach(sub);
            if (textFeatures != imageFeatures) textFeatures.tempAttach(sub); // attaching one array twice would close it
            NDArray l = Nd.mulLike(normalize(imageFeatures), logitScaleExpFor(imageFeatures)).matMul(normalize(textFeatures).transpose());
            l.attach(out);
            return l;
        }
    }

    /** StyleCLIP's CLIP loss {@code 1 − logits_per_image / 100} [n_images, n_texts] from raw features. */
    public NDArray styleClipLoss(NDArray imageFeatures, NDArray textFeatures) {
        NDManager out = imageFeatures.getManager();
        try (NDManager sub = out.newSubManager()) {
            imageFeatures.tempAttach(sub);
            if (textFeatures != imageFeatures) textFeatures.tempAttach(sub); // attaching one array twice would close it
            NDArray logits = Nd.mulLike(normalize(imageFeatures), logitScaleExpFor(imageFeatures)).matMul(normalize(textFeatures).transpose());
            NDArray loss = Nd.addLike(Nd.divLike(logits, 100).neg(), 1);
            loss.attach(out);
            return loss;
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    // ----------------------------------------------------------------------------------------------------- helpers

    private static void keep(Map<String, NDArray> trace, String name, NDArray x, NDManager out) {
        if (trace == null) return;
        NDArray copy = x.duplicate();
        copy.attach(out);
        trace.put(name, copy);
    }

    private NDArray param(TensorStore store, String name, long... shape) throws ModelFileException {
        Tensor t = store.get(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(source, name + " has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(shape) + " for " + config.describe());
        }
        return t.toNDArray(manager);
    }

    /** Checks the shapes of one residual attention block of width w (CLIP's MLP is 4w wide). */
    private void checkBlock(TensorStore store, String prefix, long w) throws ModelFileException {
        Object[][] expected = {
                {"attn.in_proj_weight", new long[]{3 * w, w}}, {"attn.in_proj_bias", new long[]{3 * w}},
                {"attn.out_proj.weight", new long[]{w, w}}, {"attn.out_proj.bias", new long[]{w}},
                {"ln_1.weight", new long[]{w}}, {"ln_1.bias", new long[]{w}},
                {"mlp.c_fc.weight", new long[]{4 * w, w}}, {"mlp.c_fc.bias", new long[]{4 * w}},
                {"mlp.c_proj.weight", new long[]{w, 4 * w}}, {"mlp.c_proj.bias", new long[]{w}},
                {"ln_2.weight", new long[]{w}}, {"ln_2.bias", new long[]{w}}};
        for (Object[] e : expected) {
            String name = prefix + e[0];
            long[] shape = store.get(name).shape();
            if (!Arrays.equals(shape, (long[]) e[1])) {
                throw new ModelFileException(source, name + " has shape " + Arrays.toString(shape) + ", expected "
                        + Arrays.toString((long[]) e[1]) + " for " + config.describe());
            }
        }
    }

    private float[] floats(TensorStore store, String name, long... shape) throws ModelFileException {
        Tensor t = store.get(name);
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(source, name + " has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(shape));
        }
        return t.toFloatArray();
    }
}
