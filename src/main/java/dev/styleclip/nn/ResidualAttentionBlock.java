package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

/**
 * A pre-norm transformer block as in CLIP: {@code x + attn(ln_1(x))}, then {@code x + c_proj(act(c_fc(ln_2(x))))} with
 * QuickGELU {@code z·sigmoid(1.702 z)}. Parameter names as in CLIP's {@code ResidualAttentionBlock}: {@code attn.*},
 * {@code ln_1.*}, {@code mlp.c_fc.*}, {@code mlp.c_proj.*}, {@code ln_2.*}. Inputs batch-first [B, L, W].
 */
public final class ResidualAttentionBlock {
    private final LayerNorms ln1;
    private final MultiheadAttention attn;
    private final LayerNorms ln2;
    private final NDArray fcWeight;
    private final NDArray fcBias;
    private final NDArray projWeight;
    private final NDArray projBias;

    public ResidualAttentionBlock(LayerNorms ln1, MultiheadAttention attn, LayerNorms ln2,
                                  NDArray fcWeight, NDArray fcBias, NDArray projWeight, NDArray projBias) {
        this.ln1 = ln1;
        this.attn = attn;
        this.ln2 = ln2;
        this.fcWeight = fcWeight;
        this.fcBias = fcBias;
        this.projWeight = projWeight;
        this.projBias = projBias;
    }

    /** Reads one block whose parameter names start with {@code prefix} (e.g. {@code "transformer.resblocks.3."}). */
    public static ResidualAttentionBlock load(TensorStore store, String prefix, NDManager manager, int heads)
            throws ModelFileException {
        return new ResidualAttentionBlock(
                LayerNorms.load(store, prefix + "ln_1.", manager),
                MultiheadAttention.load(store, prefix + "attn.", manager, heads),
                LayerNorms.load(store, prefix + "ln_2.", manager),
                store.get(prefix + "mlp.c_fc.weight").toNDArray(manager),
                store.get(prefix + "mlp.c_fc.bias").toNDArray(manager),
                store.get(prefix + "mlp.c_proj.weight").toNDArray(manager),
                store.get(prefix + "mlp.c_proj.bias").toNDArray(manager));
    }

    /** A copy whose parameters are converted to {@code type} (e.g. float64; float32 values widened exactly). */
    public ResidualAttentionBlock toType(NDManager manager, DataType type) {
        return new ResidualAttentionBlock(ln1.toType(manager, type), attn.toType(manager, type), ln2.toType(manager, type),
                LayerNorms.convert(fcWeight, manager, type), LayerNorms.convert(fcBias, manager, type),
                LayerNorms.convert(projWeight, manager, type), LayerNorms.convert(projBias, manager, type));
    }

    /** One block on x [B, L, W] with an optional additive attention mask [L, L]. */
    public NDArray forward(NDArray x, NDArray additiveMask) {
        NDArray h = x.add(attn.forward(ln1.forward(x), additiveMask));
        NDArray z = Linear.linear(ln2.forward(h), fcWeight, fcBias).singletonOrThrow();
        NDArray act = quickGelu(z);
        return h.add(Linear.linear(act, projWeight, projBias).singletonOrThrow());
    }

    /** QuickGELU: z · sigmoid(1.702 z) (not the erf/tanh GELU). */
    public static NDArray quickGelu(NDArray z) {
        return z.mul(Activation.sigmoid(Nd.mulLike(z, 1.702)));
    }
}
