package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

import java.util.ArrayList;
import java.util.List;

/**
 * face-api's Tiny Face Detector ({@code tiny_face_detector_model}, a separable-conv Tiny YOLOv2): conv0 3×3 'valid' +
 * leaky, then zero-pad-1 separable convs with 2×2 max pools ('same'), and a 1×1 output conv of
 * {@code anchors × 5} channels. The fast detector option; SSD is the default.
 */
public final class TinyFaceDetector implements AutoCloseable {
    public static final String MODEL = "tiny_face_detector_model";
    public static final int DEFAULT_INPUT_SIZE = 416;
    public static final double SCORE_THRESHOLD = 0.5;
    public static final double IOU_THRESHOLD = 0.4;
    public static final double[][] ANCHORS = {
            {1.603231, 2.094468}, {6.041143, 7.080126}, {2.882459, 3.518061}, {4.266906, 5.178857}, {9.041765, 10.66308}};
    public static final float[] MEAN_RGB = {117.001f, 114.697f, 97.404f};

    private final NDManager manager;
    private final NDArray conv0W, conv0B, conv8W, conv8B;
    private final List<NDArray[]> seps = new ArrayList<>();

    /** Raw output: NHWC {@code cells × cells × channels}. */
    public record Output(float[] data, int cells, int channels) {
    }

    private TinyFaceDetector(TensorStore store, NDManager parent) throws ModelFileException {
        manager = parent.newSubManager();
        try {
            FaceApiWeights w = new FaceApiWeights(store, manager);
            conv0W = w.conv("conv0/filters");
            conv0B = w.vec("conv0/bias");
            for (int i = 1; w.has("conv" + i + "/depthwise_filter"); i++) {
                seps.add(new NDArray[]{w.depthwise("conv" + i + "/depthwise_filter"), w.conv("conv" + i + "/pointwise_filter"),
                        w.vec("conv" + i + "/bias")});
            }
            conv8W = w.conv("conv8/filters");
            conv8B = w.vec("conv8/bias");
            if (seps.size() < 5) throw new ModelFileException(store.source(), "expected conv1…conv5, found " + seps.size());
            if (w.tensor("conv8/filters").shape()[3] != ANCHORS.length * 5L) {
                throw new ModelFileException(store.source(), "conv8 has " + w.tensor("conv8/filters").shape()[3]
                        + " channels, expected " + ANCHORS.length * 5);
            }
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public static TinyFaceDetector load(TensorStore store, NDManager manager) throws ModelFileException {
        return new TinyFaceDetector(store, manager);
    }

    public static TinyFaceDetector load(java.nio.file.Path faceApiDir, NDManager manager) throws ModelFileException {
        return load(FaceApiWeights.open(faceApiDir, MODEL), manager);
    }

    private static NDArray leaky(NDArray x) {
        NDArray min = x.mul(0.10000000149011612f);
        return x.sub(min).maximum(0f).add(min);
    }

    /** Runs the net on a preprocessed NHWC input (values 0…255, {@link FaceApiInput#toBatch}). */
    public Output forward(float[] nhwc, int size) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = FaceApiOps.nchw(m, FaceApiOps.normalizeMean(nhwc, MEAN_RGB), size, size, 3);
            x = leaky(FaceApiOps.conv(x, conv0W, conv0B, 1, false));
            x = FaceApiOps.maxPoolSame(x, 2, 2);
            for (int i = 0; i < seps.size(); i++) {
                NDArray[] p = seps.get(i);
                x = x.pad(new ai.djl.ndarray.types.Shape(1, 1, 1, 1), 0);
                x = leaky(FaceApiOps.conv(FaceApiOps.depthwise(x, p[0], 1, false), p[1], p[2], 1, false));
                if (i < 4) x = FaceApiOps.maxPoolSame(x, 2, 2);
                else if (i == 4) x = FaceApiOps.maxPoolSame(x, 2, 1);
            }
            x = FaceApiOps.conv(x, conv8W, conv8B, 1, false);
            int cells = (int) x.getShape().get(2);
            return new Output(FaceApiOps.nhwcFloats(x), cells, (int) x.getShape().get(1));
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
