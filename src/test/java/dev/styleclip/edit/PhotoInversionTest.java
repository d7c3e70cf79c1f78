package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Photo → w by each method on the golden tiny encoder, generator, LPIPS and ArcFace, with the result's scores. */
class PhotoInversionTest {
    private static ComputeService service;
    private static NDManager manager;
    private static RestyleInversion encoder;
    private static StyleGan3Generator generator;
    private static Lpips lpips;
    private static IdentityLoss identity;

    @BeforeAll
    static void setUp() throws Exception {
        service = new ComputeService("cpu");
        manager = NDManager.newBaseManager();
        Path g = Golden.set("stylegan3").resolve("models/sg3t-32.pkl");
        encoder = RestyleInversion.load(Golden.set("encoder").resolve("models/restyle_e4e_tiny_a.pt"), g);
        generator = StyleGan3Files.open(g, manager);
        Path lp = Golden.set("lpips").resolve("models");
        lpips = Lpips.load(ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_vgg16.pth")).main(),
                ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_lin.pth")).main());
        identity = new IdentityLoss(IrSeBackbone.load(Golden.set("idloss").resolve("models/irse_tiny_a.pth")));
    }

    @AfterAll
    static void tearDown() {
        lpips.close();
        encoder.close();
        generator.close();
        manager.close();
        service.close();
    }

    private static RgbImage photo() {
        byte[] px = new byte[60 * 40 * 3];
        new Random(4).nextBytes(px);
        return new RgbImage(60, 40, px);
    }

    private static PhotoInversion.Settings settings(PhotoInversion.Method m, Integer steps, Integer iterations) {
        return new PhotoInversion.Settings(m, steps, iterations, false, 20, 1);
    }

    @Test
    void encoderStreamsIterationsAndScoresTheResult() throws Exception {
        List<Frame> frames = new ArrayList<>();
        PhotoInversion.Result r = service.run("invert", new PhotoInversion(null, encoder, lpips, identity, photo(),
                settings(PhotoInversion.Method.ENCODER, null, 3)), frames::add);
        List<Frame> its = frames.stream().filter(f -> f.step() > 0).toList();
        assertEquals(3, its.size());
        for (Frame f : its) {
            assertTrue(f.metrics().containsKey("lpips") && f.metrics().containsKey("id_similarity"), f.metrics().toString());
        }
        assertArrayEquals(new long[]{1, 16, 32}, r.shape());
        assertNotNull(r.reconstruction());
        assertEquals(32, r.reconstruction().width());
        assertTrue(r.lpips() >= 0 && Double.isFinite(r.lpips()));
        assertTrue(r.idSimilarity() >= -1 && r.idSimilarity() <= 1, "ArcFace cosine " + r.idSimilarity());
        assertEquals(1, r.stages().size(), r.stages().toString());
        PhotoInversion.Stage stage = r.stages().get(0);
        assertEquals("encoder", stage.name());
        assertEquals(3, stage.steps(), "the iterations asked for");
        assertEquals(its.get(2).metrics().get("lpips"), stage.lpips(), "the encoder's own last LPIPS");
        assertEquals(its.get(2).metrics().get("id_similarity"), stage.idSimilarity());
    }

    @Test
    void encoderThenProjectionRefinesTheEncodersLatent() throws Exception {
        PhotoInversion.Result enc = service.run("e", new PhotoInversion(null, encoder, lpips, null, photo(),
                settings(PhotoInversion.Method.ENCODER, null, 2)), null);
        List<Frame> frames = new ArrayList<>();
        PhotoInversion.Result both = service.run("e+p", new PhotoInversion(null, encoder, lpips, null, photo(),
                settings(PhotoInversion.Method.ENCODER_PROJECTION, 3, 2)), frames::add);
        assertTrue(frames.stream().anyMatch(f -> f.losses().containsKey("lpips")), "projection frames");
        assertFalse(java.util.Arrays.equals(enc.w(), both.w()), "the projection moved the encoder's latent");
        assertTrue(Double.isNaN(both.idSimilarity()), "no identity network, no ID score");
        assertEquals(List.of("encoder", "projection"), both.stages().stream().map(PhotoInversion.Stage::name).toList());
        assertEquals(2, both.stages().get(0).steps());
        assertEquals(3, both.stages().get(1).steps());
        Frame last = frames.get(frames.size() - 1);
        assertEquals(last.losses().get("lpips"), both.stages().get(1).lpips(), "the projection's last step");
    }

    @Test
    void projectionAloneAndBadSettings() throws Exception {
        PhotoInversion.Result r = service.run("p", new PhotoInversion(generator, null, lpips, identity, photo(),
                settings(PhotoInversion.Method.PROJECTION, 2, null)), null);
        assertEquals(16 * 32, r.w().length);
        assertEquals(PhotoInversion.Method.PROJECTION, r.method());
        assertThrows(IllegalArgumentException.class, () -> new PhotoInversion(generator, null, lpips, null, photo(),
                settings(PhotoInversion.Method.ENCODER, null, null)));
        assertThrows(IllegalArgumentException.class, () -> settings(PhotoInversion.Method.PROJECTION, 0, null));
        assertEquals(PhotoInversion.Method.ENCODER_PROJECTION, PhotoInversion.Method.parse("Encoder+Projection"));
        assertThrows(IllegalArgumentException.class, () -> PhotoInversion.Method.parse("magic"));
    }
}
