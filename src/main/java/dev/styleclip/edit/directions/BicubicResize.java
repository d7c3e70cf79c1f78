package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * PyTorch's {@code F.interpolate(mode="bicubic", align_corners=True)} (no antialiasing; cubic convolution with
 * A = −0.75; source taps clamped to the border) as two resampling matrices applied with {@code matMul}: out = Aᵣ·x·Aᶜᵀ.
 * DJL's own interpolation always antialiases, hence this.
 */
public final class BicubicResize {
    private static final double A = -0.75;

    private BicubicResize() {
    }

    /** The [out, in] resampling matrix of one axis (align_corners = True), in float64. */
    public static double[][] matrix(int in, int out) {
        double[][] m = new double[out][in];
        if (in == out) {
            for (int i = 0; i < out; i++) m[i][i] = 1;
            return m;
        }
        // PyTorch computes the source coordinate in the input's accumulate type (float for float input)
        float scale = out > 1 ? (float) (in - 1) / (float) (out - 1) : 0f;
        for (int i = 0; i < out; i++) {
            float src = scale * i;
            int x0 = (int) Math.floor(src);
            float t = src - x0;
            double[] w = {cubic2(t + 1.0), cubic1(t), cubic1(1.0 - t), cubic2(2.0 - t)};
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
            NDArray rows = sub.create(flat(matrix(h, outH)), new Shape(outH, h));
            NDArray cols = sub.create(flat(transpose(matrix(w, outW))), new Shape(w, outW));
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

    private static float[] flat(double[][] m) {
        float[] f = new float[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) f[i * m[0].length + j] = (float) m[i][j];
        return f;
    }
}
