package dev.styleclip.cli.bench;

import dev.styleclip.cli.Cli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip bench invert} on the golden tiny generator and encoder. */
class BenchInvertCommandTest {
    @Test
    void reportsProjectionAndEncoderTimes() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "invert",
                "--generator", Golden.set("stylegan3").resolve("models/sg3t-32.pkl").toString(),
                "--encoder", Golden.set("encoder").resolve("models/restyle_e4e_tiny_a.pt").toString(),
                "--iters", "2", "--warmup", "1", "--photos", "1", "--json");
        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString());
        for (String k : new String[]{"projection_step", "encoder_per_photo"}) {
            assertTrue(r.path(k).path("median").asDouble() > 0, out.toString());
            assertTrue(r.path(k).path("plan").asText().length() > 0, k + ": the memory plan it ran under");
            BenchGeneratorCommandTest.assertEstimateBoundsPeak(r.path(k), k);
        }
        assertTrue(r.path("encoder_per_iteration_ms").path("median").asDouble() > 0, out.toString());
        assertEquals(3, r.path("encoder_iterations").asInt());
    }
}
