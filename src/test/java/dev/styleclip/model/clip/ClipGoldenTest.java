package dev.styleclip.model.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of the {@code clip} golden set (tokenizer, encoders with intermediates, preprocessing, similarity,
 * StyleCLIP loss, gradients), with names, shapes, files and tolerances read from its manifest.
 */
class ClipGoldenTest {
    private static final String SET = "clip";
    private static NDManager manager;
    private static final Map<String, ClipModel> MODELS = new HashMap<>();

    @BeforeAll
    static void start() {
        Engines.configureOffline();
        manager = Engines.pytorch().newBaseManager();
    }

    @AfterAll
    static void stop() {
        MODELS.values().forEach(ClipModel::close);
        MODELS.clear();
        if (manager != null) manager.close();
    }

    @TestFactory
    Stream<DynamicTest> clipCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.cases(SET)) {
            String id = c.path("id").asText();
            String kind = c.path("kind").asText();
            tests.add(DynamicTest.dynamicTest(id + " (" + kind + ")", () -> runCase(c)));
        }
        return tests.stream();
    }

    private void runCase(JsonNode c) throws Exception {
        String kind = c.path("kind").asText();
        switch (kind) {
            case "tokenizer": tokenizer(c); break;
            case "image_encoder": imageEncoder(c); break;
            case "text_encoder": textEncoder(c); break;
            case "preprocess": preprocess(c); break;
            case "similarity": similarity(c); break;
            case "gradients": gradients(c); break;
            default: fail("unknown case kind '" + kind + "' in case " + c.path("id").asText());
        }
    }

    // --------------------------------------------------------------------------------------------------- the cases

    private void tokenizer(JsonNode c) throws Exception {
        Path dir = Golden.set(SET);
        ClipTokenizer tok;
        try (var in = java.nio.file.Files.newInputStream(dir.resolve(c.path("vocab").asText()))) {
            tok = ClipTokenizer.load(in);
        }
        JsonNode params = c.path("params");
        assertEquals(params.path("sot").asInt(), tok.sot(), "sot id");
        assertEquals(params.path("eot").asInt(), tok.eot(), "eot id");
        assertTrue(params.path("truncate").asBoolean(true), "only truncate=True is implemented");
        int ctx = params.path("context_length").asInt();
        JsonNode prompts = new ObjectMapper().readTree(dir.resolve(c.path("inputs").path("prompts").asText()).toFile());
        List<String> texts = new ArrayList<>();
        prompts.forEach(p -> texts.add(p.asText()));
        // the shipped vocabulary is the same file
        long[][] shipped = ClipTokenizer.standard().tokenize(texts, ctx);
        long[][] rows = tok.tokenize(texts, ctx);
        TensorStore t = tensors(c);
        for (JsonNode o : c.path("outputs")) {
            String name = o.path("name").asText();
            if (!name.equals("tokens")) fail("unknown tokenizer output " + name);
            Tensor e = t.get(name);
            assertShape(o, e.shape(), rows.length, ctx);
            long[] exp = e.toLongArray();
            for (int i = 0; i < rows.length; i++) {
                long[] row = Arrays.copyOfRange(exp, i * ctx, (i + 1) * ctx);
                assertArrayEquals(row, rows[i], "tokens of prompt " + i + " " + quoted(texts.get(i)));
                assertArrayEquals(row, shipped[i], "tokens (shipped vocabulary) of prompt " + i);
            }
        }
        // the debug file (not part of the spec), when the case names one: cleaned text and pre-tokens
        if (!c.has("debug")) return;
        JsonNode debug = new ObjectMapper().readTree(dir.resolve(c.path("debug").asText()).toFile());
        for (JsonNode d : debug) {
            String prompt = d.path("prompt").asText();
            String cleaned = ClipTokenizer.clean(prompt);
            assertEquals(d.path("cleaned").asText(), cleaned, "cleaned text of " + quoted(prompt));
            List<String> pre = new ArrayList<>();
            d.path("pre_tokens").forEach(p -> pre.add(p.asText()));
            assertEquals(pre, ClipTokenizer.preTokenize(cleaned), "pre-tokens of " + quoted(prompt));
        }
    }

    private void imageEncoder(JsonNode c) throws Exception {
        ClipModel model = model(c);
        TensorStore t = tensors(c);
        try (NDManager m = manager.newSubManager()) {
            NDArray image = t.get("image").toNDArray(m);
            Map<String, NDArray> trace = new LinkedHashMap<>();
            NDArray features = model.encodeImage(image, trace);
            trace.put("image_features", features);
            compareOutputs(c, t, trace);
        }
    }

    private void textEncoder(JsonNode c) throws Exception {
        ClipModel model = model(c);
        TensorStore t = tensors(c);
        try (NDManager m = manager.newSubManager()) {
            NDArray tokens = t.get("tokens").toNDArray(m);
            Map<String, NDArray> trace = new LinkedHashMap<>();
            NDArray features = model.encodeText(tokens, trace);
            trace.put("text_features", features);
            compareOutputs(c, t, trace);
        }
    }

    private void preprocess(JsonNode c) throws Exception {
        Path dir = Golden.set(SET);
        JsonNode params = c.path("params");
        int r = params.path("resolution").asInt();
        for (int ch = 0; ch < 3; ch++) {
            assertEquals((float) params.path("mean").get(ch).asDouble(), ClipPreprocess.MEAN[ch], "mean " + ch);
            assertEquals((float) params.path("std").get(ch).asDouble(), ClipPreprocess.STD[ch], "std " + ch);
        }
        List<RgbImage> crops = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        for (JsonNode im : c.path("inputs").path("images")) {
            String file = im.path("file").asText();
            RgbImage img = TestImages.read(dir.resolve(file));
            assertEquals(im.path("width").asInt(), img.width(), file + " width");
            assertEquals(im.path("height").asInt(), img.height(), file + " height");
            int[] size = ClipPreprocess.resizedSize(img.width(), img.height(), r);
            if (im.has("resized_width")) assertEquals(im.path("resized_width").asInt(), size[0], file + " resized width");
            if (im.has("resized_height")) assertEquals(im.path("resized_height").asInt(), size[1], file + " resized height");
            int[] off = ClipPreprocess.cropOffsets(size[0], size[1], r);
            if (im.has("crop_left")) assertEquals(im.path("crop_left").asInt(), off[0], file + " crop left");
            if (im.has("crop_top")) assertEquals(im.path("crop_top").asInt(), off[1], file + " crop top");
            RgbImage crop = ClipPreprocess.resizeAndCrop(img, r);
            crops.add(crop);
            pixels.add(ClipPreprocess.normalizedChw(crop));
        }
        TensorStore t = tensors(c);
        JsonNode tolerances = Golden.manifest(SET).path("tolerances");
        for (JsonNode o : c.path("outputs")) {
            String name = o.path("name").asText();
            Tensor e = t.get(name);
            float[] actual;
            long[] shape;
            if (name.equals("pixel_values")) {
                actual = concat(pixels);
                shape = new long[]{pixels.size(), 3, r, r};
            } else if (name.equals("resized_cropped_u8")) {
                List<float[]> hwc = new ArrayList<>();
                for (RgbImage crop : crops) {
                    float[] v = new float[r * r * 3];
                    byte[] rgb = crop.rgb();
                    for (int i = 0; i < v.length; i++) v[i] = rgb[i] & 0xff;
                    hwc.add(v);
                }
                actual = concat(hwc);
                shape = new long[]{crops.size(), r, r, 3};
            } else {
                fail("unknown preprocess output " + name);
                return;
            }
            assertShape(o, e.shape(), shape);
            float[] expected = e.toFloatArray();
            Golden.assertAllClose(actual, expected, o.path("atol").asDouble(), o.path("rtol").asDouble(), name);
            // this implementation is Pillow's integer algorithm: it must also meet the PIL-exact tolerance
            JsonNode tol = tolerances.path(o.path("kind").asText());
            if (tol.has("atol_pil_exact")) {
                Golden.assertAllClose(actual, expected, tol.path("atol_pil_exact").asDouble(), o.path("rtol").asDouble(),
                        name + " (PIL-exact tolerance)");
            }
        }
    }

    private void similarity(JsonNode c) throws Exception {
        ClipModel model = model(c);
        TensorStore t = tensors(c);
        try (NDManager m = manager.newSubManager()) {
            NDArray image = t.get("image").toNDArray(m);
            NDArray tokens = t.get("tokens").toNDArray(m);
            NDArray fi = model.encodeImage(image);
            NDArray ft = model.encodeText(tokens);
            NDArray logits = model.logitsPerImage(fi, ft);
            Map<String, NDArray> out = new LinkedHashMap<>();
            out.put("logits_per_image", logits);
            out.put("logits_per_text", logits.transpose());
            out.put("styleclip_loss", model.styleClipLoss(fi, ft));
            out.put("logit_scale_exp", m.create(new float[]{model.logitScaleExp()}));
            compareOutputs(c, t, out);
        }
    }

    private void gradients(JsonNode c) throws Exception {
        ClipModel model = model(c);
        TensorStore t = tensors(c);
        JsonNode params = c.path("params");
        Map<String, NDArray> out = new LinkedHashMap<>();
        try (NDManager m = manager.newSubManager()) {
            // d cos(image, text) / d image
            NDArray image = t.get("image").toNDArray(m);
            NDArray tokens = t.get("tokens").toNDArray(m);
            image.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                // cos_i = <f_i/|f_i|, t_i/|t_i|> per image row (one text row broadcasts)
                NDArray cos = ClipModel.normalize(model.encodeImage(image)).mul(ClipModel.normalize(model.encodeText(tokens)))
                        .sum(new int[]{1});
                gc.backward(cos.sum());
                out.put("cos", cos.stopGradient());
            }
            out.put("grad_image", image.getGradient().duplicate());

            // StyleCLIP: loss = 1 - model(pool(upsample(raw)), tokens)[0] / 100, gradient of loss[0, 0] w.r.t. raw
            NDArray raw = t.get("styleclip_raw").toNDArray(m);
            NDArray scTokens = t.get("styleclip_tokens").toNDArray(m);
            long[] rs = raw.getShape().getShape();
            StyleClipFrontEnd front = new StyleClipFrontEnd((int) rs[rs.length - 1], model.inputResolution());
            if (params.has("styleclip_upsample_scale")) {
                assertEquals(params.path("styleclip_upsample_scale").asInt(), front.upsample(), "upsample factor u");
            }
            if (params.has("styleclip_upsample_mode")) assertEquals("nearest", params.path("styleclip_upsample_mode").asText());
            if (params.has("styleclip_avgpool_kernel")) {
                assertEquals(params.path("styleclip_avgpool_kernel").asInt(), front.kernel(), "pool kernel k");
            }
            if (params.has("styleclip_avgpool_stride")) {
                assertEquals(params.path("styleclip_avgpool_stride").asInt(), front.kernel(), "pool stride");
            }
            raw.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray pooled = front.apply(raw);
                NDArray loss = model.styleClipLoss(model.encodeImage(pooled), model.encodeText(scTokens));
                gc.backward(loss.get("0, 0"));
                out.put("styleclip_pooled", pooled.stopGradient());
                out.put("styleclip_loss", loss.stopGradient());
            }
            out.put("styleclip_grad_raw", raw.getGradient().duplicate());
            compareOutputs(c, t, out);
        }
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    /**
     * Compares every output of the case with the computed array of that name. An intermediate the manifest stores for
     * sample 0 only (its shape is the computed shape without the batch axis) is compared with sample 0.
     */
    private static void compareOutputs(JsonNode c, TensorStore t, Map<String, NDArray> actual) throws ModelFileException {
        String id = c.path("id").asText();
        for (JsonNode o : c.path("outputs")) {
            String name = o.path("name").asText();
            NDArray a = actual.get(name);
            if (a == null) fail(id + ": no computed value for output '" + name + "' (have " + actual.keySet() + ")");
            Tensor e = t.get(name);
            long[] es = e.shape();
            long[] as = a.getShape().getShape();
            if (!Arrays.equals(es, as) && as.length == es.length + 1 && Arrays.equals(Arrays.copyOfRange(as, 1, as.length), es)) {
                a = a.get(0);
                as = a.getShape().getShape();
            }
            assertShape(o, es, as);
            String what = id + "/" + name;
            if (o.path("exact").asBoolean(false)) {
                assertArrayEquals(e.toLongArray(), a.toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray(), what);
            } else {
                Golden.assertAllClose(a.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), e.toFloatArray(),
                        o.path("atol").asDouble(), o.path("rtol").asDouble(), what);
            }
        }
    }

    private static void assertShape(JsonNode o, long[] expectedFileShape, long... actual) {
        String name = o.path("name").asText();
        if (o.has("shape")) {
            long[] ms = new long[o.path("shape").size()];
            for (int i = 0; i < ms.length; i++) ms[i] = o.path("shape").get(i).asLong();
            assertArrayEquals(ms, expectedFileShape, name + ": manifest shape vs tensor file");
        }
        assertArrayEquals(expectedFileShape, actual, name + ": shape");
    }

    private static TensorStore tensors(JsonNode c) {
        return Golden.tensors(Golden.set(SET).resolve(c.path("tensors").asText()));
    }

    private static ClipModel model(JsonNode c) throws ModelFileException {
        String key = c.path("model").asText();
        ClipModel m = MODELS.get(key);
        if (m == null) {
            JsonNode spec = Golden.manifest(SET).path("models").path(key);
            assertTrue(spec.isObject(), "manifest has no model '" + key + "'");
            Path file = Golden.set(SET).resolve(spec.path("file").asText());
            m = ClipModel.load(modelStore(file), manager);
            JsonNode cfg = spec.path("config");
            if (cfg.isObject()) {
                Map<String, Object> got = m.config().toMap();
                cfg.fields().forEachRemaining(f -> assertEquals(f.getValue().asLong(), ((Number) got.get(f.getKey())).longValue(),
                        "inferred config " + f.getKey()));
            }
            JsonNode derived = spec.path("derived");
            if (derived.has("vision_heads")) assertEquals(derived.path("vision_heads").asInt(), m.config().visionHeads());
            if (derived.has("text_heads")) assertEquals(derived.path("text_heads").asInt(), m.config().transformerHeads());
            if (derived.has("grid")) assertEquals(derived.path("grid").asInt(), m.config().grid());
            if (derived.has("vision_tokens")) assertEquals(derived.path("vision_tokens").asInt(), m.config().visionTokens());
            MODELS.put(key, m);
        }
        return m;
    }

    /** The state dict of a model file, read through the project's TorchScript reader. */
    static TensorStore modelStore(Path file) throws ModelFileException {
        return ModelFiles.open(file).main();
    }

    private static float[] concat(List<float[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int k = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
