package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

import java.util.ArrayList;
import java.util.List;

/**
 * face-api's SSD MobileNetV1 face detector ({@code ssd_mobilenetv1_model}): MobileNetV1 (depthwise + BN + ReLU6,
 * pointwise + offset + ReLU6), the prediction layer with six box predictors, and the in-graph box decoding against
 * the stored anchors {@code Output/extra_dim}. The layer count, channels and anchor count come from the weights.
 */
public final class SsdMobilenetV1 implements AutoCloseable {
    public static final String MODEL = "ssd_mobilenetv1_model";
    /** Network input size (the preprocessed square). */
    public static final int INPUT_SIZE = 512;
    private static final float BN_EPS = 0.0010000000474974513f;

    private final NDManager manager;
    private final NDArray conv0W, conv0B;
    private final List<NDArray[]> pairs = new ArrayList<>(); // dw, dwScale, dwShift, pwW, pwB
    private final List<NDArray[]> pred = new ArrayList<>();  // W, B
    private final List<NDArray[]> boxPred = new ArrayList<>(); // boxW, boxB, clsW, clsB
    private final float[] anchors;
    private final int numClasses;

    /** Raw outputs: decoded boxes {@code (ymin, xmin, ymax, xmax)} per anchor and face scores. */
    public record Output(float[] boxes, float[] scores) {
        public int count() {
            return scores.length;
        }
    }

    private SsdMobilenetV1(TensorStore store, NDManager parent) throws ModelFileException {
        manager = parent.newSubManager();
        try {
            FaceApiWeights w = new FaceApiWeights(store, manager);
            conv0W = w.conv("MobilenetV1/Conv2d_0_pointwise/weights");
            conv0B = w.vec("MobilenetV1/Conv2d_0_pointwise/convolution_bn_offset");
            for (int i = 1; w.has("MobilenetV1/Conv2d_" + i + "_depthwise/depthwise_weights"); i++) {
                String d = "MobilenetV1/Conv2d_" + i + "_depthwise/";
                float[] gamma = w.floats(d + "BatchNorm/gamma");
                float[] beta = w.floats(d + "BatchNorm/beta");
                float[] mean = w.floats(d + "BatchNorm/moving_mean");
                float[] var = w.floats(d + "BatchNorm/moving_variance");
                float[] scale = new float[gamma.length];
                float[] shift = new float[gamma.length];
                for (int c = 0; c < gamma.length; c++) {
                    scale[c] = (float) (gamma[c] / Math.sqrt(var[c] + BN_EPS));
                    shift[c] = beta[c] - mean[c] * scale[c];
                }
                String p = "MobilenetV1/Conv2d_" + i + "_pointwise/";
                pairs.add(new NDArray[]{w.depthwise(d + "depthwise_weights"),
                        manager.create(scale, new Shape(1, scale.length, 1, 1)),
                        manager.create(shift, new Shape(1, shift.length, 1, 1)),
                        w.conv(p + "weights"), w.vec(p + "convolution_bn_offset")});
            }
            for (int i = 0; w.has("Prediction/Conv2d_" + i + "_pointwise/weights"); i++) {
                String p = "Prediction/Conv2d_" + i + "_pointwise/";
                pred.add(new NDArray[]{w.conv(p + "weights"), w.vec(p + "convolution_bn_offset")});
            }
            int nc = -1;
            for (int i = 0; w.has("Prediction/BoxPredictor_" + i + "/BoxEncodingPredictor/weights"); i++) {
                String p = "Prediction/BoxPredictor_" + i + "/";
                boxPred.add(new NDArray[]{w.conv(p + "BoxEncodingPredictor/weights"), w.vec(p + "BoxEncodingPredictor/biases"),
                        w.conv(p + "ClassPredictor/weights"), w.vec(p + "ClassPredictor/biases")});
                long boxCh = w.tensor(p + "BoxEncodingPredictor/weights").shape()[3];
                long clsCh = w.tensor(p + "ClassPredictor/weights").shape()[3];
                nc = (int) (clsCh / (boxCh / 4));
            }
            if (pairs.size() < 13 || pred.size() != 8 || boxPred.size() != 6) {
                throw new ModelFileException(store.source(), "not an SSD MobileNetV1 (" + pairs.size() + " conv pairs, "
                        + pred.size() + " prediction convs, " + boxPred.size() + " box predictors)");
            }
            numClasses = nc;
            anchors = w.floats("Output/extra_dim");
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public static SsdMobilenetV1 load(TensorStore store, NDManager manager) throws ModelFileException {
        return new SsdMobilenetV1(store, manager);
    }

    public static SsdMobilenetV1 load(java.nio.file.Path faceApiDir, NDManager manager) throws ModelFileException {
        return load(FaceApiWeights.open(faceApiDir, MODEL), manager);
    }

    public int anchorCount() {
        return anchors.length / 4;
    }

    private static NDArray relu6(NDArray x) {
        return x.clip(0f, 6f);
    }

    private static NDArray pointwise(NDArray x, NDArray w, NDArray b, int stride) {
        return relu6(FaceApiOps.conv(x, w, b, stride, true));
    }

    /**
     * Runs the net on a preprocessed input (NHWC {@code size × size × 3}, values 0…255 before normalisation:
     * {@link FaceApiInput#toBatch}).
     */
    public Output forward(float[] nhwc, int size) {
        try (NDManager m = manager.newSubManager()) {
            float[] norm = new float[nhwc.length];
            for (int i = 0; i < norm.length; i++) norm[i] = nhwc[i] / 127.5f - 1f;
            NDArray x = FaceApiOps.nchw(m, norm, size, size, 3);
            x = pointwise(x, conv0W, conv0B, 2);
            NDArray conv11 = null;
            for (int i = 0; i < pairs.size(); i++) {
                int layer = i + 1;
                int stride = (layer == 2 || layer == 4 || layer == 6 || layer == 12) ? 2 : 1;
                NDArray[] p = pairs.get(i);
                x = FaceApiOps.depthwise(x, p[0], stride, true);
                x = relu6(x.mul(p[1]).add(p[2]));
                x = pointwise(x, p[3], p[4], 1);
                if (layer == 11) conv11 = x;
            }
            NDArray[] feats = new NDArray[6];
            feats[0] = conv11;
            feats[1] = x;
            NDArray c = x;
            for (int i = 0; i < pred.size(); i++) {
                c = pointwise(c, pred.get(i)[0], pred.get(i)[1], i % 2 == 1 ? 2 : 1);
                if (i % 2 == 1) feats[2 + i / 2] = c;
            }
            NDList boxes = new NDList();
            NDList classes = new NDList();
            for (int i = 0; i < 6; i++) {
                NDArray[] bp = boxPred.get(i);
                NDArray be = FaceApiOps.conv(feats[i], bp[0], bp[1], 1, true).transpose(0, 2, 3, 1).reshape(-1, 4);
                NDArray ce = FaceApiOps.conv(feats[i], bp[2], bp[3], 1, true).transpose(0, 2, 3, 1).reshape(-1, numClasses);
                boxes.add(be);
                classes.add(ce);
            }
            float[] enc = ai.djl.ndarray.NDArrays.concat(boxes, 0).toFloatArray();
            float[] cls = ai.djl.ndarray.NDArrays.concat(classes, 0).toFloatArray();
            int n = enc.length / 4;
            if (n != anchorCount()) {
                throw new IllegalStateException("SSD produced " + n + " boxes for " + anchorCount() + " anchors (input " + size + ")");
            }
            return decode(enc, cls, n);
        }
    }

    private Output decode(float[] enc, float[] cls, int n) {
        float[] boxes = new float[n * 4];
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            float ymin = anchors[i * 4], xmin = anchors[i * 4 + 1], ymax = anchors[i * 4 + 2], xmax = anchors[i * 4 + 3];
            float ha = ymax - ymin, wa = xmax - xmin;
            float cya = ymin + ha / 2f, cxa = xmin + wa / 2f;
            float ty = enc[i * 4], tx = enc[i * 4 + 1], th = enc[i * 4 + 2], tw = enc[i * 4 + 3];
            float hh = (float) Math.exp(th / 5f) * ha / 2f;
            float cy = ty / 10f * ha + cya;
            float hw = (float) Math.exp(tw / 5f) * wa / 2f;
            float cx = tx / 10f * wa + cxa;
            boxes[i * 4] = cy - hh;
            boxes[i * 4 + 1] = cx - hw;
            boxes[i * 4 + 2] = cy + hh;
            boxes[i * 4 + 3] = cx + hw;
            scores[i] = (float) FaceApiOps.sigmoid(cls[i * numClasses + 1]);
        }
        return new Output(boxes, scores);
    }

    @Override
    public void close() {
        manager.close();
    }
}
