package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import dev.styleclip.runtime.models.LoopbackServer;
import dev.styleclip.runtime.models.ModelEntries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ./styleclip models ...}; downloads only from 127.0.0.1. */
class ModelsCommandTest {

    @TempDir
    Path tmp;


    @Test
    void listShowsEveryCatalogEntry() throws Exception {
        CliRun r = CliRun.run("models", "list", "--dir", tmp.toString(), "-v");
        assertEquals(0, r.code(), r.err());
        for (var e : ModelEntries.all()) assertTrue(r.out().contains(e.name()), e.name());
        assertTrue(r.out().contains("stylegan3-r-metfacesu-1024"));
        assertTrue(r.out().contains("manual download: https://drive.google.com/"));
        CliRun j = CliRun.run("models", "list", "--dir", tmp.toString(), "--json");
        assertEquals(0, j.code(), j.err());
        JsonNode n = new ObjectMapper().readTree(j.out());
        assertEquals(ModelEntries.all().size(), n.get("models").size());
    }

    @Test
    void catalogCoversTheOfficialFiles() {
        String[] names = {"stylegan3-t-ffhq-1024", "stylegan3-t-ffhqu-1024", "stylegan3-t-ffhqu-256", "stylegan3-r-ffhq-1024",
            "stylegan3-r-ffhqu-1024", "stylegan3-r-ffhqu-256", "stylegan3-t-metfaces-1024", "stylegan3-t-metfacesu-1024",
            "stylegan3-r-metfaces-1024", "stylegan3-r-metfacesu-1024", "stylegan3-t-afhqv2-512", "stylegan3-r-afhqv2-512",
            "clip-vit-b-32", "clip-vit-b-16", "clip-vit-l-14", "vgg16", "lpips-vgg", "face-api", "ir-se50",
            "restyle-psp-ffhq", "restyle-e4e-ffhq"};
        for (String name : names) assertTrue(ModelEntries.find(name).isPresent(), name);
        for (var e : ModelEntries.all()) {
            if (e.url() != null) assertTrue(e.url().startsWith("https://"), e.url());
            if (e.role() == dev.styleclip.runtime.models.ModelRole.CLIP) {
                assertTrue(e.url().contains("/" + e.sha256() + "/"), "CLIP URLs carry the sha256: " + e.url());
            }
            assertFalse(e.licence().isBlank());
            assertFalse(e.purpose().isBlank());
        }
        assertEquals("ViT-B-32.pt", ModelEntries.find("ViT-B-32.pt").orElseThrow().file());
    }

    @Test
    void fetchVerifyAndImport() throws Exception {
        byte[] vgg = Files.readAllBytes(Golden.set("lpips").resolve("models/real_v0.1/vgg.pth"));
        try (LoopbackServer server = new LoopbackServer().put("vgg.pth", vgg)) {
            Path dir = tmp.resolve("models");
            CliRun f = CliRun.run("models", "fetch", "lpips-vgg", "--dir", dir.toString(), "--url",
                    server.uri("/drop/vgg.pth").toString());
            assertEquals(0, f.code(), f.err());
            assertTrue(f.out().contains("lpips-vgg: installed"), f.out());
            assertTrue(f.err().contains("lpips-vgg ["), "progress bar on stderr: " + f.err());
            assertTrue(f.err().contains("100%"), f.err());
            assertTrue(f.err().contains("connection lost"), f.err());
            assertTrue(Files.isRegularFile(dir.resolve("lpips/vgg.pth")));

            CliRun again = CliRun.run("models", "fetch", "lpips-vgg", "--dir", dir.toString(), "--url",
                    server.uri("/file/vgg.pth").toString());
            assertTrue(again.out().contains("already installed"), again.out());

            CliRun v = CliRun.run("models", "verify", "--dir", dir.toString());
            assertEquals(0, v.code(), v.err());
            assertTrue(v.out().contains("lpips-vgg") && v.out().contains("ok"), v.out());

            Files.write(dir.resolve("lpips/vgg.pth"), java.util.Arrays.copyOf(vgg, vgg.length - 1));
            CliRun bad = CliRun.run("models", "verify", "--dir", dir.toString());
            assertEquals(1, bad.code(), bad.out());
            assertTrue(bad.out().contains("mismatch"), bad.out());

            CliRun missing = CliRun.run("models", "fetch", "lpips-vgg", "--force", "--dir", dir.toString(), "--url",
                    server.uri("/file/gone.pth").toString());
            assertEquals(Cli.EXIT_BAD_INPUT, missing.code());
            assertTrue(missing.err().startsWith("error: cannot download lpips-vgg") && missing.err().contains("404"), missing.err());
        }
    }

    @Test
    void importAndErrors() throws Exception {
        Path dir = tmp.resolve("models");
        Path src = tmp.resolve("model_ir_se50.pth");
        Files.copy(Golden.set("idloss").resolve("models/irse_tiny_a.pth"), src);
        CliRun i = CliRun.run("models", "import", src.toString(), "--as", "ir-se50", "--dir", dir.toString(), "--copy");
        assertEquals(0, i.code(), i.err());
        assertTrue(Files.exists(src), "--copy keeps the source");
        assertTrue(Files.isRegularFile(dir.resolve("model_ir_se50.pth")));

        CliRun manual = CliRun.run("models", "fetch", "restyle-e4e-ffhq", "--dir", dir.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, manual.code());
        assertTrue(manual.err().contains("drive.google.com") && manual.err().contains("models import FILE --as restyle-e4e-ffhq"),
                manual.err());

        CliRun unknown = CliRun.run("models", "fetch", "no-such-model", "--dir", dir.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, unknown.code());
        assertTrue(unknown.err().contains("no model named 'no-such-model'"), unknown.err());
    }
}
