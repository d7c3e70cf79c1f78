package dev.styleclip.edit;

import dev.styleclip.golden.Golden;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.JobCancelledException;
import dev.styleclip.runtime.JobHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The encoder inversion job on the golden tiny ReStyle-e4e with the golden tiny LPIPS. */
class EncoderInversionTest {
    private static ComputeService service;
    private static RestyleInversion inv;
    private static Lpips lpips;

    @BeforeAll
    static void setUp() throws Exception {
        service = new ComputeService("cpu");
        inv = RestyleInversion.load(Golden.set("encoder").resolve("models/restyle_e4e_tiny_a.pt"),
                Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
        Path lp = Golden.set("lpips").resolve("models");
        lpips = Lpips.load(ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_vgg16.pth")).main(),
                ModelFiles.open(lp.resolve("lpips_vgg_tiny_a_lin.pth")).main());
    }

    @AfterAll
    static void tearDown() {
        lpips.close();
        inv.close();
        service.close();
    }

    private static RgbImage photo() {
        byte[] px = new byte[50 * 50 * 3];
        new Random(9).nextBytes(px);
        return new RgbImage(50, 50, px);
    }

    @Test
    void oneFramePerIteration() throws Exception {
        List<Frame> frames = new ArrayList<>();
        EncoderInversion.Result r = service.run("encode", new EncoderInversion(inv, photo(), 4, lpips, null), frames::add);
        List<Frame> its = frames.stream().filter(f -> f.step() > 0).toList();
        assertEquals(4, its.size());
        for (Frame f : its) {
            assertNotNull(f.preview());
            assertEquals(inv.decoder().resolution(), f.preview().width());
            assertTrue(f.metrics().containsKey("lpips"));
        }
        assertEquals(4, r.latents().size());
        assertArrayEquals(new long[]{1, 16, 32}, r.shape());
        assertArrayEquals(r.latents().get(3), r.w());
        assertEquals(its.get(3).metrics().get("lpips"), r.lpips(), 0);
    }

    @Test
    void defaultIterationsAndCancel() throws Exception {
        EncoderInversion.Result r = service.run("encode", new EncoderInversion(inv, photo(), 0, null, null), null);
        assertEquals(inv.defaultIterations(), r.latents().size());
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        JobHandle<EncoderInversion.Result> h = service.submit("encode", new EncoderInversion(inv, photo(), 500, null, null), f -> {
            if (f.step() == 1) first.countDown();
        });
        assertTrue(first.await(60, TimeUnit.SECONDS));
        h.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get(60, TimeUnit.SECONDS));
        assertInstanceOf(JobCancelledException.class, e.getCause());
        assertEquals(JobHandle.State.CANCELLED, h.state());
    }
}
