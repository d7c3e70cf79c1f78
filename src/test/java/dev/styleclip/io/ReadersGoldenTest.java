package dev.styleclip.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Every case of {@code golden/readers/manifest.json}: the readers give exactly the expected state dicts and kwargs. */
class ReadersGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> everyCase() {
        Path dir = Golden.set("readers");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.cases("readers")) {
            String label = c.path("file").asText() + (c.has("object") ? "[" + c.get("object").asText() + "]" : "");
            tests.add(DynamicTest.dynamicTest(label, () -> check(dir, c)));
        }
        return tests.stream();
    }

    static void check(Path dir, JsonNode c) throws Exception {
        Path file = dir.resolve(c.get("file").asText()).normalize();
        Checkpoint cp = ModelFiles.open(file);
        assertEquals(c.get("format").asText(), cp.format().id(), "detected format of " + file);
        TensorStore store = c.has("object") ? cp.object(c.get("object").asText()) : cp.main();
        TensorStore expected = Golden.tensors(dir.resolve(c.get("expected_state_dict").asText()));
        assertEquals(c.get("num_tensors").asInt(), expected.size(), "manifest num_tensors vs expected file");
        assertEquals(c.get("num_tensors").asInt(), store.size(), "number of tensors read from " + file);
        assertEquals(new java.util.TreeSet<>(expected.names()), new java.util.TreeSet<>(store.names()), "tensor names");
        assertEquals(expected.names(), store.names(), "tensor order (state_dict order)");
        for (Tensor e : expected.tensors()) {
            Tensor a = store.get(e.name());
            assertArrayEquals(e.shape(), a.shape(), "shape of " + e.name());
            assertEquals(e.dtype(), a.dtype(), "dtype of " + e.name());
            if (e.dtype().isFloating()) {
                float[] ev = e.toFloatArray();
                float[] av = a.toFloatArray();
                for (int i = 0; i < ev.length; i++) {
                    if (Float.floatToRawIntBits(ev[i]) != Float.floatToRawIntBits(av[i])) {
                        fail(e.name() + "[" + i + "] = " + av[i] + ", expected " + ev[i] + " (bit-identical)");
                    }
                }
                if (e.dtype() == DType.F64) assertArrayEquals(e.toDoubleArray(), a.toDoubleArray(), 0.0, e.name());
            } else {
                assertArrayEquals(e.toLongArray(), a.toLongArray(), "values of " + e.name());
            }
        }
        if (c.has("class_name")) assertEquals(c.get("class_name").asText(), store.metadata().get("class_name"), "class_name");
        if (c.has("expected_init_kwargs")) {
            JsonNode want = JSON.readTree(dir.resolve(c.get("expected_init_kwargs").asText()).toFile());
            Object got = store.metadata().get("init_kwargs");
            assertTrue(got instanceof Map, "init_kwargs is a map: " + got);
            assertJsonEquals(want, got, "init_kwargs");
        }
    }

    /** JSON value equality: numbers compared numerically (int vs long alike), objects as key sets. */
    static void assertJsonEquals(JsonNode want, Object got, String path) {
        if (want.isNull()) {
            assertEquals(null, got, path);
        } else if (want.isBoolean()) {
            assertEquals(want.booleanValue(), got, path);
        } else if (want.isNumber()) {
            assertTrue(got instanceof Number, path + " is a number, got " + got);
            BigDecimal w = want.decimalValue();
            BigDecimal g = got instanceof Double || got instanceof Float ? new BigDecimal(((Number) got).doubleValue())
                    : new BigDecimal(got.toString());
            if (want.isFloatingPointNumber() || got instanceof Double) {
                assertEquals(want.doubleValue(), ((Number) got).doubleValue(), 0.0, path);
            } else {
                assertEquals(0, w.compareTo(g), path + ": " + got + " vs " + want);
            }
        } else if (want.isTextual()) {
            assertEquals(want.asText(), got, path);
        } else if (want.isArray()) {
            assertTrue(got instanceof List, path + " is a list, got " + got);
            List<?> l = (List<?>) got;
            assertEquals(want.size(), l.size(), path + " length");
            for (int i = 0; i < l.size(); i++) assertJsonEquals(want.get(i), l.get(i), path + "[" + i + "]");
        } else if (want.isObject()) {
            assertTrue(got instanceof Map, path + " is a map, got " + got);
            Map<?, ?> m = (Map<?, ?>) got;
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) keys.add(it.next());
            assertEquals(new java.util.TreeSet<>(keys), new java.util.TreeSet<>(Arrays.asList(m.keySet().stream().map(String::valueOf).toArray(String[]::new))), path + " keys");
            for (String k : keys) assertJsonEquals(want.get(k), m.get(k), path + "." + k);
        } else {
            fail(path + ": unexpected JSON " + want);
        }
    }
}
