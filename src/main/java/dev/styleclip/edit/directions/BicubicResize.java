package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.nn.Nd;

/**
 * PyTorch's {@code F.interpolate(mode="bicubic", align_corners=True)} (no antialiasing; cubic convolution with
 * A = −0.75; source taps clamped to the border) as two resampling matrices applied with {@code matMul}: out = Aᵣ·x·Aᶜᵀ.
 * DJL's own interpolation always antialiases, hence this. Works in the images' precision (float32 or float64: the
 * matrices are rounded to float32 for float32 images).
 */
public final class BicubicResize {
    private static final double A = -0.75;

    private BicubicResize() {
    }

    /**
     * The [out, in] resampling matrix of one axis (align_corners = True) for float32 input, in float64: PyTorch computes
     * the source coordinate in the input's accumulate type, float for float32 input.
     */
    public static double[][] matrix(int in, int out) {
        return matrix(in, out, DataType.FLOAT32);
    }

    /**
     * The [out, in] resampling matrix of one axis (align_corners = True) for input of type {@code t}: float64 input has
     * its source coordinates computed in float64 (PyTorch's accumulate type for double), anything else in float32.
     */
    public static double[][] matrix(int in, int out, DataType t) {
        double[][] m = new double[out][in];
        if (in == out) {
            for (int i = 0; i < out; i++) m[i][i] = 1;
            return m;
        }
        boolean f64 = t == DataType.FLOAT64;
        // PyTorch computes the source coordinate in the input's accumulate type (float for float input)
        float scale = out > 1 ? (float) (in - 1) / (float) (out - 1) : 0f;
        double scale64 = out > 1 ? (double) (in - 1) / (out - 1) : 0;
        for (int i = 0; i < out; i++) {
            int x0;
            double t0;
            if (f64) {
                double src = scale64 * i;
                x0 = (int) Math.floor(src);
                t0 = src - x0;
            } else {
                float src = scale * i;
                x0 = (int) Math.floor(src);
                t0 = src - x0;
            }
            double[] w = {cubic2(t0 + 1.0), cubic1(t0), cubic1(1.0 - t0), cubic2(2.0 - t0)};
            for (int k = 0; k < 4; k++) {
                int j = Math.min(Math.max(x0 - 1 + k, 0), in - 1);
                m[i][j] += w[k];
            }
        }
        return m;
    }

    private static double cubic1(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double cubic2(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }

    /** images [B, C, H, W] → [B, C, outH, outW], differentiable; the result is in the images' manager. */
    public static NDArray resize(NDArray images, int outH, int outW) {
        Shape s = images.getShape();
        int h = (int) s.get(2), w = (int) s.get(3);
        if (h == outH && w == outW) return images.duplicate();
        NDManager caller = images.getManager();
        try (NDManager sub = caller.newSubManager()) {
            images.tempAttach(sub);
            DataType t = Nd.floatType(images);
            NDArray rows = Nd.constant(sub, flat(matrix(h, outH, t)), new Shape(outH, h), t);
            NDArray cols = Nd.constant(sub, flat(transpose(matrix(w, outW, t))), new Shape(w, outW), t);
            NDArray out = rows.matMul(images.matMul(cols));
            out.attach(caller);
            return out;
        }
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[m[0].length][m.length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) t[j][i] = m[i][j];
        return t;
    }

    private static double[] flat(double[][] m) {
        double[] f = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, f, i * m[0].length, m[0].length);
        return f;
    }
}
