package dev.styleclip.model.lpips;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every case of the {@code lpips} golden set (LPIPS v0.1 VGG), tolerances from its manifest. */
class LpipsGoldenTest {
    private static final String SET = "lpips";
    /** Tap names of the manifest: relu&lt;block&gt;_&lt;conv&gt;; the block number picks the tap. */
    private static final Pattern TAP = Pattern.compile("^(diff_)?relu(\\d+)_\\d+(_in0)?_pair0$");
    private static final Map<String, Lpips> MODELS = new HashMap<>();

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(Lpips::close);
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
        if (!kind.equals("lpips")) fail("unknown case kind " + kind);
        Lpips lpips = model(c.path("model").asText());
        TensorStore t = Golden.tensors(dir.resolve(c.path("tensors").asText()));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray in0 = t.get(c.path("inputs").path("in0").asText()).toNDArray(m);
            NDArray in1 = t.get(c.path("inputs").path("in1").asText()).toNDArray(m);
            JsonNode hw = c.path("image_hw");
            if (hw.isArray()) {
                assertTrue(in0.getShape().get(2) == hw.get(0).asLong() && in0.getShape().get(3) == hw.get(1).asLong(),
                        "image_hw " + hw + " vs " + in0.getShape());
            }
            Map<String, NDArray> actual = new HashMap<>();
            Lpips.Trace tr = lpips.trace(in0, in1);
            actual.put("dist", tr.dist());
            actual.put("layer_dist", tr.layerDist());
            actual.put("scaled_in0_pair0", tr.scaled0().get("0:1"));
            NDArray plain = lpips.distance(in0, in1);
            try (Lpips.Target target = lpips.target(in1)) {
                actual.put("dist#target", lpips.distance(in0, target));
            }
            actual.put("dist#plain", plain);
            in0.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray d = lpips.distance(in0, in1);
                gc.backward(d.get("0"));
                actual.put("grad_in0_pair0", in0.getGradient().get("0:1").duplicate());
            }
            Iterator<Map.Entry<String, JsonNode>> it = c.path("outputs").fields();
            assertTrue(it.hasNext(), "case lists no outputs");
            JsonNode tol = Golden.manifest(SET).path("tolerances");
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> o = it.next();
                String name = o.getKey();
                NDArray a = actual.get(name);
                Matcher tm = TAP.matcher(name);
                if (a == null && tm.matches()) {
                    int block = Integer.parseInt(tm.group(2)) - 1;
                    a = (tm.group(1) != null ? tr.diffs() : tr.taps0()).get(block).get("0:1");
                }
                if (a == null) fail(c.path("id").asText() + ": output '" + name + "' is not produced by this test");
                compare(c, t, tol, name, o.getValue(), a);
                if (name.equals("dist")) {
                    // the plain and the precomputed-target paths give the same distances
                    compare(c, t, tol, "dist (distance())", o.getValue(), actual.get("dist#plain"));
                    compare(c, t, tol, "dist (target)", o.getValue(), actual.get("dist#target"));
                }
            }
        }
    }

    private static void compare(JsonNode c, TensorStore t, JsonNode tol, String name, JsonNode out, NDArray a) throws Exception {
        var exp = t.get(out.path("tensor").asText());
        JsonNode k = tol.path(out.path("tol").asText());
        if (k.isMissingNode()) fail("no tolerance kind " + out.path("tol"));
        String what = c.path("id").asText() + "/" + name;
        assertArrayEquals(exp.shape(), a.getShape().getShape(), what + ": shape");
        Golden.assertAllClose(a.toFloatArray(), exp.toFloatArray(), k.path("atol").asDouble(), k.path("rtol").asDouble(), what);
    }

    private static Lpips model(String id) throws Exception {
        Lpips l = MODELS.get(id);
        if (l != null) return l;
        Path dir = Golden.set(SET);
        for (JsonNode md : Golden.manifest(SET).path("models")) {
            if (md.path("id").asText().equals(id)) {
                TensorStore vgg = GoldenModelFiles.stateDict(dir.resolve(md.path("files").path("vgg16").path("path").asText()));
                TensorStore lin = GoldenModelFiles.stateDict(dir.resolve(md.path("files").path("lpips_lin").path("path").asText()));
                l = Lpips.load(vgg, lin);
                MODELS.put(id, l);
                return l;
            }
        }
        throw new AssertionError("model " + id + " is not in the manifest");
    }
}
