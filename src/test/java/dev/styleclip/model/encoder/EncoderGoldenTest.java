package dev.styleclip.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.GoldenModelFiles;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every case of the {@code encoder} golden set (ReStyle-pSp / ReStyle-e4e for StyleGAN3): checkpoint reading, backbone
 * and head intermediates, per-iteration encoder outputs, latents, images and feedback, face_pool; names, shapes, files
 * and tolerances from the manifest.
 */
class EncoderGoldenTest {
    private static final String SET = "encoder";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, RestyleInversion> MODELS = new HashMap<>();

    @AfterAll
    static void closeModels() {
        MODELS.values().forEach(RestyleInversion::close);
        MODELS.clear();
    }

    @TestFactory
    List<DynamicTest> cases() {
        Engines.configureOffline();
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.cases(SET)) {
            tests.add(DynamicTest.dynamicTest(c.path("id").asText() + " (" + c.path("kind").asText() + ")", () -> run(c)));
        }
        return tests;
    }

    private static JsonNode modelEntry(String id) {
        for (JsonNode m : Golden.manifest(SET).path("models")) if (m.path("id").asText().equals(id)) return m;
        fail("manifest has no model " + id);
        return null;
    }

    private static RestyleInversion model(String id) throws Exception {
        RestyleInversion r = MODELS.get(id);
        if (r != null) return r;
        JsonNode m = modelEntry(id);
        Path file = Golden.set(SET).resolve(m.path("files").get(0).path("path").asText());
        @SuppressWarnings("unchecked")
        Map<String, Object> kwargs = JSON.convertValue(m.path("decoder").path("init_kwargs"), Map.class);
        r = RestyleInversion.load(ModelFiles.open(file), kwargs, null);
        MODELS.put(id, r);
        return r;
    }

    private static void run(JsonNode c) throws Exception {
        switch (c.path("kind").asText()) {
            case "load_checkpoint" -> loadCase(c);
            case "restyle_inference" -> inferenceCase(c);
            case "face_pool" -> facePoolCase(c);
            default -> fail("unknown case kind " + c.path("kind").asText());
        }
    }

    private static void loadCase(JsonNode c) throws Exception {
        Path dir = Golden.set(SET);
        String id = c.path("id").asText();
        Checkpoint cp = ModelFiles.open(dir.resolve(c.path("model_file").asText()));
        TensorStore expectedAll = Golden.tensors(dir.resolve(c.path("tensors").asText()));
        TensorStore expected = expectedAll.subStore("state_dict/");
        TensorStore actual = cp.main();
        GoldenModelFiles.assertSameStateDict(actual, expected, id);
        assertEquals(expected.names(), actual.names(), id + ": state_dict key order");
        Object la = cp.info().get("latent_avg");
        assertTrue(la instanceof Tensor, id + ": latent_avg is not a tensor: " + la);
        Tensor a = (Tensor) la;
        Tensor e = expectedAll.get("latent_avg");
        assertEquals(e.dtype(), a.dtype(), id + ": latent_avg dtype");
        assertArrayEquals(e.shape(), a.shape(), id + ": latent_avg shape");
        assertEquals(e.data(), a.data(), id + ": latent_avg values");
        JsonNode opts = modelEntry(c.path("model").asText()).path("opts");
        assertPlainEquals(opts, cp.info().get("opts"), id + ": opts");
        // the top-level keys besides state_dict are all in info
        for (JsonNode k : modelEntry(c.path("model").asText()).path("top_level_keys")) {
            if (!k.asText().equals("state_dict")) assertTrue(cp.info().containsKey(k.asText()), id + ": info lacks " + k.asText());
        }
    }

    /** Compares plain data read from a pickle with the manifest's JSON (numbers by value). */
    private static void assertPlainEquals(JsonNode expected, Object actual, String what) {
        if (expected.isObject()) {
            assertTrue(actual instanceof Map<?, ?>, what + ": expected a dict, got " + actual);
            Map<?, ?> m = (Map<?, ?>) actual;
            List<String> keys = new ArrayList<>();
            expected.fieldNames().forEachRemaining(keys::add);
            assertEquals(keys.size(), m.size(), what + ": keys " + m.keySet() + " vs " + keys);
            for (String k : keys) {
                assertTrue(m.containsKey(k), what + ": missing key " + k);
                assertPlainEquals(expected.get(k), m.get(k), what + "." + k);
            }
        } else if (expected.isArray()) {
            List<?> l = actual instanceof List<?> li ? li : actual instanceof Object[] arr ? List.of(arr) : null;
            assertNotNull(l, what + ": expected a list, got " + actual);
            assertEquals(expected.size(), l.size(), what + ": length");
            Iterator<JsonNode> it = expected.elements();
            int i = 0;
            while (it.hasNext()) assertPlainEquals(it.next(), l.get(i), what + "[" + i++ + "]");
        } else if (expected.isNull()) {
            assertEquals(null, actual, what);
        } else if (expected.isBoolean()) {
            assertEquals(expected.asBoolean(), actual, what);
        } else if (expected.isNumber()) {
            assertTrue(actual instanceof Number, what + ": expected a number, got " + actual);
            if (expected.isIntegralNumber()) {
                assertTrue(!(actual instanceof Double || actual instanceof Float), what + ": expected an int, got " + actual);
                assertEquals(expected.asLong(), ((Number) actual).longValue(), what);
            } else {
                assertEquals(expected.asDouble(), ((Number) actual).doubleValue(), 0.0, what);
            }
        } else {
            assertEquals(expected.asText(), actual, what);
        }
    }

    private static void facePoolCase(JsonNode c) throws Exception {
        Path dir = Golden.set(SET);
        TensorStore t = Golden.tensors(dir.resolve(c.path("tensors").asText()));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = t.get(c.path("inputs").path("x").asText()).toNDArray(m);
            NDArray y = RestyleInversion.facePool(x, c.path("output_size").asInt());
            Map<String, NDArray> actual = new LinkedHashMap<>();
            actual.put("y", y);
            compare(c, t, actual);
        }
    }

    private static void inferenceCase(JsonNode c) throws Exception {
        Path dir = Golden.set(SET);
        RestyleInversion inv = model(c.path("model").asText());
        TensorStore t = Golden.tensors(dir.resolve(c.path("tensors").asText()));
        int s = c.path("encoder_input_size").asInt();
        assertEquals(s, inv.inputSize(), "encoder input size derived from the state dict");
        assertEquals(c.path("decoder_resolution").asInt(), inv.decoder().resolution(), "decoder resolution");
        JsonNode in = c.path("inputs");
        try (NDManager m = NDManager.newBaseManager()) {
            Map<String, NDArray> actual = new LinkedHashMap<>();
            // preprocessing from the uint8 source
            Tensor src = t.get(in.path("source_u8").asText());
            long[] ss = src.shape();
            long[] px = src.toLongArray();
            List<RgbImage> photos = new ArrayList<>();
            int n = (int) ss[0], h = (int) ss[1], w = (int) ss[2];
            for (int i = 0; i < n; i++) {
                byte[] rgb = new byte[h * w * 3];
                for (int j = 0; j < rgb.length; j++) rgb[j] = (byte) px[i * rgb.length + j];
                photos.add(new RgbImage(w, h, rgb));
            }
            actual.put("x", EncoderPreprocess.input(photos, s, m));
            // the network on the stored x
            NDArray x = t.get(in.path("x").asText()).toNDArray(m);
            double[][][] transforms = null;
            if (in.has("landmarks_transform")) {
                Tensor tr = t.get(in.path("landmarks_transform").asText());
                float[] v = tr.toFloatArray();
                int b = (int) tr.shape()[0];
                transforms = new double[b][3][3];
                for (int i = 0; i < b; i++) for (int j = 0; j < 9; j++) transforms[i][j / 3][j % 3] = v[i * 9 + j];
            }
            NDArray avg = inv.avgImage(m);
            actual.put("avg_image", avg.get(0));
            RestyleEncoder.Listener el = new RestyleEncoder.Listener() {
                @Override
                public void inputLayer(NDArray a) {
                    actual.put("it1_input_layer_sample0", copy(m, a.get("0:1")));
                }

                @Override
                public void stage(int stage, NDArray a) {
                    actual.put("it1_stage" + stage + "_sample0", copy(m, a.get("0:1")));
                }

                @Override
                public void heads(NDArray a) {
                    long ns = a.getShape().get(1);
                    for (int j = 0; j < ns; j++) actual.put(String.format("it1_head%02d_sample0", j), copy(m, a.get("0:1, " + j + ", :")));
                }
            };
            int iters = c.path("n_iters").asInt();
            inv.invert(x, iters, transforms, (k, out, latent, image, fb) -> {
                actual.put("encoder_out_it" + k, copy(m, out));
                actual.put("latent_it" + k, copy(m, latent));
                actual.put("image_it" + k, copy(m, image));
                actual.put("feedback_it" + k, copy(m, fb));
            }, el);
            compare(c, t, actual);
            // latent_itN = latent_avg + sum of the encoder outputs
            float[] sum = inv.latentAvg(m, n).toFloatArray();
            for (int k = 1; k <= iters; k++) {
                float[] o = actual.get("encoder_out_it" + k).toFloatArray();
                for (int i = 0; i < sum.length; i++) sum[i] += o[i];
            }
            JsonNode tol = Golden.manifest(SET).path("tolerances").path(c.path("outputs").path("latent_it" + iters).path("tol").asText());
            Golden.assertAllClose(actual.get("latent_it" + iters).toFloatArray(), sum, tol.path("atol").asDouble(),
                    tol.path("rtol").asDouble(), c.path("id").asText() + ": latent = latent_avg + sum of encoder outputs");
        }
    }

    private static NDArray copy(NDManager m, NDArray a) {
        return m.create(a.toFloatArray(), a.getShape());
    }

    private static void compare(JsonNode c, TensorStore t, Map<String, NDArray> actual) throws Exception {
        JsonNode tols = Golden.manifest(SET).path("tolerances");
        Iterator<Map.Entry<String, JsonNode>> it = c.path("outputs").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode spec = e.getValue();
            Tensor exp = t.get(spec.path("tensor").asText());
            NDArray a = actual.get(name);
            assertNotNull(a, c.path("id").asText() + ": output " + name + " was not produced");
            assertArrayEquals(exp.shape(), a.getShape().getShape(), c.path("id").asText() + ": shape of " + name);
            JsonNode tol = tols.path(spec.path("tol").asText());
            assertTrue(tol.has("atol"), "unknown tolerance kind " + spec.path("tol").asText());
            Golden.assertAllClose(a.toFloatArray(), exp.toFloatArray(), tol.path("atol").asDouble(), tol.path("rtol").asDouble(),
                    c.path("id").asText() + ": " + name);
        }
    }
}
