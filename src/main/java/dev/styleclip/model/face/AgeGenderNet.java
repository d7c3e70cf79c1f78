package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

import java.util.ArrayList;
import java.util.List;

/**
 * face-api's age/gender net ({@code age_gender_model}): TinyXception (entry flow with two reduction blocks, as many
 * middle blocks as the weights hold, exit flow) → avgPool 7×7/2 → fc age (1, years) and fc gender (2 logits:
 * male, female).
 */
public final class AgeGenderNet implements AutoCloseable {
    public static final String MODEL = "age_gender_model";
    public static final int INPUT_SIZE = 112;

    private final NDManager manager;
    private final NDArray convInW, convInB;
    private final List<NDArray[]> entry = new ArrayList<>();  // sep0 (3), sep1 (3), expansion (2) flattened: 8
    private final List<NDArray[]> middle = new ArrayList<>(); // 3 separable convs flattened: 9
    private final NDArray[] exitReduction;
    private final NDArray[] exitSep;
    private final NDArray ageW, ageB, genderW, genderB;

    /** Outputs: {@code age} (years) and gender logits (male, female). */
    public record Output(float age, float[] genderLogits) {
    }

    private AgeGenderNet(TensorStore store, NDManager parent) throws ModelFileException {
        manager = parent.newSubManager();
        try {
            FaceApiWeights w = new FaceApiWeights(store, manager);
            convInW = w.conv("entry_flow/conv_in/filters");
            convInB = w.vec("entry_flow/conv_in/bias");
            for (int i = 0; w.has("entry_flow/reduction_block_" + i + "/expansion_conv/bias"); i++) {
                entry.add(reduction(w, "entry_flow/reduction_block_" + i + "/"));
            }
            for (int i = 0; w.has("middle_flow/main_block_" + i + "/separable_conv0/bias"); i++) {
                String p = "middle_flow/main_block_" + i + "/";
                NDArray[] a = new NDArray[9];
                for (int k = 0; k < 3; k++) sep(w, p + "separable_conv" + k + "/", a, 3 * k);
                middle.add(a);
            }
            exitReduction = reduction(w, "exit_flow/reduction_block/");
            exitSep = new NDArray[3];
            sep(w, "exit_flow/separable_conv/", exitSep, 0);
            ageW = w.matrix("fc/age/weights");
            ageB = w.vec("fc/age/bias");
            genderW = w.matrix("fc/gender/weights");
            genderB = w.vec("fc/gender/bias");
            if (entry.isEmpty()) throw new ModelFileException(store.source(), "no entry_flow reduction blocks");
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static void sep(FaceApiWeights w, String p, NDArray[] into, int at) throws ModelFileException {
        into[at] = w.depthwise(p + "depthwise_filter");
        into[at + 1] = w.conv(p + "pointwise_filter");
        into[at + 2] = w.vec(p + "bias");
    }

    private static NDArray[] reduction(FaceApiWeights w, String p) throws ModelFileException {
        NDArray[] a = new NDArray[8];
        sep(w, p + "separable_conv0/", a, 0);
        sep(w, p + "separable_conv1/", a, 3);
        a[6] = w.conv(p + "expansion_conv/filters");
        a[7] = w.vec(p + "expansion_conv/bias");
        return a;
    }

    public static AgeGenderNet load(TensorStore store, NDManager manager) throws ModelFileException {
        return new AgeGenderNet(store, manager);
    }

    public static AgeGenderNet load(java.nio.file.Path faceApiDir, NDManager manager) throws ModelFileException {
        return load(FaceApiWeights.open(faceApiDir, MODEL), manager);
    }

    private static NDArray reductionBlock(NDArray x, NDArray[] p, boolean activateInput) {
        NDArray out = activateInput ? x.maximum(0f) : x;
        out = FaceApiOps.separable(out, p[0], p[1], p[2], 1);
        out = FaceApiOps.separable(out.maximum(0f), p[3], p[4], p[5], 1);
        out = FaceApiOps.maxPoolSame(out, 3, 2);
        return out.add(FaceApiOps.conv(x, p[6], p[7], 2, true));
    }

    private static NDArray mainBlock(NDArray x, NDArray[] p) {
        NDArray out = FaceApiOps.separable(x.maximum(0f), p[0], p[1], p[2], 1);
        out = FaceApiOps.separable(out.maximum(0f), p[3], p[4], p[5], 1);
        out = FaceApiOps.separable(out.maximum(0f), p[6], p[7], p[8], 1);
        return out.add(x);
    }

    /** Age and gender logits for a preprocessed NHWC 112×112 input (0…255). */
    public Output forward(float[] nhwc, int size) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = FaceApiFeatureExtractor.input(m, nhwc, size);
            x = FaceApiOps.conv(x, convInW, convInB, 2, true).maximum(0f);
            for (int i = 0; i < entry.size(); i++) x = reductionBlock(x, entry.get(i), i > 0);
            for (NDArray[] p : middle) x = mainBlock(x, p);
            x = reductionBlock(x, exitReduction, true);
            x = FaceApiOps.separable(x, exitSep[0], exitSep[1], exitSep[2], 1).maximum(0f);
            NDArray pooled = FaceApiOps.avgPoolValid(x, 7, 2).reshape(1, -1);
            float age = pooled.matMul(ageW).add(ageB).toFloatArray()[0];
            float[] gender = pooled.matMul(genderW).add(genderB).toFloatArray();
            return new Output(age, gender);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
