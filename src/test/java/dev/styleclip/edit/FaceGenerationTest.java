package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import dev.styleclip.golden.Golden;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A seed's face and a latent's picture on the tiny golden generator, as the studio and {@code generate} get them. */
class FaceGenerationTest {
    static final GeneratorSource SOURCE = GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
    private static ComputeService service;

    @BeforeAll
    static void setUp() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void tearDown() {
        service.close();
    }

    static int[] rgb(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void aSeedsFaceIsGenImagesOwnAndItsLatentRendersTheSamePicture() throws Exception {
        double[][] t = InputTransform.make(0.1, -0.05, 10);
        FaceGeneration.Result r = service.run("generate", FaceGeneration.job(SOURCE, new FaceGeneration.Request(7, 0.7, null, t)), null);
        // gen_images.py's way, straight on the generator: z of the seed, mapping with ψ, synthesis with the inverse transform
        int[] direct = service.run("direct", ctx -> ctx.step(sm -> {
            StyleGan3Generator g = EditNetworks.generator(ctx, SOURCE);
            NDArray img = g.generate(g.seedZ(sm, 7), 0.7, null, StyleGan3Generator.Options.defaults().transform(InputTransform.inverse(t)));
            return rgb(GeneratorImages.toImage(img, 0));
        }), null);
        int[] got = rgb(r.image());
        assertEquals(direct.length, got.length);
        for (int i = 0; i < got.length; i++) {
            for (int shift = 0; shift < 24; shift += 8) {
                int d = Math.abs(((got[i] >> shift) & 0xff) - ((direct[i] >> shift) & 0xff));
                assertTrue(d <= 1, "pixel " + i + " off by " + d);
            }
        }
        assertEquals(32, r.image().getWidth());
        assertEquals(r.ws().numWs() * r.ws().wDim(), r.ws().values().length);

        FaceGeneration.Result again = service.run("render", FaceGeneration.renderJob(SOURCE, r.ws(), t), null);
        assertArrayEquals(got, rgb(again.image()), "the latent of a seed renders the seed's picture");
        assertEquals(r.ws(), again.ws());
    }

    @Test
    void aLatentOfAnotherGeneratorIsRefused() {
        Latent foreign = new Latent(2, 3, new float[6]);
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> service.run("render", FaceGeneration.renderJob(SOURCE, foreign, null), null));
        assertTrue(e.getMessage().startsWith("the latent is 2x3 but the generator takes "), e.getMessage());
    }
}
