package dev.styleclip.edit.pti;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.CountingContext;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.Projection;
import dev.styleclip.edit.TinyProjectionNetworks;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.Tensor;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Nd;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.JobCancelledException;
import dev.styleclip.runtime.JobHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pivotal tuning on the golden tiny StyleGAN3 (sg3t-32) with the golden tiny LPIPS, through the real compute thread:
 * the reconstruction loss falls, frames stream, the generator given is never changed, the stop value ends the run
 * before any update, the regulariser keeps the network closer to the original away from the pivot, memory stays flat,
 * cancel works, bad input is refused with one message.
 */
class PivotalTuningTest {
    private static TinyProjectionNetworks tiny;
    private static ComputeService service;
    private static NDManager manager;
    private static StyleGan3Generator g;
    private static Lpips lpips;

    @BeforeAll
    static void setUp() throws Exception {
        tiny = TinyProjectionNetworks.open();
        service = tiny.service;
        manager = tiny.manager;
        g = tiny.generator;
        lpips = tiny.lpips;
    }

    @AfterAll
    static void tearDown() {
        tiny.close();
    }

    /** The W+ latent of a seed. */
    static Latent latent(long seed) {
        return latent(g, seed);
    }

    static Latent latent(StyleGan3Generator g, long seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            return new Latent(g.numWs(), g.wDim(), g.mapping(g.seedZ(m, seed), 0.7, null).toFloatArray());
        }
    }

    /** The picture of a latent under a generator, as pixels. */
    static RgbImage render(StyleGan3Generator gen, Latent w) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray img = gen.synthesis(Nd.constant(m, w.values(), new Shape(1, w.numWs(), w.wDim())));
            return Projection.pixels(img).toRgbImage();
        }
    }

    static float[] image(StyleGan3Generator gen, Latent w) {
        try (NDManager m = NDManager.newBaseManager()) {
            return gen.synthesis(Nd.constant(m, w.values(), new Shape(1, w.numWs(), w.wDim()))).toFloatArray();
        }
    }

    /** A photo the pivot does not reproduce: another seed's face. */
    static RgbImage photo() {
        return photo(g);
    }

    static RgbImage photo(StyleGan3Generator g) {
        return render(g, latent(g, 5));
    }

    static PivotalTuning.Settings settings(int steps) {
        return PivotalTuning.Settings.defaults().withSteps(steps).withLpipsStop(0).withPreviewEvery(5);
    }

    @Test
    void theReconstructionImprovesAndTheGeneratorGivenStaysAsItWas() throws Exception {
        Latent pivot = latent(1);
        float[] before = image(g, pivot);
        List<Frame> frames = new ArrayList<>();
        PivotalTuning.Result r = service.run("pti", new PivotalTuning(g, lpips, pivot, photo(), settings(15).withLr(3e-3)),
                frames::add);
        assertEquals(PivotalTuning.Outcome.STEPS_DONE, r.outcome());
        assertEquals(15, r.stepsDone());
        PivotalTuning.StepRecord first = r.history().get(0);
        PivotalTuning.StepRecord last = r.history().get(14);
        assertTrue(last.l2() + last.lpips() < 0.8 * (first.l2() + first.lpips()), "reconstruction " + first + " → " + last);
        assertTrue(r.lpipsAfter() < first.lpips(), "LPIPS " + first.lpips() + " → " + r.lpipsAfter());
        for (PivotalTuning.StepRecord s : r.history()) {
            assertTrue(Double.isFinite(s.locality()) && s.locality() >= 0, "the regulariser ran at step " + s.step());
            assertEquals(s.l2() + s.lpips() + s.locality(), s.total(), 1e-9);
        }
        // frames: one per step with every loss, previews, then the final picture
        List<Frame> steps = frames.stream().filter(f -> f.step() > 0 && f.losses().containsKey("locality")).toList();
        assertEquals(15, steps.size());
        assertEquals(List.of("total", "l2", "lpips", "locality"), List.copyOf(steps.get(0).losses().keySet()));
        assertNotNull(steps.get(0).preview());
        assertNotNull(steps.get(4).preview());
        assertEquals(null, steps.get(5).preview());
        assertEquals("done", frames.get(frames.size() - 1).message());
        // the generator given (the model cache's) is untouched, bit for bit
        assertArrayEquals(before, image(g, pivot));
        assertArrayEquals(render(g, pivot).rgb(), r.before().rgb());
        // the tuned weights: every tunable tensor, changed; a network built from them renders the result
        assertEquals(g.tunableNames(), r.weights().stream().map(Tensor::name).toList());
        assertFalse(java.util.Arrays.equals(r.weights().get(0).toFloatArray(), g.tensors().get(r.weights().get(0).name()).toFloatArray()));
        try (StyleGan3Generator tuned = g.withSynthesisWeights(r.weights(), manager)) {
            assertTrue(differingBytes(render(tuned, pivot), r.after()) <= 3, "the rebuilt network renders the result");
        }
    }

    private static int differingBytes(RgbImage a, RgbImage b) {
        int n = 0;
        for (int i = 0; i < a.rgb().length; i++) if (Math.abs((a.rgb()[i] & 0xff) - (b.rgb()[i] & 0xff)) > 1) n++;
        return n;
    }

    @Test
    void reachingTheLpipsStopEndsTheRunBeforeAnyUpdate() throws Exception {
        PivotalTuning.Result r = service.run("pti", new PivotalTuning(g, lpips, latent(1), photo(),
                settings(10).withLpipsStop(10)), null);
        assertEquals(PivotalTuning.Outcome.LPIPS_REACHED, r.outcome());
        assertEquals(1, r.stepsDone());
        assertTrue(Double.isNaN(r.history().get(0).locality()));
        assertTrue(r.message().startsWith("stopped at step 1: LPIPS"), r.message());
        for (Tensor t : r.weights()) assertArrayEquals(g.tensors().get(t.name()).toFloatArray(), t.toFloatArray(), t.name());
        assertArrayEquals(r.before().rgb(), r.after().rgb());
    }

    @Test
    void theRegulariserKeepsTheNetworkCloserToTheOriginalAwayFromThePivot() throws Exception {
        PivotalTuning.Settings s = settings(12).withLr(1e-2);
        PivotalTuning.Result on = service.run("pti", new PivotalTuning(g, lpips, latent(1), photo(), s), null);
        PivotalTuning.Result off = service.run("pti", new PivotalTuning(g, lpips, latent(1), photo(), s.withLocality(false)), null);
        assertTrue(off.history().stream().allMatch(x -> Double.isNaN(x.locality())));
        // far from the pivot: another seed's latent
        Latent far = latent(9);
        float[] original = image(g, far);
        double dOn, dOff;
        try (StyleGan3Generator a = g.withSynthesisWeights(on.weights(), manager);
             StyleGan3Generator b = g.withSynthesisWeights(off.weights(), manager)) {
            dOn = meanSquare(image(a, far), original);
            dOff = meanSquare(image(b, far), original);
        }
        assertTrue(dOn < dOff, "change away from the pivot: with the regulariser " + dOn + ", without " + dOff);
    }

    private static double meanSquare(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (double) (a[i] - b[i]);
        return s / a.length;
    }

    @Test
    void memoryStaysFlat() throws Exception {
        CountingContext ctx = new CountingContext();
        try {
            new PivotalTuning(g, lpips, latent(1), photo(), settings(6).withPreviewEvery(2)).run(ctx);
            assertEquals(ctx.arrays.get(1), ctx.arrays.get(ctx.arrays.size() - 2), "arrays per step: " + ctx.arrays);
        } finally {
            ctx.manager.close();
        }
    }

    @Test
    void cancelStopsTheJobAndLeavesTheGenerator() throws Exception {
        Latent pivot = latent(1);
        float[] before = image(g, pivot);
        CountDownLatch started = new CountDownLatch(2);
        JobHandle<PivotalTuning.Result> h = service.submit("pti", new PivotalTuning(g, lpips, pivot, photo(), settings(100_000)),
                f -> {
                    if (f.step() > 0) started.countDown();
                });
        assertTrue(started.await(120, TimeUnit.SECONDS));
        h.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get(120, TimeUnit.SECONDS));
        assertInstanceOf(JobCancelledException.class, e.getCause());
        assertArrayEquals(before, image(g, pivot));
    }

    @Test
    void badInputIsRefusedWithOneMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PivotalTuning(g, lpips, new Latent(2, g.wDim(), new float[2 * g.wDim()]), photo(), settings(1)));
        assertTrue(e.getMessage().startsWith("the pivot latent is [1, 2, "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PivotalTuning(g, lpips, latent(1), RgbImage.blank(16, 16), settings(1)));
        assertTrue(e.getMessage().contains("generator's size 32x32"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> settings(0));
        assertThrows(IllegalArgumentException.class, () -> settings(1).withLr(0));
        assertThrows(IllegalArgumentException.class, () -> settings(1).withLpipsStop(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> settings(1).withLossSize(8));
    }
}
