package dev.styleclip.model.stylegan3;

import dev.styleclip.runtime.SynthesisPlan;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.nn.Gradients;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of the stylegan3 golden set: mapping, synthesis, generate, intermediates, transform, gradient; the
 * synthesis cases also under memory plans (channel chunks of uneven sizes, one channel at a time) and the gradient
 * cases under recomputation (whole layers, uneven chunks, single channels), all against the same goldens and
 * tolerances.
 */
class StyleGan3GoldenTest {
    private static final String SET = "stylegan3";
    private static NDManager manager;
    private static final Map<String, StyleGan3Generator> MODELS = new HashMap<>();

    @BeforeAll
    static void engine() {
        Engines.pytorch();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        MODELS.values().forEach(StyleGan3Generator::close);
        manager.close();
    }

    @TestFactory
    List<DynamicTest> cases() {
        JsonNode manifest = Golden.manifest(SET);
        Map<String, JsonNode> models = new LinkedHashMap<>();
        for (JsonNode m : manifest.path("models")) models.put(m.path("id").asText(), m);
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.cases(SET)) {
            JsonNode model = models.get(c.path("model").asText());
            String kind = c.path("kind").asText();
            List<String> plans = kind.equals("mapping") ? List.of(PLAIN)
                    : kind.equals("gradient") ? List.of(PLAIN, RECOMPUTE, RECOMPUTE_CHUNKS, RECOMPUTE_SINGLE)
                    : List.of(PLAIN, CHUNKS, SINGLE);
            for (String plan : plans) {
                String name = c.path("id").asText() + (plan.equals(PLAIN) ? "" : " [" + plan + "]");
                tests.add(DynamicTest.dynamicTest(name, () -> runCase(c, model, plan)));
            }
        }
        return tests;
    }

    private static final String PLAIN = "plain";
    private static final String CHUNKS = "chunks of 7 channels";
    private static final String SINGLE = "one channel at a time";
    private static final String RECOMPUTE = "recompute";
    private static final String RECOMPUTE_CHUNKS = "recompute, chunks of 7 channels";
    private static final String RECOMPUTE_SINGLE = "recompute, one channel at a time";

    /**
     * The plan a test variant names: chunks sized so that the first layer runs in pieces of 7 channels (uneven
     * remainders, and other counts in the other layers), or of one channel everywhere.
     */
    static SynthesisPlan plan(StyleGan3Generator g, String name, int batch, boolean backward) {
        long per = g.channelBytes(0, batch, backward);
        return switch (name) {
            case PLAIN -> SynthesisPlan.PLAIN;
            case CHUNKS -> new SynthesisPlan(false, 7 * per);
            case SINGLE -> new SynthesisPlan(false, 1);
            case RECOMPUTE -> new SynthesisPlan(true, 0);
            case RECOMPUTE_CHUNKS -> new SynthesisPlan(true, 7 * per);
            case RECOMPUTE_SINGLE -> new SynthesisPlan(true, 1);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /**
     * Loads a manifest model's G_ema through the pickle reader.
     */
    static synchronized StyleGan3Generator model(JsonNode model) throws Exception {
        String id = model.path("id").asText();
        StyleGan3Generator g = MODELS.get(id);
        if (g != null) return g;
        Path file = Golden.set(SET).resolve(model.path("file").asText());
        String key = model.path("pickle_key").asText("G_ema");
        g = StyleGan3Generator.load(ModelFiles.open(file).object(key), manager);
        MODELS.put(id, g);
        return g;
    }

    private static TensorStore file(JsonNode spec) {
        return Golden.tensors(Golden.set(SET).resolve(spec.path("file").asText()));
    }

    /** An input tensor as an NDArray (float32; F64 narrowed, as the reference's first cast), with its slice applied. */
    private static NDArray input(NDManager m, JsonNode spec) throws ModelFileException {
        Tensor t = file(spec).get(spec.path("tensor").asText());
        assertArrayEquals(longs(spec.path("shape")), t.shape(), "shape of input " + spec.path("tensor").asText());
        NDArray a = t.toNDArray(m);
        String slice = spec.path("slice").asText("");
        if (!slice.isEmpty()) a = a.get(slice.replace("[", "").replace("]", ""));
        return a;
    }

    private static long[] longs(JsonNode arr) {
        long[] out = new long[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asLong();
        return out;
    }

    private static void check(String caseId, String name, JsonNode spec, float[] actual, long[] actualShape)
            throws ModelFileException {
        Tensor t = file(spec).get(spec.path("tensor").asText());
        long[] shape = longs(spec.path("shape"));
        assertArrayEquals(shape, t.shape(), caseId + ": golden " + name + " shape");
        if (actualShape != null) assertArrayEquals(shape, actualShape, caseId + ": " + name + " shape");
        double atol = spec.path("atol").asDouble(Double.NaN);
        double rtol = spec.path("rtol").asDouble(Double.NaN);
        assertTrue(!Double.isNaN(atol) && !Double.isNaN(rtol), caseId + ": " + name + " lacks atol/rtol");
        float[] expected = t.toFloatArray();
        double worst = 0;
        for (int i = 0; i < Math.min(actual.length, expected.length); i++) {
            double e = Math.abs(actual[i] - expected[i]) - rtol * Math.abs(expected[i]);
            worst = Math.max(worst, e);
        }
        System.out.printf(java.util.Locale.ROOT, "%s %s: max(|err| - rtol|ref|) = %.3g (atol %.3g)%n", caseId, name, worst, atol);
        Golden.assertAllClose(actual, expected, atol, rtol, caseId + ": " + name);
    }

    private static Integer cutoff(JsonNode params) {
        JsonNode c = params.path("truncation_cutoff");
        return c.isMissingNode() || c.isNull() ? null : c.asInt();
    }

    private static double psi(JsonNode params) {
        JsonNode p = params.path("truncation_psi");
        return p.isMissingNode() || p.isNull() ? 1.0 : p.asDouble();
    }

    private void runCase(JsonNode c, JsonNode model, String planName) throws Exception {
        if (model == null) fail("case " + c.path("id").asText() + " names an unknown model");
        String id = c.path("id").asText();
        StyleGan3Generator g = model(model);
        assertEquals(model.path("num_ws").asInt(), g.numWs(), "num_ws");
        assertEquals(model.path("z_dim").asInt(), g.zDim(), "z_dim");
        assertEquals(model.path("w_dim").asInt(), g.wDim(), "w_dim");
        assertEquals(model.path("img_resolution").asInt(), g.resolution(), "img_resolution");
        JsonNode params = c.path("params");
        JsonNode in = c.path("inputs");
        JsonNode out = c.path("outputs");
        try (NDManager m = manager.newSubManager()) {
            String kind = c.path("kind").asText();
            int batch = (int) longs((in.has("z") ? in.path("z") : in.path("ws")).path("shape"))[0];
            StyleGan3Generator.Options opts = StyleGan3Generator.Options.with(plan(g, planName, batch, kind.equals("gradient")));
            switch (kind) {
                case "mapping": {
                    NDArray ws = g.mapping(input(m, in.path("z")), psi(params), cutoff(params));
                    checkOnly(out, "ws");
                    check(id, "ws", out.path("ws"), ws.toFloatArray(), ws.getShape().getShape());
                    break;
                }
                case "synthesis": {
                    NDArray img = g.synthesis(input(m, in.path("ws")), opts);
                    checkOnly(out, "img");
                    check(id, "img", out.path("img"), img.toFloatArray(), img.getShape().getShape());
                    break;
                }
                case "generate": {
                    NDArray img = g.generate(input(m, in.path("z")), psi(params), cutoff(params), opts);
                    checkOnly(out, "img");
                    check(id, "img", out.path("img"), img.toFloatArray(), img.getShape().getShape());
                    break;
                }
                case "intermediates": {
                    NDArray ws = input(m, in.path("ws"));
                    Map<String, float[]> acts = new HashMap<>();
                    Map<String, long[]> shapes = new HashMap<>();
                    NDArray img = g.synthesis(ws, opts.listener((name, a) -> {
                        acts.put(name, a.toFloatArray());
                        shapes.put(name, a.getShape().getShape());
                    }));
                    Map<String, NDArray> styles = g.styles(ws);
                    int checked = 0;
                    for (Iterator<String> it = out.fieldNames(); it.hasNext(); ) {
                        String name = it.next();
                        JsonNode spec = out.path(name);
                        if (name.equals("img")) {
                            check(id, name, spec, img.toFloatArray(), img.getShape().getShape());
                        } else if (name.startsWith("act.")) {
                            String module = spec.path("module").asText(name.substring(4));
                            String key = module.startsWith("synthesis.") ? module.substring("synthesis.".length()) : module;
                            if (!acts.containsKey(key)) fail(id + ": no activation recorded for module " + module);
                            check(id, name, spec, acts.get(key), shapes.get(key));
                        } else if (name.startsWith("style.")) {
                            String key = name.substring("style.".length());
                            NDArray s = styles.get(key);
                            if (s == null) fail(id + ": no style for " + key);
                            check(id, name, spec, s.toFloatArray(), s.getShape().getShape());
                        } else {
                            fail(id + ": unknown output " + name);
                        }
                        checked++;
                    }
                    assertTrue(checked > 0, id + ": no outputs");
                    break;
                }
                case "transform": {
                    NDArray ws = input(m, in.path("ws"));
                    Tensor tt = file(in.path("transform")).get(in.path("transform").path("tensor").asText());
                    double[] tv = tt.toDoubleArray();
                    double[][] tr = new double[3][3];
                    for (int i = 0; i < 9; i++) tr[i / 3][i % 3] = tv[i];
                    if (params.path("translate").size() == 2 && params.has("angle_degrees")) {
                        // the stored matrix is what our make_transform + inverse give for the case's parameters
                        double[][] expected = InputTransform.inverse(InputTransform.make(
                                params.path("translate").get(0).asDouble(), params.path("translate").get(1).asDouble(),
                                params.path("angle_degrees").asDouble()));
                        for (int i = 0; i < 3; i++)
                            for (int j = 0; j < 3; j++) assertEquals(tv[i * 3 + j], expected[i][j], 1e-12, id + ": transform");
                    }
                    NDArray img = g.synthesis(ws, opts.transform(tr));
                    checkOnly(out, "img");
                    check(id, "img", out.path("img"), img.toFloatArray(), img.getShape().getShape());
                    break;
                }
                case "gradient": {
                    NDArray z = input(m, in.path("z"));
                    NDArray probe = input(m, in.path("probe"));
                    // ∂loss/∂ws: ws = mapping(z) as a leaf, gradient through synthesis only
                    NDArray ws = g.mapping(z, psi(params), cutoff(params));
                    ws.setRequiresGradient(true);
                    float[] lossValue;
                    float[] gws;
                    try (Gradients gc = Gradients.record()) {
                        NDArray loss = g.synthesis(ws, opts).mul(probe).sum();
                        gc.backward(loss);
                        lossValue = loss.toFloatArray();
                        gws = ws.getGradient().toFloatArray();
                    }
                    // ∂loss/∂z through mapping (with truncation) and synthesis
                    z.setRequiresGradient(true);
                    float[] gz;
                    try (Gradients gc = Gradients.record()) {
                        NDArray loss = g.generate(z, psi(params), cutoff(params), opts).mul(probe).sum();
                        gc.backward(loss);
                        gz = z.getGradient().toFloatArray();
                    }
                    check(id, "loss", out.path("loss"), lossValue, null);
                    check(id, "grad_ws", out.path("grad_ws"), gws, ws.getShape().getShape());
                    check(id, "grad_z", out.path("grad_z"), gz, z.getShape().getShape());
                    break;
                }
                default:
                    fail(id + ": unknown case kind " + c.path("kind").asText());
            }
        }
    }

    private static void checkOnly(JsonNode out, String expected) {
        List<String> names = new ArrayList<>();
        out.fieldNames().forEachRemaining(names::add);
        assertEquals(List.of(expected), names, "outputs of the case");
    }

    @SuppressWarnings("unused")
    private static Shape shape(JsonNode arr) {
        return new Shape(longs(arr));
    }
}
