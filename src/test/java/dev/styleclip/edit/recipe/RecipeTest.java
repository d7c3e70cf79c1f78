package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.io.Npz;
import dev.styleclip.io.Safetensors;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Recipe files round trip and refuse bad files; the renderer applies each kind of step on the tiny golden generator. */
class RecipeTest {

    private static float[] random(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    private static Path mapper(Path dir, int numWs, int wDim) throws Exception {
        Path f = dir.resolve("mappers/purple/mapper.safetensors");
        Files.createDirectories(f.getParent());
        try (NDManager m = NDManager.newBaseManager(); LevelsMapper lm = LevelsMapper.create(numWs, wDim, new boolean[]{false, true, true}, 5, m)) {
            Safetensors.write(f, lm.stateDict(""), Map.of("prompt", "purple hair"));
        }
        return f;
    }

    @Test
    void roundTripsEveryKindOfStep(@TempDir Path tmp) throws Exception {
        Path map = mapper(tmp, 16, 32);
        float[] delta = random(16 * 32, 1, 0.1);
        float[] dir = random(100, 2, 1);
        List<RecipeStep> steps = List.of(
                new RecipeStep.LatentDelta("a smiling face", 16, 32, delta, 0.5, true, Map.of("lambda_l2", 0.008), Map.of("clip", 0.25)),
                new RecipeStep.Mapper("purple hair", map, 0.1, false, Map.of(), Map.of()),
                new RecipeStep.Direction("smile", dir, -3.5, true, Map.of("beta", 0.1, "neutral", "a face"), Map.of()));
        Path json = tmp.resolve("recipe.json");
        RecipeFiles.write(json, new Recipe("sg3t-32.pkl", steps));
        assertTrue(Files.isRegularFile(tmp.resolve("recipe.latents.npz")));
        assertTrue(Files.readString(json).contains("\"mappers/purple/mapper.safetensors\""), "mapper path relative to the recipe");

        // the folder moves as a whole: the mapper still resolves
        Path moved = tmp.resolve("elsewhere");
        Files.createDirectories(moved);
        Files.move(json, moved.resolve("recipe.json"));
        Files.move(tmp.resolve("recipe.latents.npz"), moved.resolve("recipe.latents.npz"));
        Files.createDirectories(moved.resolve("mappers"));
        Files.move(tmp.resolve("mappers/purple"), moved.resolve("mappers/purple"));
        Recipe r = RecipeFiles.read(moved.resolve("recipe.json"));
        assertEquals("sg3t-32.pkl", r.generator());
        assertEquals(3, r.steps().size());
        RecipeStep.LatentDelta d = (RecipeStep.LatentDelta) r.steps().get(0);
        assertArrayEquals(delta, d.delta());
        assertEquals(0.5, d.strength());
        assertEquals(0.008, ((Number) d.settings().get("lambda_l2")).doubleValue());
        assertEquals(0.25, d.metrics().get("clip"));
        RecipeStep.Mapper m = (RecipeStep.Mapper) r.steps().get(1);
        assertEquals(moved.resolve("mappers/purple/mapper.safetensors").toAbsolutePath().normalize(), m.file());
        assertFalse(m.enabled());
        RecipeStep.Direction dd = (RecipeStep.Direction) r.steps().get(2);
        assertArrayEquals(dir, dd.direction());
        assertEquals(-3.5, dd.strength());
        assertEquals("a face", dd.settings().get("neutral"));
    }

    @Test
    void keepsTheRegionsOfAnOptimisationStepAndReadsOlderFiles(@TempDir Path tmp) throws Exception {
        float[] delta = random(16 * 32, 3, 0.1);
        EditRegions mouth = new EditRegions(EditRegions.Mode.EDIT_ONLY, EnumSet.of(FaceRegion.MOUTH, FaceRegion.EYES), 3, Double.NaN, 0.5);
        Path json = tmp.resolve("regions.json");
        RecipeFiles.write(json, new Recipe(null, List.of(
                new RecipeStep.LatentDelta("a smile", 16, 32, delta, 1, true, Map.of(), Map.of(), mouth),
                new RecipeStep.LatentDelta("older", 16, 32, delta, 1, true, Map.of(), Map.of()))));
        List<RecipeStep> back = RecipeFiles.read(json).steps();
        assertEquals(mouth, ((RecipeStep.LatentDelta) back.get(0)).regions());
        assertEquals(mouth, ((RecipeStep.LatentDelta) back.get(0).withStrength(0.5)).regions(), "a strength change keeps them");
        assertNull(((RecipeStep.LatentDelta) back.get(1)).regions());

        // a recipe written before regions existed (no "regions" key): read as an edit of the whole face
        Npz.write(tmp.resolve("old.latents.npz"), Map.of("a0", Npz.Array.of(delta, 1, 16, 32)));
        Path old = tmp.resolve("old.json");
        Files.writeString(old, "{\"format\": \"styleclip-recipe\", \"version\": 1, \"steps\": [{\"kind\": \"optimisation\", "
                + "\"label\": \"smile\", \"strength\": 1.0, \"enabled\": true, \"settings\": {\"lambda_l2\": 0.008}, "
                + "\"metrics\": {}, \"delta\": \"a0\"}]}");
        RecipeStep.LatentDelta read = (RecipeStep.LatentDelta) RecipeFiles.read(old).steps().get(0);
        assertNull(read.regions());
        assertArrayEquals(delta, read.delta());

        // a hand-edited unknown region is refused with the step named
        Files.writeString(old, Files.readString(old).replace("\"delta\": \"a0\"",
                "\"delta\": \"a0\", \"regions\": {\"mode\": \"region\", \"regions\": [\"lips\"]}"));
        String msg = assertThrows(IOException.class, () -> RecipeFiles.read(old)).getMessage();
        assertEquals("old.json, step 1 “smile”: unknown face region 'lips' (choose from mouth, eyes, brows, nose, face, background)", msg);
    }

    @Test
    void refusesBadFilesWithClearMessages(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("r.json");
        Files.writeString(json, "{not json");
        assertTrue(assertThrows(IOException.class, () -> RecipeFiles.read(json)).getMessage().contains("not valid JSON"));
        Files.writeString(json, "{\"format\": \"styleclip-session\"}");
        assertTrue(assertThrows(IOException.class, () -> RecipeFiles.read(json)).getMessage().contains("is not a recipe"));
        Files.writeString(json, "{\"format\": \"styleclip-recipe\", \"version\": 1, \"steps\": []}");
        assertTrue(assertThrows(IOException.class, () -> RecipeFiles.read(json)).getMessage().contains("no steps"));
        Files.writeString(json, "{\"format\": \"styleclip-recipe\", \"steps\": [{\"kind\": \"warp\"}]}");
        assertTrue(assertThrows(IOException.class, () -> RecipeFiles.read(json)).getMessage().contains("unknown step kind"));
        Files.writeString(json, "{\"format\": \"styleclip-recipe\", \"steps\": [{\"kind\": \"optimisation\", \"label\": \"x\", \"delta\": \"a0\"}]}");
        String msg = assertThrows(IOException.class, () -> RecipeFiles.read(json)).getMessage();
        assertTrue(msg.contains("missing") && msg.contains("“x”"), msg);
        Npz.write(tmp.resolve("r.latents.npz"), Map.of("a0", Npz.Array.of(new float[]{1, Float.NaN}, 2)));
        Files.writeString(json, "{\"format\": \"styleclip-recipe\", \"steps\": [{\"kind\": \"direction\", \"direction\": \"a0\"}]}");
        assertTrue(assertThrows(IOException.class, () -> RecipeFiles.read(json)).getMessage().contains("NaN"));
        assertThrows(IllegalArgumentException.class, () -> RecipeFiles.write(json, new Recipe(null, List.of())));
    }

    @Test
    void rendersEachKindOfStepOnTheTinyGenerator(@TempDir Path tmp) throws Exception {
        Path map = mapper(tmp, 16, 32);
        try (ComputeService cs = new ComputeService("cpu"); NDManager gm = NDManager.newBaseManager();
             StyleGan3Generator g = StyleGan3Files.open(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"), gm)) {
            int numWs = g.numWs(), wDim = g.wDim(), c = GlobalDirections.channelCount(g);
            float[] w0 = random(numWs * wDim, 7, 1);
            float[] delta = random(numWs * wDim, 8, 0.3);
            float[] dir = random(c, 9, 0.5);
            RecipeStep.LatentDelta ld = new RecipeStep.LatentDelta("d", numWs, wDim, delta, 0.5, true, Map.of(), Map.of());
            RecipeStep.Mapper mp = new RecipeStep.Mapper("m", map, 0.2, true, Map.of(), Map.of());
            RecipeStep.Direction dr = new RecipeStep.Direction("s", dir, 2.0, true, Map.of(), Map.of());
            float[][] got = cs.run("recipe", ctx -> ctx.step(sm -> {
                RecipeRenderer.check(ctx, g, List.of(ld, mp, dr));
                NDArray ws = sm.create(w0, new Shape(1, numWs, wDim));
                NDArray wEdit = RecipeRenderer.applyW(ctx, g, List.of(ld, mp, dr), ws);
                // by hand: w + 0.5·delta, then + 0.2·M(w)
                LevelsMapper lm = RecipeRenderer.mapper(ctx, g, mp);
                NDArray w1 = ws.add(sm.create(delta, new Shape(1, numWs, wDim)).mul(0.5f));
                NDArray expectW = w1.add(lm.forward(w1).mul(0.2f));
                NDArray img = RecipeRenderer.render(ctx, g, List.of(ld, mp, dr), ws, StyleGan3Generator.Options.defaults());
                NDArray s = GlobalDirections.w2s(g, expectW).add(sm.create(dir, new Shape(1, c)).mul(2f));
                NDArray expectImg = GlobalDirections.synthesize(g, s, StyleGan3Generator.Options.defaults());
                NDArray off = RecipeRenderer.render(ctx, g, List.of(ld.withEnabled(false), mp.withEnabled(false), dr.withEnabled(false)),
                        ws, StyleGan3Generator.Options.defaults());
                return new float[][]{wEdit.toFloatArray(), expectW.toFloatArray(), img.toFloatArray(), expectImg.toFloatArray(),
                        off.toFloatArray(), g.synthesis(ws).toFloatArray()};
            }), f -> { });
            assertArrayEquals(got[1], got[0], 1e-5f);
            assertArrayEquals(got[3], got[2], 1e-4f);
            assertArrayEquals(got[5], got[4], 1e-5f, "switched-off steps change nothing");

            // a step made for another generator is refused before anything runs
            RecipeStep.LatentDelta wrong = new RecipeStep.LatentDelta("other", numWs + 2, wDim, new float[(numWs + 2) * wDim], 1, true,
                    Map.of(), Map.of());
            Exception e = assertThrows(Exception.class, () -> cs.run("check", ctx -> {
                RecipeRenderer.check(ctx, g, List.of(wrong));
                return null;
            }, f -> { }));
            assertTrue(e.getMessage().contains("another generator"), e.getMessage());
            RecipeStep.Mapper gone = new RecipeStep.Mapper("gone", tmp.resolve("nope/mapper.safetensors"), 0.1, true, Map.of(), Map.of());
            e = assertThrows(Exception.class, () -> cs.run("check", ctx -> {
                RecipeRenderer.check(ctx, g, List.of(gone));
                return null;
            }, f -> { }));
            assertTrue(e.getMessage().contains("missing"), e.getMessage());
        }
    }
}
