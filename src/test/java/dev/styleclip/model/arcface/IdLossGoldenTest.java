package dev.styleclip.model.arcface;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.GoldenModelFiles;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every case of the {@code idloss} golden set (IR-SE backbone, StyleCLIP ID loss), tolerances from its manifest. */
class IdLossGoldenTest {
    private static final String SET = "idloss";
    private static final Map<String, IrSeBackbone> MODELS = new HashMap<>();

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(IrSeBackbone::close);
        MODELS.clear();
    }

    @TestFactory
    List<DynamicTest> cases() {
        Engines.configureOffline();
        return Golden.dynamicTests(SET, c -> run(c));
    }

    private static void run(JsonNode c) throws Exception {
        Path dir = Golden.set(SET);
        String kind = c.path("kind").asText();
        if (GoldenModelFiles.loadStateDictCase(dir, c)) return;
        IrSeBackbone net = model(c.path("model").asText());
        TensorStore t = Golden.tensors(dir.resolve(c.path("tensors").asText()));
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> actual = new HashMap<>();
            switch (kind) {
                case "backbone": {
                    NDArray x = t.get(c.path("inputs").path("x").asText()).toNDArray(m);
                    IrSeBackbone.Trace tr = net.trace(x);
                    actual.put("feats", tr.features());
                    actual.put("embedding_prenorm", tr.prenorm());
                    actual.put("input_layer_sample0", tr.inputLayer().get("0:1"));
                    for (int k = 0; k < tr.stages().size(); k++) actual.put("stage" + (k + 1) + "_sample0", tr.stages().get(k).get("0:1"));
                    break;
                }
                case "idloss_pair": {
                    NDArray yHat = t.get(c.path("inputs").path("y_hat").asText()).toNDArray(m);
                    NDArray y = t.get(c.path("inputs").path("y").asText()).toNDArray(m);
                    assertImageSize(c, yHat);
                    try (IdentityLoss id = new IdentityLoss(net)) {
                        actual.put("y_feats", id.features(y));
                        actual.put("y_hat_feats", id.features(yHat));
                        actual.put("face_input_y_hat_sample0", id.faceInput(yHat.get("0:1")));
                        yHat.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray loss = id.loss(yHat, y);
                            gc.backward(loss);
                            actual.put("loss", loss.stopGradient());
                            actual.put("grad_y_hat", yHat.getGradient().duplicate());
                        }
                    }
                    break;
                }
                case "idloss_extract_feats": {
                    NDArray x = t.get(c.path("inputs").path("x").asText()).toNDArray(m);
                    assertImageSize(c, x);
                    try (IdentityLoss id = new IdentityLoss(net)) {
                        actual.put("feats", id.features(x));
                        actual.put("face_input", id.faceInput(x));
                    }
                    break;
                }
                default:
                    fail("unknown case kind " + kind);
            }
            compareOutputs(c, t, actual);
        }
    }

    private static void assertImageSize(JsonNode c, NDArray x) {
        if (c.has("image_size")) {
            assertTrue(x.getShape().get(2) == c.path("image_size").asLong(), "image_size " + c.path("image_size") + " vs " + x.getShape());
        }
    }

    private static void compareOutputs(JsonNode c, TensorStore t, Map<String, NDArray> actual) throws Exception {
        JsonNode tol = Golden.manifest(SET).path("tolerances");
        Iterator<Map.Entry<String, JsonNode>> it = c.path("outputs").fields();
        assertTrue(it.hasNext(), "case lists no outputs");
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> o = it.next();
            NDArray a = actual.get(o.getKey());
            if (a == null) fail(c.path("id").asText() + ": output '" + o.getKey() + "' is not produced by this test");
            var exp = t.get(o.getValue().path("tensor").asText());
            JsonNode k = tol.path(o.getValue().path("tol").asText());
            if (k.isMissingNode()) fail("no tolerance kind " + o.getValue().path("tol"));
            String what = c.path("id").asText() + "/" + o.getKey();
            assertArrayEquals(exp.shape(), a.getShape().getShape(), what + ": shape");
            Golden.assertAllClose(a.toFloatArray(), exp.toFloatArray(), k.path("atol").asDouble(), k.path("rtol").asDouble(), what);
        }
    }

    private static IrSeBackbone model(String id) throws Exception {
        IrSeBackbone net = MODELS.get(id);
        if (net != null) return net;
        for (JsonNode md : Golden.manifest(SET).path("models")) {
            if (md.path("id").asText().equals(id)) {
                // every file of a model holds the same state dict; the first one is used for the numeric cases
                Path file = Golden.set(SET).resolve(md.path("files").get(0).path("path").asText());
                net = IrSeBackbone.load(GoldenModelFiles.stateDict(file));
                MODELS.put(id, net);
                return net;
            }
        }
        throw new AssertionError("model " + id + " is not in the manifest");
    }
}
