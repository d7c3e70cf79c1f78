package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.nn.Nd;

/**
 * The synthesis input: Fourier features of fixed random frequencies, rotated and translated by the transform that the
 * first w's affine output (r_c, r_s, t_x, t_y) describes, composed with the user transform, faded out near the
 * bandwidth, then mixed by a trainable 1×1 convolution. Output [N, C, size, size].
 */
final class SynthesisInput {
    private final int channels, size;
    private final double samplingRate, bandwidth;
    private final NDArray affineWT, affineB, freqsT, phases, mixWeight, gridX, gridY;
    private final double[][] storedTransform;

    SynthesisInput(ParamReader p, StyleGan3Config config, int wDim) throws ModelFileException {
        this.channels = (int) p.tensor("synthesis.input.weight").shape()[0];
        this.size = config.inputSize;
        this.samplingRate = config.inputSamplingRate;
        this.bandwidth = config.inputBandwidth;
        affineWT = p.transposedScaled("synthesis.input.affine.weight", 1 / Math.sqrt(wDim));
        affineB = p.param("synthesis.input.affine.bias");
        float[] fr = p.tensor("synthesis.input.freqs").toFloatArray();
        float[] frT = new float[fr.length]; // stored [C, 2], kept as [2, C]
        for (int c = 0; c < channels; c++) {
            frT[c] = fr[2 * c];
            frT[channels + c] = fr[2 * c + 1];
        }
        freqsT = p.constant(frT, new Shape(2, channels));
        phases = p.param("synthesis.input.phases");
        float[] mix = p.tensor("synthesis.input.weight").toFloatArray();
        if (p.f64()) {
            double[] mix64 = new double[mix.length];
            double mg = Math.sqrt(channels);
            for (int i = 0; i < mix.length; i++) mix64[i] = mix[i] / mg;
            mixWeight = p.constant(mix64, new Shape(channels, channels, 1, 1));
        } else {
            float mg = (float) Math.sqrt(channels);
            for (int i = 0; i < mix.length; i++) mix[i] = mix[i] / mg;
            mixWeight = p.constant(mix, new Shape(channels, channels, 1, 1));
        }
        float[] tr = p.tensor("synthesis.input.transform").toFloatArray();
        storedTransform = new double[3][3];
        for (int i = 0; i < 9; i++) storedTransform[i / 3][i % 3] = tr[i];
        double theta = 0.5 * size / samplingRate;
        if (p.f64()) {
            gridX = p.constant(grid64(size, theta), new Shape(1, 1, 1, size));
            gridY = p.constant(grid64(size, theta), new Shape(1, 1, size, 1));
        } else {
            gridX = p.constant(grid(size, theta), new Shape(1, 1, 1, size));
            gridY = p.constant(grid(size, theta), new Shape(1, 1, size, 1));
        }
    }

    int channels() {
        return channels;
    }

    int size() {
        return size;
    }

    double[][] storedTransform() {
        double[][] c = new double[3][];
        for (int i = 0; i < 3; i++) c[i] = storedTransform[i].clone();
        return c;
    }

    /** The affine output t = (r_c, r_s, t_x, t_y) of w [N, w_dim], unnormalised. */
    NDArray style(NDArray w) {
        return w.matMul(affineWT).add(affineB);
    }

    /**
     * Fourier features [N, C, size, size] for styles t [N, 4]; {@code normalize} divides t by ‖(r_c, r_s)‖ first (as
     * from w; StyleSpace values come normalised); {@code transform} is the user's inverse transform (null = stored).
     * Temporaries go to t's manager.
     */
    NDArray forward(NDArray t, double[][] transform, boolean normalize) {
        if (transform == null) transform = storedTransform;
        NDManager m = t.getManager();
        long n = t.getShape().get(0);
        int c = channels;
        if (normalize) t = t.div(t.get(new NDIndex(":, 0:2")).norm(new int[]{1}, true));
        NDArray rc = t.get(new NDIndex(":, 0"));
        NDArray rs = t.get(new NDIndex(":, 1"));
        NDArray tx = t.get(new NDIndex(":, 2"));
        NDArray ty = t.get(new NDIndex(":, 3"));
        NDArray zero = m.zeros(new Shape(n), t.getDataType());
        NDArray one = m.ones(new Shape(n), t.getDataType());
        NDArray mr = NDArrays.stack(new NDList(rc, rs.neg(), zero, rs, rc, zero, zero, zero, one), 1).reshape(n, 3, 3);
        NDArray mt = NDArrays.stack(new NDList(one, zero, tx.neg(), zero, one, ty.neg(), zero, zero, one), 1).reshape(n, 3, 3);
        double[] tr = new double[9];
        for (int i = 0; i < 9; i++) tr[i] = transform[i / 3][i % 3];
        NDArray mat = mr.matMul(mt).matMul(Nd.constant(m, tr, new Shape(1, 3, 3), t.getDataType())); // [N,3,3]
        // phases + freqs·m[:2, 2];  freqs·m[:2, :2]   (freqs kept transposed [2, C])
        NDArray mT = mat.get(new NDIndex(":, 0:2, :")).transpose(0, 2, 1); // [N,3,2]: rows = columns of m[:2]
        NDArray fm = mT.matMul(freqsT); // [N,3,C]: row j = Σ_i freqs[:, i]·m[i, j]
        NDArray fx = fm.get(new NDIndex(":, 0, :"));
        NDArray fy = fm.get(new NDIndex(":, 1, :"));
        NDArray ph = fm.get(new NDIndex(":, 2, :")).add(phases);
        NDArray amp = Nd.addLike(Nd.divLike(Nd.subLike(fx.square().add(fy.square()).sqrt(), bandwidth),
                samplingRate / 2 - bandwidth).neg(), 1).clip(0, 1);
        NDArray arg = fx.reshape(n, c, 1, 1).mul(gridX).add(fy.reshape(n, c, 1, 1).mul(gridY))
                .add(ph.reshape(n, c, 1, 1));
        NDArray feat = Nd.mulLike(arg, Math.PI * 2).sin().mul(amp.reshape(n, c, 1, 1));
        return Conv2d.conv2d(feat, mixWeight).singletonOrThrow();
    }

    /** affine_grid (align_corners=False) coordinates along one axis, scaled by theta, as float32 like the reference. */
    private static float[] grid(int n, double theta) {
        float[] g = new float[n];
        float step = n > 1 ? 2f / (n - 1) : 0f;
        for (int i = 0; i < n; i++) {
            float base = n <= 1 ? 0f : (i < n / 2 ? -1f + step * i : 1f - step * (n - i - 1));
            base = base * (n - 1) / n;
            g[i] = base * (float) theta;
        }
        return g;
    }

    /** {@link #grid} in float64 throughout. */
    private static double[] grid64(int n, double theta) {
        double[] g = new double[n];
        double step = n > 1 ? 2.0 / (n - 1) : 0;
        for (int i = 0; i < n; i++) {
            double base = n <= 1 ? 0 : (i < n / 2 ? -1 + step * i : 1 - step * (n - i - 1));
            base = base * (n - 1) / n;
            g[i] = base * theta;
        }
        return g;
    }
}
