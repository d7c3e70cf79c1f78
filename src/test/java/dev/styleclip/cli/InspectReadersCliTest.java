package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip inspect} on the checkpoint formats of issue 3 (pickle, TorchScript, legacy, zip, hostile). */
class InspectReadersCliTest {

    @Test
    void styleganPickleShowsClassAndInitKwargs() throws Exception {
        Path f = Golden.set("stylegan3").resolve("models/sg3t-32.pkl");
        CliRun r = CliRun.run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format:     stylegan-pickle"), r.out());
        assertTrue(r.out().contains("objects:    [G_ema, G, D] (showing G_ema)"), r.out());
        assertTrue(r.out().contains("class:      Generator"), r.out());
        assertTrue(r.out().contains("init kwargs: {") && r.out().contains("\"magnitude_ema_beta\":0.9988915792636801"), r.out());
        assertTrue(r.out().contains("mapping.fc0.weight"), r.out());
        CliRun d = CliRun.run("inspect", "--json", "--object", "D", f.toString());
        assertEquals(0, d.code(), d.err());
        JsonNode n = new ObjectMapper().readTree(d.out());
        assertEquals("Discriminator", n.get("class_name").asText());
        assertEquals(4, n.get("init_kwargs").get("epilogue_kwargs").get("mbstd_group_size").asInt());
        assertEquals("D", n.get("object").asText());
    }

    @Test
    void torchScriptArchive() {
        Path f = Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt");
        CliRun r = CliRun.run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format:     torchscript"), r.out());
        assertTrue(r.out().contains("visual.conv1.weight"), r.out());
    }

    @Test
    void legacyAndZipTorchFiles() {
        CliRun r = CliRun.run("inspect", Golden.set("lpips").resolve("models/real_v0.1/vgg.pth").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("format:     torch-legacy"), r.out());
        assertTrue(r.out().contains("tensors:    5"), r.out());
        CliRun z = CliRun.run("inspect", Golden.set("encoder").resolve("models/restyle_psp_tiny_a.pt").toString());
        assertEquals(0, z.code(), z.err());
        assertTrue(z.out().contains("format:     torch-zip"), z.out());
        assertTrue(z.out().contains("other entries: [opts, latent_avg]"), z.out());
    }

    @Test
    void hostilePickleExitsTwoWithOneLineAndRunsNothing(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("pwned");
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(new byte[]{(byte) 0x80, 0x02});
        b.write(("cos\nsystem\n").getBytes(StandardCharsets.US_ASCII));
        byte[] cmd = ("touch " + marker).getBytes(StandardCharsets.US_ASCII);
        b.write('X');
        b.write(new byte[]{(byte) cmd.length, 0, 0, 0});
        b.write(cmd);
        b.write(new byte[]{(byte) 0x85, 'R', '.'});
        Path f = Files.write(dir.resolve("evil.pkl"), b.toByteArray());
        CliRun r = CliRun.run("inspect", f.toString());
        assertEquals(2, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("evil.pkl") && r.err().contains("os.system"), r.err());
        assertFalse(Files.exists(marker));
    }
}
