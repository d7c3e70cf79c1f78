package dev.styleclip.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Files written by PyTorch 1.13 itself (see src/test/resources/readers-variants/README.md): views, dtypes, jit. */
class TorchVariantsTest {
    static final Path DIR = Path.of("src", "test", "resources", "readers-variants");
    static final ObjectMapper JSON = new ObjectMapper();

    static DType dtype(String torchName) {
        DType d = DType.fromTorchDtype(torchName);
        if (d == null) fail("unknown dtype " + torchName);
        return d;
    }

    static void assertMatches(JsonNode expected, TensorStore store) throws Exception {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) names.add(it.next());
        assertEquals(names, store.names(), "names in order");
        for (String n : names) {
            JsonNode e = expected.get(n);
            Tensor t = store.get(n);
            assertEquals(dtype(e.get("dtype").asText()), t.dtype(), n);
            long[] shape = new long[e.get("shape").size()];
            for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asLong();
            assertArrayEquals(shape, t.shape(), n);
            JsonNode v = e.get("values");
            if (t.dtype().isFloating()) {
                float[] a = t.toFloatArray();
                assertEquals(v.size(), a.length, n);
                for (int i = 0; i < a.length; i++) assertEquals((float) v.get(i).asDouble(), a[i], 0f, n + "[" + i + "]");
            } else {
                long[] a = t.toLongArray();
                assertEquals(v.size(), a.length, n);
                for (int i = 0; i < a.length; i++) assertEquals(v.get(i).asLong(), a[i], n + "[" + i + "]");
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> stateDictFiles() throws Exception {
        JsonNode exp = JSON.readTree(DIR.resolve("expected.json").toFile()).get("state_dict");
        Map<String, Format> files = Map.of("variants.zip.pth", Format.TORCH_ZIP, "variants.deflated.pth", Format.TORCH_ZIP,
                "variants.legacy.pth", Format.TORCH_LEGACY, "variants.legacy-p4.pth", Format.TORCH_LEGACY);
        return files.entrySet().stream().map(f -> DynamicTest.dynamicTest(f.getKey(), () -> {
            Checkpoint cp = ModelFiles.open(DIR.resolve(f.getKey()));
            assertEquals(f.getValue(), cp.format());
            assertMatches(exp, cp.main());
        }));
    }

    @Test
    void checkpointWithStateDictAndExtras() throws Exception {
        Checkpoint cp = ModelFiles.open(DIR.resolve("checkpoint.zip.pt"));
        assertMatches(JSON.readTree(DIR.resolve("expected.json").toFile()).get("state_dict"), cp.main());
        assertEquals(List.of("opts", "step", "latent_avg", "optimizer"), List.copyOf(cp.info().keySet()));
        @SuppressWarnings("unchecked") Map<String, Object> opts = (Map<String, Object>) cp.info().get("opts");
        assertEquals(0.5, opts.get("lr"));
        assertEquals(3L, ((Number) opts.get("n")).longValue());
        assertEquals(List.of(1L, 2L), opts.get("arr"));
        assertEquals(List.of(0.9, 0.99), opts.get("betas"));
        assertEquals(7, cp.info().get("step"));
        Tensor latent = (Tensor) cp.info().get("latent_avg");
        assertArrayEquals(new float[]{0, 1, 2, 3}, latent.toFloatArray());
        @SuppressWarnings("unchecked") Map<String, Object> optim = (Map<String, Object>) cp.info().get("optimizer");
        assertTrue(optim.get("state") instanceof Map);
    }

    @TestFactory
    Stream<DynamicTest> torchScriptFiles() {
        return Stream.of("traced", "scripted").map(n -> DynamicTest.dynamicTest(n, () -> {
            Checkpoint cp = ModelFiles.open(DIR.resolve(n + ".pt"));
            assertEquals(Format.TORCHSCRIPT, cp.format());
            assertMatches(JSON.readTree(DIR.resolve("expected-" + n + ".json").toFile()).get(n), cp.main());
        }));
    }
}
