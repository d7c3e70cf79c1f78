package dev.styleclip.edit.recipe;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.golden.Golden;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An edit stack over a seed's latent on the tiny golden generator: W+ steps move the returned latent, StyleSpace
 * directions only the picture, the unedited picture comes along when asked for.
 */
class StackRenderingTest {
    private static final GeneratorSource SOURCE = GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
    private static final EditNetworks.Files FILES = new EditNetworks.Files(SOURCE, null, null, null);
    private static ComputeService service;

    @BeforeAll
    static void setUp() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void tearDown() {
        service.close();
    }

    private static float[] random(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    private static int[] rgb(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    private static StackRendering.Result render(Latent base, List<RecipeStep> steps, boolean withSource) throws Exception {
        return service.run("render stack", StackRendering.job(FILES, new StackRendering.Request(base, steps, null, null, withSource)), null);
    }

    @Test
    void wStepsMoveTheLatentAndDirectionsOnlyThePicture() throws Exception {
        Latent base = service.run("generate", FaceGeneration.job(SOURCE, new FaceGeneration.Request(3, 1, null, null)), null).ws();
        int channels = service.run("channels", ctx -> GlobalDirections.channelCount(EditNetworks.generator(ctx, SOURCE)), null);

        StackRendering.Result plain = render(base, List.of(), true);
        assertArrayEquals(base.values(), plain.edited().values());
        assertArrayEquals(rgb(plain.source()), rgb(plain.image()), "no steps: the picture is the source");
        assertEquals(Map.of(), plain.metrics());

        float[] delta = random(base.values().length, 1, 0.5);
        StackRendering.Result moved = render(base, List.of(
                new RecipeStep.LatentDelta("offset", base.numWs(), base.wDim(), delta, 2.0, true, Map.of(), Map.of())), true);
        float[] w = moved.edited().values();
        for (int i = 0; i < w.length; i++) assertEquals(base.values()[i] + 2 * delta[i], w[i], 1e-5, "w[" + i + "]");
        assertArrayEquals(rgb(plain.source()), rgb(moved.source()), "the source is the unedited latent's picture");
        assertFalse(Arrays.equals(rgb(moved.source()), rgb(moved.image())));

        StackRendering.Result styled = render(base, List.of(
                new RecipeStep.Direction("direction", random(channels, 2, 1), 3, true, Map.of(), Map.of()),
                new RecipeStep.Direction("switched off", random(channels, 3, 1), 3, false, Map.of(), Map.of())), false);
        assertArrayEquals(base.values(), styled.edited().values(), "a direction lives in StyleSpace: the latent stays");
        assertNull(styled.source());
        assertFalse(Arrays.equals(rgb(plain.image()), rgb(styled.image())));
    }

    @Test
    void aStepOfAnotherGeneratorIsRefusedBeforeRendering() throws Exception {
        Latent base = service.run("generate", FaceGeneration.job(SOURCE, new FaceGeneration.Request(3, 1, null, null)), null).ws();
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> render(base, List.of(
                new RecipeStep.Direction("foreign", new float[5], 1, true, Map.of(), Map.of())), false));
        assertTrue(e.getMessage().contains("made with another generator"), e.getMessage());
    }
}
