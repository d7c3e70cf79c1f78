package dev.styleclip.cli.bench;

import dev.styleclip.cli.Cli;
import dev.styleclip.cli.CliRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bench losses}: every row measured, as a table and as JSON; bad options exit 2. */
class BenchLossesCommandTest {

    @Test
    void measuresIdAndLpipsForwardAndBackward() throws Exception {
        String id = Golden.set("idloss").resolve("models/irse_tiny_a.pth").toString();
        CliRun r = CliRun.run("bench", "losses", "--id", id, "--size", "64", "--iters", "1", "--warmup", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        List<String> names = new ArrayList<>();
        for (JsonNode row : n.get("rows")) {
            names.add(row.path("name").asText(row.path("what").asText()));
            assertTrue(row.toString().contains("median"), row.toString());
        }
        assertEquals(5, n.get("rows").size(), r.out());
        assertEquals(1, n.get("threads").asInt());
        assertTrue(n.get("peak_rss_mb").asDouble() > 0);

        CliRun t = CliRun.run("bench", "losses", "--id", id, "--size", "64", "--iters", "1", "--warmup", "0");
        assertEquals(0, t.code(), t.err());
        for (String line : new String[]{"ID loss forward", "ID loss forward+backward", "LPIPS forward", "LPIPS forward+backward",
                "LPIPS fwd+bwd, target cached"}) {
            assertTrue(t.out().contains(line), t.out());
        }
        assertEquals(Cli.EXIT_BAD_INPUT, CliRun.run("bench", "losses", "--size", "8").code());
        assertEquals(Cli.EXIT_BAD_INPUT, CliRun.run("bench", "losses", "--iters", "0").code());
    }
}
