package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

/**
 * A LayerNorm over the last axis with affine weight and bias (torch {@code nn.LayerNorm(width)}), evaluated in the
 * precision of its parameters (float32, or float64 for a {@link #toType} copy: then with the exact epsilon 1e-5).
 * The result lives in the manager of the input.
 */
public final class LayerNorms {
    /** torch's default epsilon. */
    public static final float DEFAULT_EPS = 1e-5f;

    private final NDArray weight;
    private final NDArray bias;
    private final float eps;
    /** The epsilon a float64 evaluation uses (the exact value, not the float32 rounding). */
    private final double eps64;
    private final Shape normalizedShape;

    public LayerNorms(NDArray weight, NDArray bias, float eps) {
        this(weight, bias, eps, eps);
    }

    /** With the epsilon as a double (torch's argument): float32 evaluation uses {@code (float) eps}. */
    public LayerNorms(NDArray weight, NDArray bias, double eps) {
        this(weight, bias, (float) eps, eps);
    }

    private LayerNorms(NDArray weight, NDArray bias, float eps, double eps64) {
        if (weight.getShape().dimension() != 1 || !weight.getShape().equals(bias.getShape())) {
            throw new IllegalArgumentException("LayerNorm weight/bias must be 1-D of equal length, got "
                    + weight.getShape() + " and " + bias.getShape());
        }
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
        this.eps64 = eps64;
        this.normalizedShape = new Shape(weight.getShape().get(0));
    }

    /** Reads {@code prefix + "weight"} and {@code prefix + "bias"} into the manager (float32). */
    public static LayerNorms load(TensorStore store, String prefix, NDManager manager) throws ModelFileException {
        return new LayerNorms(store.get(prefix + "weight").toNDArray(manager), store.get(prefix + "bias").toNDArray(manager),
                1e-5);
    }

    /** A copy whose parameters are converted to {@code type} (float32 values widened exactly), in {@code manager}. */
    public LayerNorms toType(NDManager manager, DataType type) {
        return new LayerNorms(convert(weight, manager, type), convert(bias, manager, type), eps, eps64);
    }

    /** A copy of {@code a} as {@code type} in {@code manager}. */
    static NDArray convert(NDArray a, NDManager manager, DataType type) {
        NDArray c = a.toType(type, true);
        c.attach(manager);
        return c;
    }

    /** The normalised width. */
    public long width() {
        return normalizedShape.get(0);
    }

    /** LayerNorm of {@code x} over its last axis (which must have {@link #width()} elements). */
    public NDArray forward(NDArray x) {
        if (weight.getDataType() == DataType.FLOAT64 && x instanceof PtNDArray px) {
            // DJL's LayerNorm.layerNorm takes a float epsilon (1e-5f = 9.99999974738e-6)
            return JniUtils.layerNorm(px, normalizedShape, (PtNDArray) weight, (PtNDArray) bias, eps64);
        }
        return ai.djl.nn.norm.LayerNorm.layerNorm(x, normalizedShape, weight, bias, eps).singletonOrThrow();
    }
}
