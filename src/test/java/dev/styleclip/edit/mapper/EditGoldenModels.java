package dev.styleclip.edit.mapper;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Engines;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edit golden set's models (paths from its manifest), tolerance look-ups and case filtering, shared by the tests. */
public final class EditGoldenModels {
    public static final String SET = "edit";
    private static NDManager manager;
    private static StyleGan3Generator generator;
    private static ClipModel clip;
    private static IdentityLoss idLoss;

    private EditGoldenModels() {
    }

    public static synchronized NDManager manager() {
        if (manager == null) manager = Engines.pytorch().newBaseManager();
        return manager;
    }

    private static Path model(String key) {
        JsonNode m = Golden.manifest(SET).path("models").path(key);
        assertTrue(m.isObject(), "manifest lists no model '" + key + "'");
        return Golden.set(SET).resolve(m.path("path").asText()).normalize();
    }

    public static synchronized StyleGan3Generator generator() throws Exception {
        if (generator == null) {
            JsonNode m = Golden.manifest(SET).path("models").path("stylegan3");
            generator = StyleGan3Generator.load(ModelFiles.open(model("stylegan3")).object(m.path("pickle_key").asText("G_ema")), manager());
        }
        return generator;
    }

    public static synchronized ClipModel clip() throws Exception {
        if (clip == null) clip = ClipModel.load(ModelFiles.open(model("clip")).main(), manager());
        return clip;
    }

    public static synchronized IdentityLoss idLoss() throws Exception {
        if (idLoss == null) idLoss = new IdentityLoss(IrSeBackbone.load(ModelFiles.open(model("idloss")).main()));
        return idLoss;
    }

    /** The cases whose {@code method} is one of the given values (fails when there are none). */
    public static List<JsonNode> cases(String... methods) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : Golden.cases(SET)) {
            for (String m : methods) if (c.path("method").asText().equals(m)) out.add(c);
        }
        assertTrue(!out.isEmpty(), "no cases with method " + String.join("/", methods) + " in the " + SET + " manifest");
        return out;
    }

    public static TensorStore tensors(JsonNode c) {
        return Golden.tensors(Golden.set(SET).resolve(c.path("file").asText()));
    }

    /** {atol, rtol} of a tensor: the per-step (per-row) values when step ≥ 0 and listed, else the tensor's own. */
    public static double[] tol(JsonNode c, String name, int step) {
        JsonNode t = c.path("tolerances").path(name);
        assertTrue(t.isObject(), c.path("id").asText() + ": no tolerance for " + name);
        if (step >= 0 && t.has("atol_per_step")) {
            return new double[]{t.path("atol_per_step").get(step).asDouble(), t.path("rtol_per_step").get(step).asDouble()};
        }
        return new double[]{t.path("atol").asDouble(), t.path("rtol").asDouble()};
    }

    /** Row {@code i} of a [n, ...] float array. */
    public static float[] row(float[] all, int rows, int i) {
        int n = all.length / rows;
        float[] r = new float[n];
        System.arraycopy(all, i * n, r, 0, n);
        return r;
    }
}
