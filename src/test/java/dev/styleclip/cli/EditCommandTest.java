package dev.styleclip.cli;

import dev.styleclip.edit.Latent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip edit} and {@code styleclip sweep} on the golden tiny models, and their error handling. */
class EditCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static List<String> models() {
        JsonNode m = Golden.manifest("edit").path("models");
        Path dir = Golden.set("edit");
        return List.of("--generator", dir.resolve(m.path("stylegan3").path("path").asText()).normalize().toString(),
                "--clip", dir.resolve(m.path("clip").path("path").asText()).normalize().toString(),
                "--id", dir.resolve(m.path("idloss").path("path").asText()).normalize().toString());
    }

    private static String[] args(String cmd, List<String> rest) {
        List<String> a = new ArrayList<>();
        a.add(cmd);
        a.addAll(models());
        a.addAll(rest);
        return a.toArray(new String[0]);
    }

    /** A golden optimisation case the CLI can express exactly (constant schedule): its losses and final ws. */
    @Test
    void editWritesFilesAndReproducesAGoldenTrace(@TempDir Path tmp) throws Exception {
        JsonNode c = null;
        for (JsonNode k : Golden.cases("edit")) {
            if (k.path("method").asText().equals("optimisation") && k.path("params").path("schedule").path("kind").asText().equals("constant")) c = k;
        }
        assertNotNull(c, "the edit set has a constant-schedule optimisation case");
        JsonNode p = c.path("params");
        TensorStore t = Golden.tensors(Golden.set("edit").resolve(c.path("file").asText()));
        Path out = tmp.resolve("edit");
        StringWriter o = new StringWriter(), e = new StringWriter();
        String space = p.path("space").asText().equals("z") ? "z" : "w+";
        int code = run(o, e, args("edit", List.of("--seed", p.path("seed").asText(), "--trunc", p.path("psi").asText(),
                "--prompt", p.path("prompt").asText(), "--space", space, "--steps", p.path("steps").asText(),
                "--lr", p.path("lr").asText(), "--l2", p.path("l2_lambda").asText(), "--id-weight", p.path("id_lambda").asText(),
                "--l2-form", p.path("l2").asText(), "--schedule", "constant", "--out", out.toString(), "--every", "2")));
        assertEquals(0, code, e.toString());
        for (String f : new String[]{"before.png", "after.png", "w.npz", "result.json", "frames/step0002.png"}) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " written");
        }
        BufferedImage after = ImageIO.read(out.resolve("after.png").toFile());
        assertEquals(t.get("image_final").shape()[3], after.getWidth());
        JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertEquals(p.path("steps").asInt(), r.path("steps_done").asInt());
        assertFalse(r.path("stopped_early").asBoolean());
        assertFalse(r.path("networks").path("demo").asBoolean());
        for (String k : new String[]{"clip_score", "id_similarity", "lpips"}) assertTrue(r.path("metrics").path(k).isNumber(), k);
        float[] loss = t.get("loss").toFloatArray();
        JsonNode tol = c.path("tolerances").path("loss");
        for (int i = 0; i < loss.length; i++) {
            double got = r.path("losses").get(i).path("total").asDouble();
            double allowed = tol.path("atol_per_step").get(i).asDouble() + tol.path("rtol_per_step").get(i).asDouble() * Math.abs(loss[i]);
            assertTrue(Math.abs(got - loss[i]) <= allowed, "loss at step " + i + ": " + got + " vs " + loss[i]);
        }
        Latent w = LatentFile.read(out.resolve("w.npz"));
        JsonNode wt = c.path("tolerances").path("ws_final");
        Golden.assertAllClose(w.values(), t.get("ws_final").toFloatArray(), wt.path("atol").asDouble(), wt.path("rtol").asDouble(), "w.npz");
        assertTrue(o.toString().contains("CLIP score"), o.toString());

        // restart from the written latent (w+ only)
        Path out2 = tmp.resolve("again");
        code = run(o, e, args("edit", List.of("--latent", out.resolve("w.npz").toString(), "--prompt", "a smiling face",
                "--groups", "fine", "--steps", "2", "--schedule", "cosine", "--out", out2.toString())));
        assertEquals(0, code, e.toString());
        assertTrue(Files.isRegularFile(out2.resolve("after.png")));
    }

    @Test
    void sweepWritesAGridAndJson(@TempDir Path tmp) throws Exception {
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = run(o, e, args("sweep", List.of("--seed", "3", "--trunc", "0.7", "--prompts", "bald, hairless",
                "--l2", "0.001,0.1", "--id-weight", "0.001", "--steps", "2", "--out", tmp.toString())));
        assertEquals(0, code, e.toString());
        JsonNode j = new ObjectMapper().readTree(tmp.resolve("sweep.json").toFile());
        assertEquals(2, j.path("prompts").size());
        assertEquals(2, j.path("grid").size());
        String best = j.path("best_prompt").asText();
        assertTrue(best.equals("bald") || best.equals("hairless"), best);
        double bestScore = -2;
        for (JsonNode p : j.path("prompts")) bestScore = Math.max(bestScore, p.path("metrics").path("clip_score").asDouble());
        for (JsonNode p : j.path("prompts")) {
            if (p.path("prompt").asText().equals(best)) assertEquals(bestScore, p.path("metrics").path("clip_score").asDouble());
        }
        BufferedImage sheet = ImageIO.read(tmp.resolve("sweep.png").toFile());
        assertTrue(sheet.getWidth() >= 3 * 128 && sheet.getHeight() >= 3 * 128, sheet.getWidth() + "x" + sheet.getHeight());
    }

    @Test
    void regionEditsReportTheChangeOutsideTheRegions(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("mouth");
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = run(o, e, args("edit", List.of("--seed", "3", "--prompt", "a smiling face", "--steps", "2", "--region", "mouth",
                "--region-grow", "1", "--out", out.toString())));
        assertEquals(0, code, e.toString());
        JsonNode r = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertTrue(r.path("metrics").path("lpips_outside").isNumber(), r.path("metrics").toString());
        for (JsonNode step : r.path("losses")) assertTrue(step.path("keep").isNumber(), step.toString());
        JsonNode regions = r.path("settings").path("regions");
        assertEquals("region", regions.path("mode").asText());
        assertEquals("mouth", regions.path("regions").get(0).asText());
        assertEquals(1.0, regions.path("grow").asDouble());
        assertEquals(1.0, regions.path("keep_weight").asDouble(), "the default λ_keep with regions");
        // the tiny generator draws a pattern: face-api finds no face, and the run says the mean face stood in
        assertTrue(r.path("regions_note").asText().startsWith("edit only mouth: regions from the FFHQ mean face ("), r.toString());
        assertTrue(o.toString().contains("regions: edit only mouth: regions from the FFHQ mean face"), o.toString());
        assertTrue(o.toString().contains("LPIPS outside"), o.toString());

        // the same through sweep and train-mapper (--keep, λ_keep given)
        code = run(o, e, args("sweep", List.of("--seed", "3", "--prompts", "bald", "--l2", "0.001", "--id-weight", "0.001", "--steps", "1",
                "--keep", "background,eyes", "--keep-weight", "0.5", "--out", tmp.resolve("sweep").toString())));
        assertEquals(0, code, e.toString());
        JsonNode j = new ObjectMapper().readTree(tmp.resolve("sweep/sweep.json").toFile());
        assertEquals("keep", j.path("settings").path("regions").path("mode").asText());
        assertEquals(0.5, j.path("settings").path("regions").path("keep_weight").asDouble());
        assertTrue(j.path("grid").get(0).path("metrics").path("lpips_outside").isNumber(), j.toString());
        Path mapper = tmp.resolve("mapper");
        code = run(o, e, args("train-mapper", List.of("--prompt", "a person with purple hair", "--epochs", "1", "--steps", "1", "--batch", "1",
                "--keep", "background", "--out", mapper.toString())));
        assertEquals(0, code, e.toString());
        assertEquals("keep", new ObjectMapper().readTree(mapper.resolve("checkpoint.json").toFile()).path("settings").path("regions").path("mode").asText());
        assertTrue(e.toString().contains("using: LPIPS "), "the keep term's LPIPS is named: " + e);
    }

    @Test
    void badRegionsAreOneClearLine(@TempDir Path tmp) {
        String[][] cases = {
                {"edit", "--seed", "1", "--prompt", "x", "--region", "mouth,lips", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--region", "mouth", "--keep", "eyes", "--out", tmp.toString()},
                {"sweep", "--seed", "1", "--prompts", "x", "--keep-weight", "2", "--out", tmp.toString()},
                {"train-mapper", "--prompt", "x", "--keep", "hair", "--out", tmp.resolve("m").toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--keep", "eyes", "--region-feather", "-2", "--out", tmp.toString()},
        };
        String[] expected = {
                "error: --region: unknown face region 'lips' (choose from mouth, eyes, brows, nose, face, background)",
                "error: give --region (the regions to edit) or --keep (the regions to keep), not both",
                "error: --keep-weight, --region-grow and --region-feather need --region or --keep",
                "error: --keep: unknown face region 'hair' (choose from mouth, eyes, brows, nose, face, background)",
                "error: the region feather must be 0 to 4096 pixels, got -2.0",
        };
        for (int i = 0; i < cases.length; i++) {
            StringWriter o = new StringWriter(), e = new StringWriter();
            assertEquals(2, run(o, e, cases[i]), String.join(" ", cases[i]) + " -> " + e);
            assertEquals(expected[i], e.toString().trim());
        }
    }

    @Test
    void benchEditReportsPartsAndMemory() throws Exception {
        StringWriter o = new StringWriter(), e = new StringWriter();
        List<String> a = new ArrayList<>(List.of("bench", "edit"));
        a.addAll(models());
        a.addAll(List.of("--iters", "3", "--warmup", "1", "--json"));
        int code = run(o, e, a.toArray(new String[0]));
        assertEquals(0, code, e.toString());
        JsonNode j = new ObjectMapper().readTree(o.toString());
        for (String part : new String[]{"generator forward", "CLIP forward", "ID forward", "CLIP backward", "ID backward", "generator backward"}) {
            assertTrue(j.path("parts_ms").path(part).path("median").asDouble() > 0, part);
        }
        assertEquals(3, j.path("timed_steps").asInt());
        assertTrue(j.path("rss_mb").path("4").asDouble() > 0, o.toString());
    }

    @Test
    void badInputIsExitTwoWithOneLine(@TempDir Path tmp) throws Exception {
        Path f64 = tmp.resolve("bad.npz");
        Files.writeString(f64, "not a zip");
        String[][] cases = {
                {"edit", "--seed", "1", "--prompt", "   ", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--latent", f64.toString(), "--prompt", "x", "--out", tmp.toString()},
                {"edit", "--latent", f64.toString(), "--prompt", "x", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--steps", "0", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--lr", "-1", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--l2", "-0.1", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--schedule", "linear", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--groups", "tiny", "--out", tmp.toString()},
                {"edit", "--seed", "1", "--prompt", "x", "--generator", tmp.resolve("missing.pkl").toString(), "--out", tmp.toString()},
                {"sweep", "--seed", "1", "--prompts", " , ", "--out", tmp.toString()},
                {"sweep", "--seed", "1", "--prompts", "bald", "--l2", "a,b", "--out", tmp.toString()},
        };
        for (String[] a : cases) {
            StringWriter o = new StringWriter(), e = new StringWriter();
            int code = run(o, e, a);
            assertEquals(2, code, String.join(" ", a) + " -> " + e);
            String msg = e.toString().trim();
            assertTrue(msg.startsWith("error: ") && !msg.contains("\n"), String.join(" ", a) + " -> " + msg);
        }
    }
}
