package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

/**
 * A LayerNorm over the last axis with affine weight and bias (torch {@code nn.LayerNorm(width)}), evaluated in float32.
 * The result lives in the manager of the input.
 */
public final class LayerNorms {
    /** torch's default epsilon. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final NDArray weight;
    private final NDArray bias;
    private final float eps;
    private final Shape normalizedShape;

    public LayerNorms(NDArray weight, NDArray bias, float eps) {
        if (weight.getShape().dimension() != 1 || !weight.getShape().equals(bias.getShape())) {
            throw new IllegalArgumentException("LayerNorm weight/bias must be 1-D of equal length, got "
                    + weight.getShape() + " and " + bias.getShape());
        }
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
        this.normalizedShape = new Shape(weight.getShape().get(0));
    }

    /** Reads {@code prefix + "weight"} and {@code prefix + "bias"} into the manager (float32). */
    public static LayerNorms load(TensorStore store, String prefix, NDManager manager) throws ModelFileException {
        return new LayerNorms(store.get(prefix + "weight").toNDArray(manager), store.get(prefix + "bias").toNDArray(manager),
                DEFAULT_EPS);
    }

    /** The normalised width. */
    public long width() {
        return normalizedShape.get(0);
    }

    /** LayerNorm of {@code x} over its last axis (which must have {@link #width()} elements). */
    public NDArray forward(NDArray x) {
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, weight, bias, eps).singletonOrThrow();
    }
}
