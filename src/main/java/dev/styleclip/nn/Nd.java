package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * GC-safe constants and scalar ops for graph code (DJL 0.36, PyTorch engine).
 *
 * <p>DJL makes arrays from Java data ({@code manager.create(float[])}, {@code create(Number)}, and the scalar operand
 * of {@code x.mul(2f)}, {@code x.div(100f)}, {@code x.pow(-0.5)} …, which DJL creates and closes at once) as
 * {@code torch::from_blob} views of a Java direct buffer. Autograd keeps such operands for the backward pass; once the
 * DJL array is closed, a garbage collection frees the buffer and the backward pass reads freed memory. The rule in all
 * differentiable code: never multiply/divide/raise by a Java number and never feed an array made from Java data into the
 * graph; use these helpers, which only hand out torch-owned memory ({@code full} or a clone).
 *
 * <p>The scalar dtype follows DJL's own rule ({@code float} argument → float32, {@code double} → float64), so results
 * are bit-identical to the plain DJL scalar ops they replace.
 *
 * <p>Code that must also run in float64 (the float64 twins of the networks) uses the {@code ...Like} forms: their
 * scalar takes the array's own dtype, a float64 array gets the exact {@code double} and a float32 array gets
 * {@code (float) v}, i.e. the same operand as the float overloads with {@code (float) v}. Constants go through
 * {@link #constant(NDManager, double[], Shape, DataType)} for the same reason: {@code manager.create(float[])} and
 * DJL's scalar {@code mul(float)} silently round a float64 computation's constants to float32.
 */
public final class Nd {
    private Nd() {}

    /** A torch-owned 0-d array holding {@code v} as {@code type}. */
    public static NDArray scalar(NDManager m, double v, DataType type) {
        if (m instanceof PtNDManager pm) {
            return JniUtils.full(pm, new Shape(), v, type, m.getDevice(), SparseFormat.DENSE);
        }
        return m.full(new Shape(), (float) v, type);
    }

    /** The dtype scalars and constants for {@code x} take: float64 for a float64 array, else float32. */
    public static DataType floatType(NDArray x) {
        return x.getDataType() == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
    }

    /** A torch-owned 0-d array holding {@code v} in {@code x}'s floating dtype ({@link #floatType}). */
    public static NDArray scalarLike(NDArray x, double v) {
        return scalar(x.getManager(), v, floatType(x));
    }

    /** {@code x * v} with the scalar in x's dtype (float32 x: exactly {@code mul(x, (float) v)}). */
    public static NDArray mulLike(NDArray x, double v) {
        return x.mul(scalarLike(x, v));
    }

    /** {@code x / v} with the scalar in x's dtype. */
    public static NDArray divLike(NDArray x, double v) {
        return x.div(scalarLike(x, v));
    }

    /** {@code x + v} with the scalar in x's dtype. */
    public static NDArray addLike(NDArray x, double v) {
        return x.add(scalarLike(x, v));
    }

    /** {@code x - v} with the scalar in x's dtype. */
    public static NDArray subLike(NDArray x, double v) {
        return x.sub(scalarLike(x, v));
    }

    /**
     * Leaky ReLU with the slope in x's precision: DJL's {@code Activation.leakyRelu} takes a {@code float} slope,
     * which would hand a float64 computation 0.2f = 0.20000000298.
     */
    public static NDArray leakyRelu(NDArray x, double slope) {
        if (x.getDataType() == DataType.FLOAT64 && x instanceof PtNDArray px) return JniUtils.leakyRelu(px, slope);
        return ai.djl.nn.Activation.leakyRelu(x, (float) slope);
    }

    /** The single value of a 0-d (or one-element) float32 / float64 array, as a double. */
    public static double toDouble(NDArray x) {
        if (x.getDataType() == DataType.FLOAT64) return x.toDoubleArray()[0];
        return x.toType(DataType.FLOAT32, false).toFloatArray()[0];
    }

    /**
     * A torch-owned copy of {@code data} as {@code type}: float64 keeps the values, anything else is float32 with every
     * value rounded once ({@code (float) data[i]}, the same array as building a float[] of those casts).
     */
    public static NDArray constant(NDManager m, double[] data, Shape shape, DataType type) {
        if (type == DataType.FLOAT64) {
            try (NDArray view = m.create(data, shape)) {
                return view.duplicate();
            }
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
        return constant(m, f, shape);
    }

    /** A torch-owned copy of float32 {@code data} as {@code type} (float64: widened exactly). */
    public static NDArray constant(NDManager m, float[] data, Shape shape, DataType type) {
        if (type != DataType.FLOAT64) return constant(m, data, shape);
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) d[i] = data[i];
        return constant(m, d, shape, type);
    }

    /** A torch-owned float32 copy of {@code data} with shape {@code shape}. */
    public static NDArray constant(NDManager m, float[] data, Shape shape) {
        try (NDArray view = m.create(data, shape)) {
            return view.duplicate();
        }
    }

    /** A torch-owned int64 copy of {@code data} (indices). */
    public static NDArray constant(NDManager m, long[] data) {
        try (NDArray view = m.create(data)) {
            return view.duplicate();
        }
    }

    /** {@code x * v} with a float32 scalar (as {@code x.mul(float)}). */
    public static NDArray mul(NDArray x, float v) {
        return x.mul(scalar(x.getManager(), v, DataType.FLOAT32));
    }

    /** {@code x * v} with a float64 scalar (as {@code x.mul(double)}). */
    public static NDArray mul(NDArray x, double v) {
        return x.mul(scalar(x.getManager(), v, DataType.FLOAT64));
    }

    /** {@code x / v} with a float32 scalar (as {@code x.div(float)}). */
    public static NDArray div(NDArray x, float v) {
        return x.div(scalar(x.getManager(), v, DataType.FLOAT32));
    }

    /** {@code x / v} with a float64 scalar (as {@code x.div(double)}). */
    public static NDArray div(NDArray x, double v) {
        return x.div(scalar(x.getManager(), v, DataType.FLOAT64));
    }

    /** {@code x ^ v} with a float32 exponent (as {@code x.pow(float)}). */
    public static NDArray pow(NDArray x, float v) {
        return x.pow(scalar(x.getManager(), v, DataType.FLOAT32));
    }

    /** {@code x ^ v} with a float64 exponent (as {@code x.pow(double)}). */
    public static NDArray pow(NDArray x, double v) {
        return x.pow(scalar(x.getManager(), v, DataType.FLOAT64));
    }

    /** {@code x + v} with a float32 scalar (as {@code x.add(float)}). */
    public static NDArray add(NDArray x, float v) {
        return x.add(scalar(x.getManager(), v, DataType.FLOAT32));
    }

    /** {@code x + v} with a float64 scalar (as {@code x.add(double)}). */
    public static NDArray add(NDArray x, double v) {
        return x.add(scalar(x.getManager(), v, DataType.FLOAT64));
    }

    /** {@code x - v} with a float32 scalar (as {@code x.sub(float)}). */
    public static NDArray sub(NDArray x, float v) {
        return x.sub(scalar(x.getManager(), v, DataType.FLOAT32));
    }

    /** {@code x - v} with a float64 scalar (as {@code x.sub(double)}). */
    public static NDArray sub(NDArray x, double v) {
        return x.sub(scalar(x.getManager(), v, DataType.FLOAT64));
    }
}
