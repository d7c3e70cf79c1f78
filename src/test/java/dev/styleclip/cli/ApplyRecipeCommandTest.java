package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code apply-recipe} over a folder of a photo, a latent and a broken file, on the tiny golden generator. */
class ApplyRecipeCommandTest {
    private static final int NUM_WS = 16, W_DIM = 32;

    private static float[] random(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    @Test
    void editsPhotosAndLatentsSkipsDoneOnesAndReportsFailures(@TempDir Path tmp) throws Exception {
        String gen = Golden.set("stylegan3").resolve("models/sg3t-32.pkl").toString();
        Path recipe = tmp.resolve("r/smile.json");
        RecipeFiles.write(recipe, new Recipe("sg3t-32.pkl", List.of(
                new RecipeStep.LatentDelta("a smiling face", NUM_WS, W_DIM, random(NUM_WS * W_DIM, 1, 0.5), 1.0, true, Map.of(), Map.of()))));
        Path in = Files.createDirectories(tmp.resolve("in"));
        Files.copy(AlignCommandTest.photo("grace_hopper"), in.resolve("alice.png"));
        Npz.write(in.resolve("bob.npz"), Map.of("w", Npz.Array.of(random(NUM_WS * W_DIM, 2, 1), 1, NUM_WS, W_DIM)));
        Files.write(in.resolve("carol.jpg"), new byte[]{(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        Files.writeString(in.resolve("notes.txt"), "not an input");
        Path out = tmp.resolve("out");
        String[] args = {"apply-recipe", recipe.toString(), "--inputs", in.toString(), "--out", out.toString(), "--generator", gen,
                "--steps", "2", "--w-avg-samples", "50"};

        CliRun r = CliRun.run(args);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("3 input(s)"), r.out());
        assertTrue(r.out().contains("carol.jpg: FAILED"), r.out());
        assertTrue(r.out().contains("2 edited, 0 skipped, 1 failed: carol.jpg"), r.out());
        for (String stem : new String[]{"alice", "bob"}) {
            for (String ext : new String[]{".png", ".source.png", ".npz", ".json"}) {
                assertTrue(Files.isRegularFile(out.resolve(stem + ext)), stem + ext);
            }
            Map<String, Npz.Array> z = Npz.read(out.resolve(stem + ".npz"));
            float[] w = z.get("w").toFloatArray(), we = z.get("w_edited").toFloatArray();
            float[] delta = RecipeFiles.read(recipe).steps().get(0) instanceof RecipeStep.LatentDelta d ? d.delta() : null;
            for (int i = 0; i < w.length; i++) assertEquals(w[i] + delta[i], we[i], 1e-5);
        }
        assertFalse(Files.exists(out.resolve("carol.json")));
        JsonNode alice = new ObjectMapper().readTree(out.resolve("alice.json").toFile());
        assertEquals("photo", alice.path("source").asText());
        assertTrue(alice.path("inversion_lpips").isNumber());
        assertTrue(Files.isRegularFile(out.resolve("alice.aligned.png")));
        assertEquals("latent", new ObjectMapper().readTree(out.resolve("bob.json").toFile()).path("source").asText());
        assertTrue(r.err().contains("inverting alice.png"), r.err());

        // again: the done ones are skipped; with the broken file gone, exit 0
        Files.delete(in.resolve("carol.jpg"));
        CliRun again = CliRun.run(args);
        assertEquals(0, again.code(), again.out() + again.err());
        assertTrue(again.out().contains("0 edited, 2 skipped, 0 failed"), again.out());
    }

    @Test
    void badRecipesAndOptionsExitTwo(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"format\": \"styleclip-session\"}");
        CliRun r = CliRun.run("apply-recipe", bad.toString(), "--inputs", in.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("the recipe cannot be read") && r.err().contains("is not a recipe"), r.err());

        Path recipe = tmp.resolve("ok.json");
        RecipeFiles.write(recipe, new Recipe(null, List.of(
                new RecipeStep.Direction("x", new float[]{1, 2}, 1, true, Map.of(), Map.of()))));
        r = CliRun.run("apply-recipe", recipe.toString(), "--inputs", in.toString(), "--out", tmp.resolve("o").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("holds no photos"), r.err());
        r = CliRun.run("apply-recipe", recipe.toString(), "--inputs", in.toString(), "--out", in.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("must not be the --inputs folder"), r.err());
        r = CliRun.run("apply-recipe", recipe.toString(), "--inputs", in.toString(), "--out", tmp.resolve("o").toString(),
                "--invert", "magic");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("projection, encoder or encoder+projection"), r.err());

        // the recipe's own faults are bad input (exit 2) found before any input is touched: made for another generator,
        // a strength that would throw the latent far off, a mapper path that climbs out of the recipe's folder
        String gen = Golden.set("stylegan3").resolve("models/sg3t-32.pkl").toString();
        Npz.write(in.resolve("w.npz"), Map.of("w", Npz.Array.of(new float[4 * 8], 1, 4, 8)));
        Path o = tmp.resolve("o");
        r = CliRun.run("apply-recipe", recipe.toString(), "--inputs", in.toString(), "--out", o.toString(), "--generator", gen);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("the recipe does not fit") && r.err().contains("another generator"), r.err());
        Path huge = tmp.resolve("huge.json");
        RecipeFiles.write(huge, new Recipe(null, List.of(new RecipeStep.LatentDelta("x", NUM_WS, W_DIM,
                random(NUM_WS * W_DIM, 3, 1), 1e308, true, Map.of(), Map.of()))));
        r = CliRun.run("apply-recipe", huge.toString(), "--inputs", in.toString(), "--out", o.toString(), "--generator", gen);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("the recipe is damaged or the strength absurd"), r.err());
        Path climbing = tmp.resolve("climb.json");
        RecipeFiles.write(climbing, new Recipe(null, List.of(
                new RecipeStep.Mapper("m", tmp.resolve("mapper.safetensors"), 0.1, true, Map.of(), Map.of()))));
        Files.writeString(climbing, Files.readString(climbing).replace("\"mapper.safetensors\"", "\"../../etc/passwd\""));
        r = CliRun.run("apply-recipe", climbing.toString(), "--inputs", in.toString(), "--out", o.toString(), "--generator", gen);
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("leaves the recipe's folder"), r.err());
        try (var left = Files.list(o)) {
            assertEquals(0, left.count(), "nothing written");
        }

        // with a recipe that fits, a latent with the wrong shape fails alone (exit 1), with the reason
        Path fits = tmp.resolve("fits.json");
        RecipeFiles.write(fits, new Recipe(null, List.of(new RecipeStep.LatentDelta("x", NUM_WS, W_DIM,
                random(NUM_WS * W_DIM, 4, 0.5), 1.0, true, Map.of(), Map.of()))));
        r = CliRun.run("apply-recipe", fits.toString(), "--inputs", in.toString(), "--out", o.toString(), "--generator", gen);
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("w.npz: FAILED") && r.out().contains("the latent is 4x8"), r.out());
    }
}
