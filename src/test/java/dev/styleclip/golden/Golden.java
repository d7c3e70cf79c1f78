package dev.styleclip.golden;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.TensorStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Access to the golden reference sets: the root comes from the system property {@code golden.root}
 * (default: the copy in {@code src/test/resources/golden}); a missing set or manifest fails the test, never skips it.
 */
public final class Golden {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, TensorStore> STORES = new HashMap<>();

    private Golden() {
    }

    public static Path root() {
        String p = System.getProperty("golden.root");
        Path root = p != null && !p.isBlank() ? Paths.get(p) : Paths.get("src", "test", "resources", "golden");
        return root.toAbsolutePath().normalize();
    }

    /** The folder of one set; fails when it is missing. */
    public static Path set(String name) {
        Path dir = root().resolve(name);
        if (!Files.isDirectory(dir)) fail("golden set '" + name + "' is missing under " + root());
        return dir;
    }

    /** The parsed {@code manifest.json} of a set; fails when it is missing or unreadable. */
    public static JsonNode manifest(String set) {
        Path m = set(set).resolve("manifest.json");
        if (!Files.isRegularFile(m)) fail("golden set '" + set + "' has no manifest.json at " + m);
        try {
            return JSON.readTree(m.toFile());
        } catch (IOException e) {
            throw new AssertionError("cannot read " + m + ": " + e.getMessage(), e);
        }
    }

    /** The manifest's {@code cases} array as a list; fails when empty. */
    public static List<JsonNode> cases(String set) {
        JsonNode c = manifest(set).path("cases");
        List<JsonNode> out = new ArrayList<>();
        c.forEach(out::add);
        assertTrue(!out.isEmpty(), "golden set '" + set + "' lists no cases");
        return out;
    }

    /** The body of one golden case. */
    @FunctionalInterface
    public interface CaseBody {
        void run(JsonNode c) throws Exception;
    }

    /** One dynamic test per case of a set's manifest, named "id (kind)". */
    public static List<org.junit.jupiter.api.DynamicTest> dynamicTests(String set, CaseBody body) {
        List<org.junit.jupiter.api.DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases(set)) {
            String kind = c.path("kind").asText("");
            String name = c.path("id").asText() + (kind.isEmpty() ? "" : " (" + kind + ")");
            tests.add(org.junit.jupiter.api.DynamicTest.dynamicTest(name, () -> body.run(c)));
        }
        return tests;
    }

    /** A safetensors file of a set (cached per path). */
    public static synchronized TensorStore tensors(Path file) {
        return STORES.computeIfAbsent(file.toAbsolutePath().normalize(), f -> {
            try {
                return Safetensors.read(f);
            } catch (ModelFileException e) {
                throw new AssertionError(e.getMessage(), e);
            }
        });
    }

    /**
     * numpy.allclose semantics, elementwise: |a − e| ≤ atol + rtol·|e|. On failure the message names the worst element.
     */
    public static void assertAllClose(float[] actual, float[] expected, double atol, double rtol, String what) {
        if (actual.length != expected.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        int worst = -1;
        double worstExcess = 0;
        int bad = 0;
        for (int i = 0; i < actual.length; i++) {
            double a = actual[i];
            double e = expected[i];
            double err = Math.abs(a - e);
            double allowed = atol + rtol * Math.abs(e);
            if (!(err <= allowed) || Double.isNaN(a) != Double.isNaN(e)) {
                if (Double.isNaN(a) && Double.isNaN(e)) continue;
                bad++;
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d values out of tolerance (atol %g, rtol %g); worst at [%d]: got %s, expected %s",
                    what, bad, actual.length, atol, rtol, worst, actual[worst], expected[worst]));
        }
    }

    /** Same for float64 data. */
    public static void assertAllClose(double[] actual, double[] expected, double atol, double rtol, String what) {
        if (actual.length != expected.length) fail(what + ": " + actual.length + " values, expected " + expected.length);
        int worst = -1;
        double worstExcess = 0;
        int bad = 0;
        for (int i = 0; i < actual.length; i++) {
            double err = Math.abs(actual[i] - expected[i]);
            double allowed = atol + rtol * Math.abs(expected[i]);
            if (!(err <= allowed)) {
                if (Double.isNaN(actual[i]) && Double.isNaN(expected[i])) continue;
                bad++;
                double excess = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err - allowed;
                if (worst < 0 || excess > worstExcess) {
                    worst = i;
                    worstExcess = excess;
                }
            }
        }
        if (bad > 0) {
            fail(String.format("%s: %d of %d values out of tolerance (atol %g, rtol %g); worst at [%d]: got %s, expected %s",
                    what, bad, actual.length, atol, rtol, worst, actual[worst], expected[worst]));
        }
    }
}
