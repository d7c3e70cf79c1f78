package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
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
