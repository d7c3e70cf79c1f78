package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

/** face-api's expression net ({@code face_expression_model}): its own FaceFeatureExtractor + fc → 7 logits. */
public final class ExpressionNet implements AutoCloseable {
    public static final String MODEL = "face_expression_model";
    public static final int INPUT_SIZE = 112;
    public static final String[] LABELS = {"neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"};

    private final NDManager manager;
    private final FaceApiFeatureExtractor features;
    private final NDArray fcW, fcB;

    private ExpressionNet(TensorStore store, NDManager parent) throws ModelFileException {
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

    public static ExpressionNet load(TensorStore store, NDManager manager) throws ModelFileException {
        return new ExpressionNet(store, manager);
    }

    public static ExpressionNet load(java.nio.file.Path faceApiDir, NDManager manager) throws ModelFileException {
        return load(FaceApiWeights.open(faceApiDir, MODEL), manager);
    }

    /** Logits (7) for a preprocessed NHWC 112×112 input (0…255). */
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
