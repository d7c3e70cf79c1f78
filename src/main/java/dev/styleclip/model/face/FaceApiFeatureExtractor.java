package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFileException;

import java.util.ArrayList;
import java.util.List;

/**
 * face-api's FaceFeatureExtractor (dense blocks of a first strided conv plus separable convs with dense residual sums,
 * then avgPool 7×7/2 'valid'), shared by the 68-point landmark net and the expression net (each with its own weights).
 * Block and conv counts are read from the weights (dense0…, conv0…).
 */
final class FaceApiFeatureExtractor {
    /** Per block: conv0 {W, B} (plain when first) or {dw, pw, B}; then convs 1.. as {dw, pw, B}. */
    private final List<List<NDArray[]>> blocks = new ArrayList<>();

    FaceApiFeatureExtractor(FaceApiWeights w) throws ModelFileException {
        for (int b = 0; w.has("dense" + b + "/conv0/bias"); b++) {
            List<NDArray[]> convs = new ArrayList<>();
            for (int c = 0; w.has("dense" + b + "/conv" + c + "/bias"); c++) {
                String p = "dense" + b + "/conv" + c + "/";
                if (w.has(p + "filters")) convs.add(new NDArray[]{w.conv(p + "filters"), w.vec(p + "bias")});
                else convs.add(new NDArray[]{w.depthwise(p + "depthwise_filter"), w.conv(p + "pointwise_filter"), w.vec(p + "bias")});
            }
            blocks.add(convs);
        }
        if (blocks.isEmpty()) throw new ModelFileException(w.store.source(), "no dense blocks (dense0/conv0)");
    }

    private static NDArray apply(NDArray x, NDArray[] p, int stride) {
        if (p.length == 2) return FaceApiOps.conv(x, p[0], p[1], stride, true);
        return FaceApiOps.separable(x, p[0], p[1], p[2], stride);
    }

    /** Normalised NCHW input → pooled features [1, C, 1, 1]. */
    NDArray forward(NDArray x) {
        for (List<NDArray[]> convs : blocks) {
            NDArray out1 = apply(x, convs.get(0), 2).maximum(0f);
            NDArray sum = out1;
            NDArray in = out1;
            for (int c = 1; c < convs.size(); c++) {
                NDArray o = apply(in, convs.get(c), 1);
                sum = sum.add(o);
                in = sum.maximum(0f);
            }
            x = in;
        }
        return FaceApiOps.avgPoolValid(x, 7, 2);
    }

    static final float[] MEAN_RGB = {122.782f, 117.001f, 104.298f};

    static NDArray input(NDManager m, float[] nhwc, int size) {
        return FaceApiOps.nchw(m, FaceApiOps.normalizeMean(nhwc, MEAN_RGB), size, size, 3);
    }
}
