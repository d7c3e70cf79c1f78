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

    /**
     * What a file says about itself reaches the terminal escaped and abbreviated: a tensor name with escape sequences
     * and a bidi override, a list of a million numbers (the JSON report keeps everything).
     */
    @Test
    void namesAreEscapedAndHugeEntriesAbbreviated(@TempDir Path dir) throws Exception {
        Path f = dev.styleclip.io.HostileInputs.safetensors(dir, "names.safetensors",
                "{\"evil\\u001b[2J\\u202e\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8);
        CliRun r = CliRun.run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().chars().noneMatch(c -> Character.isISOControl(c) && c != '\n'), r.out());
        assertTrue(r.out().contains("evil\\u001b[2J\\u202e"), r.out());

        java.util.List<Object> million = new java.util.ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) million.add(i);
        Object shown = InspectCommand.abbreviated(java.util.Map.of("channels", million, "name", "x".repeat(5000)), 0);
        String text = new ObjectMapper().writeValueAsString(shown);
        assertTrue(text.length() < 2000, text);
        assertTrue(text.contains("\"… 999968 more items\"") && text.contains("(4800 more characters)"), text);
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
