package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

import java.util.ArrayList;
import java.util.List;

/**
 * face-api's 128-D face descriptor net ({@code face_recognition_model}, a port of dlib's ResNet-34-like metric net):
 * conv 7×7/2 'valid' + scale + ReLU, max pool 3/2 'valid', residual stages (the {@code *_down} blocks use a 3×3/2
 * 'valid' conv and a 2×2 average-pooled shortcut, zero-padded in channels and, where sizes differ, one row/column at
 * the end), spatial mean, fc 256→128 without bias. The descriptor is not L2-normalised; face-api compares
 * descriptors by euclidean distance (same person below {@link #SAME_PERSON_DISTANCE}).
 */
public final class FaceRecognitionNet implements AutoCloseable {
    public static final String MODEL = "face_recognition_model";
    public static final int INPUT_SIZE = 150;
    /** face-api's default matching threshold on the euclidean descriptor distance. */
    public static final double SAME_PERSON_DISTANCE = 0.6;

    private final NDManager manager;
    private final NDArray[] first; // W, B, scaleW, scaleB
    private final List<Object[]> stages = new ArrayList<>(); // {Boolean down, NDArray[] conv1, NDArray[] conv2}
    private final NDArray fc;

    private FaceRecognitionNet(TensorStore store, NDManager parent) throws ModelFileException {
        manager = parent.newSubManager();
        try {
            FaceApiWeights w = new FaceApiWeights(store, manager);
            String firstName = null;
            List<String> order = new ArrayList<>();
            for (String n : store.names()) {
                int slash = n.indexOf('/');
                if (slash < 0) continue;
                String blk = n.substring(0, slash);
                if (!order.contains(blk)) order.add(blk);
            }
            for (String blk : order) {
                if (w.has(blk + "/conv/filters")) {
                    if (firstName != null) throw new ModelFileException(store.source(), "two stem convs");
                    firstName = blk;
                }
            }
            if (firstName == null) throw new ModelFileException(store.source(), "no stem conv (*/conv/filters)");
            first = layer(w, firstName + "/");
            for (String blk : order) {
                if (blk.equals(firstName)) continue;
                if (!w.has(blk + "/conv1/conv/filters")) continue;
                stages.add(new Object[]{blk.endsWith("_down") || blk.endsWith("_down_out"),
                        layer(w, blk + "/conv1/"), layer(w, blk + "/conv2/")});
            }
            fc = w.matrix("fc");
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private NDArray[] layer(FaceApiWeights w, String p) throws ModelFileException {
        NDArray s = w.vec(p + "scale/weights");
        NDArray b = w.vec(p + "scale/biases");
        long c = s.size();
        return new NDArray[]{w.conv(p + "conv/filters"), w.vec(p + "conv/bias"), s.reshape(1, c, 1, 1), b.reshape(1, c, 1, 1)};
    }

    public static FaceRecognitionNet load(TensorStore store, NDManager manager) throws ModelFileException {
        return new FaceRecognitionNet(store, manager);
    }

    public static FaceRecognitionNet load(java.nio.file.Path faceApiDir, NDManager manager) throws ModelFileException {
        return load(FaceApiWeights.open(faceApiDir, MODEL), manager);
    }

    private static NDArray convLayer(NDArray x, NDArray[] p, int stride, boolean same, boolean relu) {
        NDArray out = FaceApiOps.conv(x, p[0], p[1], stride, same).mul(p[2]).add(p[3]);
        return relu ? out.maximum(0f) : out;
    }

    private static NDArray residual(NDArray x, NDArray[] c1, NDArray[] c2) {
        NDArray out = convLayer(x, c1, 1, true, true);
        out = convLayer(out, c2, 1, true, false);
        return out.add(x).maximum(0f);
    }

    private static NDArray residualDown(NDArray x, NDArray[] c1, NDArray[] c2) {
        NDArray out = convLayer(x, c1, 2, false, true);
        out = convLayer(out, c2, 1, true, false);
        NDArray pooled = FaceApiOps.avgPoolValid(x, 2, 2);
        Shape ps = pooled.getShape(), os = out.getShape();
        if (ps.get(2) != os.get(2) || ps.get(3) != os.get(3)) {
            out = out.pad(new Shape(0, 1, 0, 1), 0); // one zero row (H) then one zero column (W) at the end
        }
        if (ps.get(1) != os.get(1)) {
            pooled = pooled.pad(new Shape(0, 0, 0, 0, 0, os.get(1) - ps.get(1)), 0);
        }
        return pooled.add(out).maximum(0f);
    }

    /** The 128-D descriptor for a preprocessed NHWC 150×150 input (0…255). */
    public float[] forward(float[] nhwc, int size) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = FaceApiFeatureExtractor.input(m, nhwc, size);
            x = convLayer(x, first, 2, false, true);
            x = FaceApiOps.maxPoolValid(x, 3, 2);
            for (Object[] st : stages) {
                x = (Boolean) st[0] ? residualDown(x, (NDArray[]) st[1], (NDArray[]) st[2])
                        : residual(x, (NDArray[]) st[1], (NDArray[]) st[2]);
            }
            NDArray mean = x.reshape(x.getShape().get(0), x.getShape().get(1), -1).mean(new int[]{2});
            return mean.matMul(fc).toFloatArray();
        }
    }

    /** Euclidean distance of two descriptors (face-api's {@code euclideanDistance}). */
    public static double distance(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("descriptor lengths differ: " + a.length + " vs " + b.length);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** face-api's "still the same person?" test: euclidean distance below 0.6. */
    public static boolean samePerson(float[] a, float[] b) {
        return distance(a, b) < SAME_PERSON_DISTANCE;
    }

    @Override
    public void close() {
        manager.close();
    }
}
