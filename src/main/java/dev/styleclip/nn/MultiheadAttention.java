package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

/**
 * Multi-head self-attention with the parameter layout of {@code torch.nn.MultiheadAttention(width, heads)}:
 * {@code in_proj_weight} [3W, W] (rows q, k, v), {@code in_proj_bias} [3W], {@code out_proj.weight} [W, W],
 * {@code out_proj.bias} [W]. Inputs are batch-first [B, L, W]; an optional additive mask [L, L] is added to the scaled
 * scores before the softmax. Results live in the manager of the input.
 */
public final class MultiheadAttention {
    private final NDArray inWeight;
    private final NDArray inBias;
    private final NDArray outWeight;
    private final NDArray outBias;
    private final int width;
    private final int heads;
    private final int headDim;
    /** 1/√(head dim), exact; float32 evaluation rounds it once. */
    private final double scale;

    public MultiheadAttention(NDArray inWeight, NDArray inBias, NDArray outWeight, NDArray outBias, int heads) {
        Shape s = inWeight.getShape();
        if (s.dimension() != 2 || s.get(0) != 3 * s.get(1)) {
            throw new IllegalArgumentException("in_proj_weight must be [3W, W], got " + s);
        }
        this.width = (int) s.get(1);
        if (heads <= 0 || width % heads != 0) {
            throw new IllegalArgumentException("width " + width + " is not divisible into " + heads + " heads");
        }
        this.inWeight = inWeight;
        this.inBias = inBias;
        this.outWeight = outWeight;
        this.outBias = outBias;
        this.heads = heads;
        this.headDim = width / heads;
        this.scale = 1.0 / Math.sqrt(headDim);
    }

    /** Reads {@code prefix + "in_proj_weight"}, {@code in_proj_bias}, {@code out_proj.weight}, {@code out_proj.bias}. */
    public static MultiheadAttention load(TensorStore store, String prefix, NDManager manager, int heads)
            throws ModelFileException {
        return new MultiheadAttention(
                store.get(prefix + "in_proj_weight").toNDArray(manager),
                store.get(prefix + "in_proj_bias").toNDArray(manager),
                store.get(prefix + "out_proj.weight").toNDArray(manager),
                store.get(prefix + "out_proj.bias").toNDArray(manager),
                heads);
    }

    /** A copy whose parameters are converted to {@code type} (e.g. float64; float32 values widened exactly). */
    public MultiheadAttention toType(NDManager manager, DataType type) {
        return new MultiheadAttention(LayerNorms.convert(inWeight, manager, type), LayerNorms.convert(inBias, manager, type),
                LayerNorms.convert(outWeight, manager, type), LayerNorms.convert(outBias, manager, type), heads);
    }

    public int width() {
        return width;
    }

    public int heads() {
        return heads;
    }

    /** Self-attention of x [B, L, W] with an optional additive mask [L, L] (null for none). */
    public NDArray forward(NDArray x, NDArray additiveMask) {
        Shape xs = x.getShape();
        long b = xs.get(0);
        long l = xs.get(1);
        // [B, L, 3W] -> [B, L, 3, H, D] -> [3, B, H, L, D]
        NDArray qkv = Linear.linear(x, inWeight, inBias).singletonOrThrow()
                .reshape(b, l, 3, heads, headDim).transpose(2, 0, 3, 1, 4);
        NDArray q = Nd.mulLike(qkv.get(0), scale);
        NDArray k = qkv.get(1);
        NDArray v = qkv.get(2);
        NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)); // [B, H, L, L]
        if (additiveMask != null) scores = scores.add(additiveMask);
        NDArray attn = scores.softmax(-1).matMul(v); // [B, H, L, D]
        NDArray merged = attn.transpose(0, 2, 1, 3).reshape(b, l, width);
        return Linear.linear(merged, outWeight, outBias).singletonOrThrow();
    }
}
