package dev.styleclip.video;

import java.util.Arrays;

/**
 * A symmetric smoothing kernel run along time over a clip's per-frame values (alignment crops, latents), keeping every
 * frame: before the first frame and after the last the sequence is mirrored (… c b a | a b c … x y z | z y x …, scipy's
 * {@code mode='reflect'}, which STIT's {@code gaussian_filter1d} uses), so the ends are smoothed with the weights
 * renormalised by the mirror instead of being cut off.
 * <p>
 * stylegan3-editing smooths latents with its five weights as a "valid" convolution ({@code ws[2:-2] + …}): a clip of
 * n frames comes back with n − 4, and its video is two frames short at each end — out of step with the sound, and
 * wrong for paste-back into the original frames. {@link #fiveTap()} gives the same weights with the mirror instead.
 */
public final class TemporalFilter {
    private final double[] weights; // odd length, symmetric, summing to 1

    private TemporalFilter(double[] weights) {
        this.weights = weights;
    }

    /**
     * A Gaussian of standard deviation {@code sigma} frames, truncated at 4σ as scipy does (radius {@code int(4σ + 0.5)});
     * sigma 0 leaves the values as they are.
     */
    public static TemporalFilter gaussian(double sigma) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) throw new IllegalArgumentException("sigma must be finite and ≥ 0: " + sigma);
        int r = (int) (4 * sigma + 0.5);
        double[] w = new double[2 * r + 1];
        double sum = 0;
        for (int i = -r; i <= r; i++) {
            w[i + r] = r == 0 ? 1 : Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += w[i + r];
        }
        for (int i = 0; i < w.length; i++) w[i] /= sum;
        return new TemporalFilter(w);
    }

    /** stylegan3-editing's latent smoothing weights, (1, 3, 4, 3, 1) / 12, with mirrored ends. */
    public static TemporalFilter fiveTap() {
        return new TemporalFilter(new double[]{1 / 12.0, 3 / 12.0, 4 / 12.0, 3 / 12.0, 1 / 12.0});
    }

    /** Frames on each side that take part in one frame's value. */
    public int radius() {
        return weights.length / 2;
    }

    public double[] weights() {
        return weights.clone();
    }

    /** Smooths {@code series[frame][value]} along frames; returns as many frames as it was given. */
    public double[][] apply(double[][] series) {
        int n = series.length;
        if (n == 0) return new double[0][];
        int m = series[0].length;
        double[][] out = new double[n][m];
        int r = radius();
        for (int t = 0; t < n; t++) {
            if (series[t].length != m) throw new IllegalArgumentException("frame " + t + " has " + series[t].length + " values, frame 0 has " + m);
            for (int k = -r; k <= r; k++) {
                double w = weights[k + r];
                double[] src = series[mirror(t + k, n)];
                double[] dst = out[t];
                for (int j = 0; j < m; j++) dst[j] += w * src[j];
            }
        }
        return out;
    }

    /** {@link #apply(double[][])} for float values (a clip's latents), accumulated in double. */
    public float[][] apply(float[][] series) {
        int n = series.length;
        if (n == 0) return new float[0][];
        int m = series[0].length;
        int r = radius();
        float[][] out = new float[n][m];
        double[] acc = new double[m];
        for (int t = 0; t < n; t++) {
            if (series[t].length != m) throw new IllegalArgumentException("frame " + t + " has " + series[t].length + " values, frame 0 has " + m);
            Arrays.fill(acc, 0);
            for (int k = -r; k <= r; k++) {
                double w = weights[k + r];
                float[] src = series[mirror(t + k, n)];
                for (int j = 0; j < m; j++) acc[j] += w * src[j];
            }
            for (int j = 0; j < m; j++) out[t][j] = (float) acc[j];
        }
        return out;
    }

    /** scipy's 'reflect' index: half-sample symmetric, repeated for kernels longer than the clip. */
    static int mirror(int i, int n) {
        int period = 2 * n;
        int k = Math.floorMod(i, period);
        return k < n ? k : period - 1 - k;
    }
}
