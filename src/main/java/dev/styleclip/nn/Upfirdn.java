package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Up-sample, FIR-filter, down-sample (upfirdn2d) for NCHW tensors, and the polyphase planning that the fast
 * filtered leaky ReLU ({@link FilteredLrelu}) builds on.
 *
 * <p>Semantics (as the StyleGAN reference op): insert {@code up−1} zeros after every sample, pad (negative = crop)
 * by {@code [x0, x1, y0, y1]}, convolve with the filter (a true convolution: the filter is flipped; a 1-D filter is
 * applied along x then along y, each pass scaled by √gain, a 2-D one scaled by gain), keep every {@code down}-th
 * sample starting at 0. The filter taps take the input's precision (float32 or float64).
 */
public final class Upfirdn {
    private Upfirdn() {
    }

    /**
     * The straightforward upfirdn2d (zero stuffing and full-rate filtering): slow, used where no polyphase plan applies
     * and as the yardstick in tests.
     *
     * @param f      filter taps: 1-D (separable, length k) or 2-D row-major (k×k) when {@code radial}; null = identity
     * @param radial whether {@code f} is a 2-D k×k filter
     */
    public static NDArray upfirdn2d(NDArray x, float[] f, boolean radial, int up, int down, int[] pad, double gain) {
        NDManager m = x.getManager();
        Shape s = x.getShape();
        long n = s.get(0), c = s.get(1), h = s.get(2), w = s.get(3);
        if (up > 1) {
            x = x.reshape(n, c, h, 1, w, 1).pad(new Shape(0, up - 1, 0, 0, 0, up - 1), 0).reshape(n, c, h * up, w * up);
        }
        x = padOrCrop(x, pad[0], pad[1], pad[2], pad[3]);
        if (f != null) {
            if (radial) {
                int k = (int) Math.round(Math.sqrt(f.length));
                double[] g = new double[f.length];
                for (int i = 0; i < k; i++) for (int j = 0; j < k; j++) g[i * k + j] = f[(k - 1 - i) * k + (k - 1 - j)] * gain;
                NDArray wt = Nd.constant(m, g, new Shape(1, 1, k, k), Nd.floatType(x)).repeat(0, c);
                x = Conv2d.conv2d(x, wt, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), (int) c).singletonOrThrow();
            } else {
                int k = f.length;
                double g1 = Math.sqrt(gain);
                double[] g = new double[k];
                for (int i = 0; i < k; i++) g[i] = f[k - 1 - i] * g1;
                NDArray wx = Nd.constant(m, g, new Shape(1, 1, 1, k), Nd.floatType(x)).repeat(0, c);
                NDArray wy = Nd.constant(m, g, new Shape(1, 1, k, 1), Nd.floatType(x)).repeat(0, c);
                x = Conv2d.conv2d(x, wx, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), (int) c).singletonOrThrow();
                x = Conv2d.conv2d(x, wy, null, new Shape(1, 1), new Shape(0, 0), new Shape(1, 1), (int) c).singletonOrThrow();
            }
        } else if (gain != 1) {
            x = Nd.mul(x, gain);
        }
        if (down > 1) x = x.get(new NDIndex(":, :, ::" + down + ", ::" + down));
        return x;
    }

    /**
     * Zero-pads the last two axes of x (NCHW) by x0/x1 columns and y0/y1 rows; negative amounts crop instead.
     */
    public static NDArray padOrCrop(NDArray x, int x0, int x1, int y0, int y1) {
        NDArray cropped = x;
        if (x0 < 0 || x1 < 0 || y0 < 0 || y1 < 0) {
            Shape s = x.getShape();
            long h = s.get(2), w = s.get(3);
            cropped = x.get(new NDIndex(":, :, " + Math.max(-y0, 0) + ":" + (h - Math.max(-y1, 0))
                    + ", " + Math.max(-x0, 0) + ":" + (w - Math.max(-x1, 0))));
        }
        if (x0 > 0 || x1 > 0 || y0 > 0 || y1 > 0) {
            NDArray padded = cropped.pad(new Shape(Math.max(x0, 0), Math.max(x1, 0), Math.max(y0, 0), Math.max(y1, 0)), 0);
            // an intermediate view left open would keep x's storage alive for as long as its manager
            if (cropped != x) cropped.close();
            return padded;
        }
        return cropped;
    }

    /**
     * Polyphase decomposition of "zero-stuff by u, pad by p0, correlate with g" along one axis: output sample
     * {@code t = q·u + r} equals {@code Σ_a H[r][a] · xp[q + a]} where {@code xp} is the input padded by
     * {@link #padLo} zeros in front (negative = cropped) and {@link #padHi} behind, so that exactly {@code q < Q}
     * outputs come out of a valid correlation of length {@link #taps}.
     */
    public static final class UpPlan {
        /** Up factor. */
        public final int u;
        /** Sub-filter length shared by all phases. */
        public final int taps;
        /** Sub-filters [u][taps] (zero-filled where a phase has fewer taps). */
        public final double[][] h;
        /** Zeros to add before the input (negative: samples to drop). */
        public final int padLo;
        /** Zeros to add after the input (negative: samples to drop). */
        public final int padHi;
        /** Number of outputs per phase. */
        public final int q;

        /**
         * @param g  the already flipped and gain-scaled filter (correlation taps), length K
         * @param u  up factor
         * @param p0 the leading pad of upfirdn (negative = crop)
         * @param n  input length
         * @param q  wanted outputs per phase
         */
        public UpPlan(double[] g, int u, int p0, int n, int q) {
            int k = g.length;
            int i0 = Integer.MAX_VALUE, i1 = Integer.MIN_VALUE;
            for (int r = 0; r < u; r++) {
                i0 = Math.min(i0, ceilDiv(r - p0, u));
                i1 = Math.max(i1, Math.floorDiv(k - 1 + r - p0, u));
            }
            this.u = u;
            this.taps = i1 - i0 + 1;
            this.h = new double[u][taps];
            for (int r = 0; r < u; r++) {
                for (int a = 0; a < taps; a++) {
                    int idx = (i0 + a) * u + p0 - r;
                    h[r][a] = idx >= 0 && idx < k ? g[idx] : 0.0;
                }
            }
            this.q = q;
            this.padLo = -i0;
            this.padHi = q + taps - 1 - n - padLo;
        }
    }

    public static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    /** Reverses a 1-D filter and scales it (float64). */
    public static double[] flip(float[] f, double scale) {
        double[] g = new double[f.length];
        for (int i = 0; i < f.length; i++) g[i] = (double) f[f.length - 1 - i] * scale;
        return g;
    }
}
