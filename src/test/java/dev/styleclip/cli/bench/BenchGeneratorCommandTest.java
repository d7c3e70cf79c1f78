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

/**
 * {@code styleclip bench generator --json} on a tiny golden generator: timings, and for the synthesis the memory plan
 * with its estimated peak next to the measured one (the estimate must bound what was measured).
 */
class BenchGeneratorCommandTest {

    @Test
    void jsonHasTheTimingsAndMemory() throws Exception {
        String id = Golden.manifest("stylegan3").path("models").get(0).path("id").asText();
        String gen = Golden.set("readers").resolve("stylegan3-" + id + ".G_ema.safetensors").toString();
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "generator", "--generator", gen,
                "--iters", "2", "--batch", "2", "--json", "--rss-every", "1");
        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString());
        for (String k : new String[]{"mapping_ms", "synthesis_forward", "synthesis_forward_backward"}) {
            assertTrue(r.path(k).path("median").asDouble() > 0, k);
            assertTrue(r.path(k).path("min").asDouble() > 0, k);
        }
        for (String k : new String[]{"synthesis_forward", "synthesis_forward_backward"}) {
            assertTrue(r.path(k).path("plan").asText().length() > 0, k);
            assertEstimateBoundsPeak(r.path(k), k);
        }
        assertTrue(r.path("peak_rss_mb").asDouble() > 0);
        assertTrue(r.path("threads").asInt() >= 1);
        assertTrue(r.has("device"));
        assertTrue(err.toString().contains("rss"), err.toString());
    }

    @Test
    void aForcedPlanIsUsedAndABadOneRefused() throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), "bench", "generator",
                "--generator", Golden.set("stylegan3").resolve("models/sg3r-32.pkl").toString(),
                "--iters", "1", "--warmup", "0", "--plan", "recompute+chunks:1K", "--json");
        assertEquals(0, code, err.toString());
        JsonNode r = new ObjectMapper().readTree(out.toString());
        assertEquals("recompute per layer, pieces <= 1 KiB", r.path("synthesis_forward_backward").path("plan").asText());
        StringWriter err2 = new StringWriter();
        assertEquals(Cli.EXIT_BAD_INPUT, Cli.run(new PrintWriter(new StringWriter(), true), new PrintWriter(err2, true),
                "bench", "generator", "--plan", "sideways"));
        assertTrue(err2.toString().contains("--plan sideways"), err2.toString());
    }

    /** A measurement's estimated peak (MB) is at least its measured peak resident size. */
    static void assertEstimateBoundsPeak(JsonNode m, String what) {
        double est = m.path("estimated_peak_mb").asDouble(), peak = m.path("peak_rss_mb").asDouble();
        assertTrue(est > 0 && peak > 0, what + ": estimate " + est + ", peak " + peak);
        assertTrue(est >= peak, what + ": the estimate " + est + " MB is below the measured peak " + peak + " MB");
    }
}
