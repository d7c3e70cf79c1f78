package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * TF.js-semantics building blocks on DJL NCHW arrays: TF {@code 'same'} padding is asymmetric (all the odd pixel
 * after), so every {@code 'same'} op pads explicitly (zeros for convolutions, −∞ for max pools) and runs with
 * padding 0.
 */
final class FaceApiOps {
    private FaceApiOps() {
    }

    /** TF 'same' padding of one axis: {before, after}. */
    static int[] samePad(long n, int k, int s) {
        long out = (n + s - 1) / s;
        long total = Math.max((out - 1) * s + k - n, 0);
        return new int[]{(int) (total / 2), (int) (total - total / 2)};
    }

    static NDArray padSame(NDArray x, int kh, int kw, int s, double value) {
        Shape sh = x.getShape();
        int[] ph = samePad(sh.get(2), kh, s);
        int[] pw = samePad(sh.get(3), kw, s);
        if (ph[0] == 0 && ph[1] == 0 && pw[0] == 0 && pw[1] == 0) return x;
        return x.pad(new Shape(pw[0], pw[1], ph[0], ph[1]), value);
    }

    /** Plain conv (weight OIHW), TF padding 'same' or 'valid', optional bias. */
    static NDArray conv(NDArray x, NDArray w, NDArray b, int stride, boolean same) {
        Shape ws = w.getShape();
        if (same) x = padSame(x, (int) ws.get(2), (int) ws.get(3), stride, 0);
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(0, 0), new Shape(1, 1), 1).singletonOrThrow();
    }

    /** Depthwise conv (weight [C,1,kh,kw]), TF padding 'same' or 'valid', no bias. */
    static NDArray depthwise(NDArray x, NDArray w, int stride, boolean same) {
        Shape ws = w.getShape();
        if (same) x = padSame(x, (int) ws.get(2), (int) ws.get(3), stride, 0);
        return ai.djl.nn.convolutional.Conv2d.conv2d(x, w, null, new Shape(stride, stride), new Shape(0, 0), new Shape(1, 1),
                (int) ws.get(0)).singletonOrThrow();
    }

    /** {@code tf.separableConv2d(x, dw, pw, stride, 'same') + bias}. */
    static NDArray separable(NDArray x, NDArray dw, NDArray pw, NDArray bias, int stride) {
        return conv(depthwise(x, dw, stride, true), pw, bias, 1, false);
    }

    static NDArray maxPoolSame(NDArray x, int k, int s) {
        x = padSame(x, k, k, s, Double.NEGATIVE_INFINITY);
        return Pool.maxPool2d(x, new Shape(k, k), new Shape(s, s), new Shape(0, 0), false);
    }

    static NDArray maxPoolValid(NDArray x, int k, int s) {
        return Pool.maxPool2d(x, new Shape(k, k), new Shape(s, s), new Shape(0, 0), false);
    }

    static NDArray avgPoolValid(NDArray x, int k, int s) {
        return Pool.avgPool2d(x, new Shape(k, k), new Shape(s, s), new Shape(0, 0), false, true);
    }

    /** NHWC float data (one image) to an NCHW array. */
    static NDArray nchw(NDManager m, float[] nhwc, int h, int w, int c) {
        return m.create(nhwc, new Shape(1, h, w, c)).transpose(0, 3, 1, 2);
    }

    /** An NCHW array back to NHWC-ordered floats. */
    static float[] nhwcFloats(NDArray x) {
        return x.transpose(0, 2, 3, 1).toFloatArray();
    }

    /** {@code (x − mean[c]) / 255} per channel on NHWC floats (float32 arithmetic as tf.sub / tf.div). */
    static float[] normalizeMean(float[] nhwc, float[] mean) {
        float[] out = new float[nhwc.length];
        int c = mean.length;
        for (int i = 0; i < out.length; i++) out[i] = (nhwc[i] - mean[i % c]) / 255f;
        return out;
    }

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) max = Math.max(max, v);
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] out = new float[logits.length];
        for (int i = 0; i < e.length; i++) out[i] = (float) (e[i] / sum);
        return out;
    }
}
