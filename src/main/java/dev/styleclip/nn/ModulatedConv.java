package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Style-modulated 2-D convolution (StyleGAN2/3): per-sample weights {@code w · s} (optionally demodulated to unit
 * output norm), run for the whole batch as one grouped convolution (groups = N).
 */
public final class ModulatedConv {
    private ModulatedConv() {
    }

    /**
     * Pre-normalises conv weights [O, I, k, k] for demodulation (each output filter scaled to unit RMS), as the StyleGAN3
     * reference does before modulating; result in the weight's manager and dtype.
     */
    public static NDArray normalizeWeight(NDArray weight) {
        long[] s = weight.getShape().getShape();
        long fanIn = s[1] * s[2] * s[3];
        return weight.mul(Nd.pow(Nd.divLike(weight.square().sum(new int[]{1, 2, 3}, true), fanIn), -0.5));
    }

    /**
     * @param x          input [N, I, H, W] (its manager receives the temporaries)
     * @param weight     [O, I, k, k]: pre-normalised with {@link #normalizeWeight} when {@code demodulate}
     * @param styles     [N, I]
     * @param demodulate whether to normalise styles (over the whole batch, as the reference) and demodulate
     * @param inputGain  scalar multiplied into the final weights (e.g. 1/√magnitude_ema), in x's precision (float32:
     *                   rounded once)
     * @param bias       [O] added to the output, or null
     * @param padding    zero padding on every side
     * @return [N, O, H + 2·padding − k + 1, W + 2·padding − k + 1]
     */
    public static NDArray forward(NDArray x, NDArray weight, NDArray styles, boolean demodulate, double inputGain,
                                  NDArray bias, int padding) {
        Weights wm = modulate(weight, styles, demodulate, inputGain, bias);
        return convolve(x, wm, padding, padding);
    }

    /**
     * The per-sample weights of a modulated convolution, ready for {@link #convolve}: [N·O, I, k, k] (the batch as
     * groups) and the bias repeated per sample.
     */
    public record Weights(NDArray weight, NDArray bias, long samples, long out, long kernel) {
    }

    /** Modulates (and demodulates) the weights for styles [N, I]; results in the styles' manager. */
    public static Weights modulate(NDArray weight, NDArray styles, boolean demodulate, double inputGain, NDArray bias) {
        long n = styles.getShape().get(0);
        long[] ws = weight.getShape().getShape();
        long co = ws[0], ci = ws[1], kh = ws[2], kw = ws[3];
        NDArray wm;
        if (demodulate) {
            NDArray sn = styles.mul(Nd.pow(styles.square().mean(), -0.5));
            wm = sn.reshape(n, 1, ci, 1, 1).mul(weight); // [N, O, I, k, k]
            NDArray d = Nd.mulLike(Nd.pow(Nd.addLike(wm.square().sum(new int[]{2, 3, 4}), 1e-8), -0.5), inputGain);
            wm = wm.mul(d.reshape(n, co, 1, 1, 1));
        } else {
            wm = Nd.mulLike(styles, inputGain).reshape(n, 1, ci, 1, 1).mul(weight);
        }
        NDArray b = bias;
        if (bias != null && n > 1) {
            b = styles.getManager().zeros(new Shape(n, co), bias.getDataType()).add(bias).reshape(n * co);
        }
        return new Weights(wm.reshape(n * co, ci, kh, kw), b, n, co, kh);
    }

    /**
     * The convolution of x [N, I, H, W] with modulated weights, zero-padded by {@code padY} rows and {@code padX}
     * columns on each side: [N, O, H + 2·padY − k + 1, W + 2·padX − k + 1].
     */
    public static NDArray convolve(NDArray x, Weights w, int padY, int padX) {
        Shape xs = x.getShape();
        long n = xs.get(0), ci = xs.get(1), h = xs.get(2), wd = xs.get(3);
        long k = w.kernel();
        // the view handles are closed at once: a view left open keeps its (large) storage alive until the caller's
        // scope ends, and the caller may want to free the input as soon as the convolution has read it
        try (NDArray xv = x.reshape(1, n * ci, h, wd);
             NDArray y = Conv2d.conv2d(xv, w.weight(), w.bias(), new Shape(1, 1), new Shape(padY, padX),
                     new Shape(1, 1), (int) n).singletonOrThrow()) {
            return y.reshape(n, w.out(), h + 2L * padY - k + 1, wd + 2L * padX - k + 1);
        }
    }
}
