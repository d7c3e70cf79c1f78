package dev.styleclip.model.arcface;

import dev.styleclip.io.Format;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.util.SplittableRandom;

/**
 * Synthetic IR / IR-SE state dicts with the key names and shapes of {@code model_irse.Backbone} (deterministic random
 * weights): the demo network and structural tests use them, loaded through the same path as a real file.
 */
public final class IrSeStateDicts {
    private IrSeStateDicts() {
    }

    /**
     * @param inCh        input channels (3 for ArcFace, 6 for the ReStyle encoders)
     * @param stem        input layer width C0
     * @param unitsPerStage units per stage (first unit of each stage has stride 2)
     * @param depths      channel depth per stage
     * @param se          IR-SE (true) or plain IR units
     * @param embedding   output embedding size E, or 0 for no output layer
     * @param inputSize   input size the output layer is built for (112 for IR-SE-50)
     * @param seed        random seed
     */
    public static TensorStore synthetic(int inCh, int stem, int[] unitsPerStage, int[] depths, boolean se, int embedding,
                                        int inputSize, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        MapTensorStore sd = new MapTensorStore("demo IR" + (se ? "-SE" : "") + " network (random weights, seed " + seed + ")",
                Format.SAFETENSORS);
        conv(sd, rnd, "input_layer.0.weight", stem, inCh, 3);
        bn(sd, "input_layer.1.", stem, true);
        fill(sd, "input_layer.2.weight", new long[]{stem}, 0.25f);
        int spatial = inputSize;
        for (int i = 0; i < unitsPerStage.length; i++) spatial /= 2;
        int last = depths[depths.length - 1];
        if (embedding > 0) {
            bn(sd, "output_layer.0.", last, true);
            int k = last * spatial * spatial;
            uniform(sd, rnd, "output_layer.3.weight", new long[]{embedding, k}, Math.sqrt(3.0 / k));
            uniform(sd, rnd, "output_layer.3.bias", new long[]{embedding}, Math.sqrt(1.0 / k));
            bn(sd, "output_layer.4.", embedding, true);
        }
        int u = 0;
        int prev = stem;
        for (int s = 0; s < unitsPerStage.length; s++) {
            for (int j = 0; j < unitsPerStage[s]; j++, u++) {
                int in = j == 0 ? prev : depths[s];
                int d = depths[s];
                String p = "body." + u + ".";
                if (in != d) {
                    conv(sd, rnd, p + "shortcut_layer.0.weight", d, in, 1);
                    bn(sd, p + "shortcut_layer.1.", d, true);
                }
                bn(sd, p + "res_layer.0.", in, true);
                conv(sd, rnd, p + "res_layer.1.weight", d, in, 3);
                fill(sd, p + "res_layer.2.weight", new long[]{d}, 0.25f);
                conv(sd, rnd, p + "res_layer.3.weight", d, d, 3);
                bn(sd, p + "res_layer.4.", d, true);
                if (se) {
                    int h = Math.max(1, d / 16);
                    conv(sd, rnd, p + "res_layer.5.fc1.weight", h, d, 1);
                    conv(sd, rnd, p + "res_layer.5.fc2.weight", d, h, 1);
                }
            }
            prev = depths[s];
        }
        return sd;
    }

    private static void conv(MapTensorStore sd, SplittableRandom rnd, String name, int out, int in, int k) {
        // He-uniform: keeps activations of the same order through the ReLU-like network
        uniform(sd, rnd, name, new long[]{out, in, k, k}, Math.sqrt(6.0 / (in * k * k)) * 0.5);
    }

    private static void uniform(MapTensorStore sd, SplittableRandom rnd, String name, long[] shape, double a) {
        float[] v = new float[Math.toIntExact(Tensor.numel(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * a);
        sd.put(Tensor.ofFloats(name, shape, v));
    }

    private static void fill(MapTensorStore sd, String name, long[] shape, float value) {
        float[] v = new float[Math.toIntExact(Tensor.numel(shape))];
        java.util.Arrays.fill(v, value);
        sd.put(Tensor.ofFloats(name, shape, v));
    }

    private static void bn(MapTensorStore sd, String p, int c, boolean affine) {
        if (affine) {
            fill(sd, p + "weight", new long[]{c}, 1f);
            fill(sd, p + "bias", new long[]{c}, 0f);
        }
        fill(sd, p + "running_mean", new long[]{c}, 0f);
        fill(sd, p + "running_var", new long[]{c}, 1f);
        sd.put(Tensor.ofLongs(p + "num_batches_tracked", new long[0], new long[]{0}));
    }
}
