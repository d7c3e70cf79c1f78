package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

/**
 * face-api's 68-point landmark net ({@code face_landmark_68_model}): FaceFeatureExtractor + fc → 136 values,
 * interleaved x0, y0, x1, y1, … relative to the padded 112×112 square.
 */
public final class Landmark68Net implements AutoCloseable {
    public static final String MODEL = "face_landmark_68_model";
    public static final int INPUT_SIZE = 112;

    private final NDManager manager;
    private final FaceApiFeatureExtractor features;
    private final NDArray fcW, fcB;

    private Landmark68Net(TensorStore store, NDManager parent) throws ModelFileException {
        manager = parent.newSubManager();
        try {
            FaceApiWeights w = new FaceApiWeights(store, manager);
            features = new FaceApiFeatureExtractor(w);
            fcW = w.matrix("fc/weights");
            fcB = w.vec("fc/bias");
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public static Landmark68Net load(TensorStore store, NDManager manager) throws ModelFileException {
        return new Landmark68Net(store, manager);
    }

    public static Landmark68Net load(java.nio.file.Path faceApiDir, NDManager manager) throws ModelFileException {
        return load(FaceApiWeights.open(faceApiDir, MODEL), manager);
    }

    /** Raw fc output (136 values) for a preprocessed NHWC 112×112 input (0…255). */
    public float[] forward(float[] nhwc, int size) {
        try (NDManager m = manager.newSubManager()) {
            NDArray f = features.forward(FaceApiFeatureExtractor.input(m, nhwc, size));
            return f.reshape(1, -1).matMul(fcW).add(fcB).toFloatArray();
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
