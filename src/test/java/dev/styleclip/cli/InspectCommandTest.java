package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCommandTest {


    @Test
    void inspectsASafetensorsFileAsTextAndJson() throws Exception {
        Path f = Golden.set("readers").resolve("lpips-vgg.pth.safetensors");
        CliRun r = CliRun.run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format:     safetensors"), r.out());
        assertTrue(r.out().contains("tensors:    5"), r.out());
        CliRun j = CliRun.run("inspect", "--json", f.toString());
        assertEquals(0, j.code(), j.err());
        JsonNode n = new ObjectMapper().readTree(j.out());
        assertEquals("safetensors", n.get("format").asText());
        assertEquals(5, n.get("num_tensors").asInt());
        assertEquals(5, n.get("tensors").size());
    }

    @Test
    void unknownFileExitsTwoWithOneLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("notes.pkl");
        Files.writeString(f, "hello, this is not a model");
        CliRun r = CliRun.run("inspect", f.toString());
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("notes.pkl"), r.err());
        CliRun missing = CliRun.run("inspect", dir.resolve("nope.pt").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }
}
