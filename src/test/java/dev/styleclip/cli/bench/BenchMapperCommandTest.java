package dev.styleclip.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.cli.Cli;
import dev.styleclip.cli.CliRun;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip bench mapper} on the edit golden set's tiny networks, loaded in its job through the shared cache entries. */
class BenchMapperCommandTest {

    private static String model(String key) {
        JsonNode m = Golden.manifest("edit").path("models").path(key);
        return Golden.set("edit").resolve(m.path("path").asText()).normalize().toString();
    }

    @Test
    void reportsTheTrainingStepTheMapperAndTheDirections() throws Exception {
        CliRun r = CliRun.run("bench", "mapper", "--generator", model("stylegan3"), "--clip", model("clip"), "--id", model("idloss"),
                "--batch", "1", "--iters", "1", "--warmup", "0", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out()); // stdout is the JSON alone
        JsonNode train = n.path("mapper_training_step");
        assertTrue(train.path("median").asDouble() > 0, r.out());
        assertTrue(train.path("plan").asText().length() > 0, "the memory plan it ran under");
        for (String k : new String[]{"mapper_forward_ms", "synthesis_ms", "mapper_apply_ms", "directions_apply_ms"}) {
            assertTrue(n.path(k).path("median").asDouble() > 0, k + ": " + r.out());
        }
        assertEquals(1, n.path("batch").asInt());
        assertTrue(n.path("mapper_parameters").asLong() > 0, r.out());
        assertFalse(r.err().contains("demo network"), "every network was given as a file: " + r.err());
    }

    @Test
    void aMissingFileIsOneLineBeforeAnyWork() {
        CliRun r = CliRun.run("bench", "mapper", "--generator", model("stylegan3"), "--clip", "missing.pt", "--json");
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), r.err());
        assertEquals("error: --clip missing.pt: no such file", r.err().strip());
        assertEquals("", r.out());
    }
}
