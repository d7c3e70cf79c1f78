package dev.styleclip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.nn.Nd;

/**
 * StyleCLIP's CLIP input for generator images ({@code criteria/clip_loss.py}): nearest upsampling by u, then average
 * pooling with kernel = stride = k, on the raw (about [−1, 1]) image, with no CLIP mean/std normalisation by default.
 * StyleCLIP uses u = 7 and k = S/32 (1024 → 7168 → 224); in general u·S = k·R with u = 7 when 7·S is divisible by R,
 * else the smallest u for which u·S is.
 *
 * <p>Implemented exactly as the composition of the two ops, but without materialising the u-times larger image: per
 * axis the composition is a fixed [R, S] matrix of integer counts ({@code A[i][j]} = how many of the k upsampled
 * samples pooled into output i are copies of input j), so the output is {@code A · x · Aᵀ / k²} — two matrix
 * products, differentiable with respect to the input.
 *
 * <p>The optional normalised variant additionally maps [−1, 1] to [0, 1] and applies CLIP's mean/std (off by
 * default, as in StyleCLIP).
 */
public final class StyleClipFrontEnd {
    private final int inputSize;
    private final int outputSize;
    private final int upsample;
    private final int kernel;
    private final boolean normalize;
    private final float[] counts;

    /** The front end from S×S generator images to R×R CLIP input, StyleCLIP's un-normalised variant. */
    public StyleClipFrontEnd(int inputSize, int outputSize) {
        this(inputSize, outputSize, false);
    }

    public StyleClipFrontEnd(int inputSize, int outputSize, boolean normalize) {
        if (inputSize <= 0 || outputSize <= 0) throw new IllegalArgumentException("sizes must be positive");
        this.inputSize = inputSize;
        this.outputSize = outputSize;
        this.upsample = upsampleFactor(inputSize, outputSize);
        this.kernel = upsample * inputSize / outputSize;
        this.normalize = normalize;
        this.counts = new float[outputSize * inputSize];
        for (int i = 0; i < outputSize; i++) {
            for (int t = 0; t < kernel; t++) {
                int j = (i * kernel + t) / upsample;
                counts[i * inputSize + j] += 1f;
            }
        }
    }

    /** u: 7 when 7·S is divisible by R, else the smallest u with u·S divisible by R. */
    public static int upsampleFactor(int inputSize, int outputSize) {
        if ((7L * inputSize) % outputSize == 0) return 7;
        for (int u = 1; ; u++) {
            if (((long) u * inputSize) % outputSize == 0) return u;
        }
    }

    /** k = u·S / R. */
    public static int poolKernel(int inputSize, int outputSize) {
        return upsampleFactor(inputSize, outputSize) * inputSize / outputSize;
    }

    public int inputSize() {
        return inputSize;
    }

    public int outputSize() {
        return outputSize;
    }

    public int upsample() {
        return upsample;
    }

    public int kernel() {
        return kernel;
    }

    public boolean normalized() {
        return normalize;
    }

    /** CLIP input [B, 3, R, R] of generator images [B, 3, S, S]; the result is in the images' manager. */
    public NDArray apply(NDArray images) {
        Shape s = images.getShape();
        if (s.dimension() != 4 || s.get(2) != inputSize || s.get(3) != inputSize) {
            throw new IllegalArgumentException("expected images [B, C, " + inputSize + ", " + inputSize + "], got " + s);
        }
        NDManager out = images.getManager();
        try (NDManager sub = out.newSubManager()) {
            images.tempAttach(sub);
            NDArray a = Nd.constant(sub, counts, new Shape(outputSize, inputSize));
            NDArray x = a.matMul(images.matMul(a.transpose()));
            x = Nd.div(x, (float) kernel * kernel);
            if (normalize) {
                if (s.get(1) != 3) throw new IllegalArgumentException("normalisation needs 3 channels, got " + s.get(1));
                NDArray mean = Nd.constant(sub, ClipPreprocess.MEAN, new Shape(1, 3, 1, 1));
                NDArray std = Nd.constant(sub, ClipPreprocess.STD, new Shape(1, 3, 1, 1));
                x = Nd.div(Nd.add(x, 1f), 2f).sub(mean).div(std);
            }
            x.attach(out);
            return x;
        }
    }
}
