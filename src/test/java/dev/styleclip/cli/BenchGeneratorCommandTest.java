package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip bench generator --json} on a tiny golden generator. */
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
        for (String k : new String[]{"mapping_ms", "synthesis_forward_ms", "synthesis_forward_backward_ms"}) {
            assertTrue(r.path(k).path("median").asDouble() > 0, k);
            assertTrue(r.path(k).path("min").asDouble() > 0, k);
        }
        assertTrue(r.path("peak_rss_mb").asDouble() > 0);
        assertTrue(r.path("threads").asInt() >= 1);
        assertTrue(r.has("device"));
        assertTrue(err.toString().contains("rss"), err.toString());
    }
}
