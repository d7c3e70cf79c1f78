package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Projection on the golden tiny StyleGAN3 (sg3t-32) with the golden tiny LPIPS. */
class ProjectionTest {
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

    /** A target the generator can reach: the image of a random w. */
    static float[] target() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray z = m.create(dev.styleclip.model.stylegan3.NumpyRandom.latent(7, g.zDim())).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .reshape(1, g.zDim());
            NDArray img = g.generate(z, 1.0, null, null).clip(-1, 1);
            return img.toFloatArray();
        }
    }

    @Test
    void lossDecreasesAndFramesStream() throws Exception {
        Projection.Settings s = new Projection.Settings().steps(30).previewEvery(10).wAvgSamples(1000);
        List<Frame> frames = new ArrayList<>();
        Projection.Result r = service.run("project", new Projection(g, lpips, target(), s), frames::add);
        assertEquals(s.steps, r.losses().length);
        double first = r.losses()[0];
        double best = Double.MAX_VALUE;
        for (int i = s.steps - 5; i < s.steps; i++) best = Math.min(best, r.losses()[i]);
        assertTrue(best < first, "loss went from " + first + " to " + best);
        assertEquals(g.numWs() * g.wDim(), r.w().length);
        long steps = frames.stream().filter(f -> f.step() > 0).count();
        assertEquals(s.steps, steps);
        assertTrue(frames.stream().anyMatch(f -> f.preview() != null && f.preview().width() == g.resolution()));
        assertTrue(frames.get(frames.size() - 1).losses().containsKey("lpips"));
        // one w broadcast: all rows equal
        for (int k = 1; k < g.numWs(); k++) assertEquals(r.w()[0], r.w()[k * g.wDim()]);
    }

    @Test
    void wStatisticsAreMeasuredOncePerGeneratorWithProgress() throws Exception {
        Projection.Settings s = new Projection.Settings().steps(2).wAvgSamples(2500);
        List<Frame> first = new ArrayList<>();
        List<Frame> again = new ArrayList<>();
        Projection.Result a = service.run("project", new Projection(g, lpips, target(), s), first::add);
        Projection.Result b = service.run("project", new Projection(g, lpips, target(), s), again::add);
        List<String> measuring = first.stream().map(Frame::message).filter(m -> m != null && m.startsWith("computing w statistics")).toList();
        assertEquals(List.of("computing w statistics (once per generator): 1000 / 2500 samples",
                "computing w statistics (once per generator): 2000 / 2500 samples",
                "computing w statistics (once per generator): 2500 / 2500 samples"), measuring.subList(1, measuring.size()));
        assertTrue(again.stream().noneMatch(f -> f.message() != null && f.message().contains("samples")), "the second run reuses them");
        assertEquals(a.losses()[0], b.losses()[0], "and starts from the same w_avg");
    }

    @Test
    void wPlusRowsDiffer() throws Exception {
        Projection.Settings s = new Projection.Settings().steps(6).wAvgSamples(0).wPlus(true);
        Projection.Result r = service.run("project", new Projection(g, lpips, target(), s), null);
        boolean differ = false;
        for (int k = 1; k < g.numWs(); k++) differ |= r.w()[0] != r.w()[k * g.wDim()];
        assertTrue(differ);
    }

    @Test
    void cancelStopsTheJob() throws Exception {
        Projection.Settings s = new Projection.Settings().steps(100000).wAvgSamples(0);
        CountDownLatch started = new CountDownLatch(3);
        JobHandle<Projection.Result> h = service.submit("project", new Projection(g, lpips, target(), s), f -> {
            if (f.step() > 0) started.countDown();
        });
        assertTrue(started.await(60, TimeUnit.SECONDS));
        h.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get(60, TimeUnit.SECONDS));
        assertInstanceOf(JobCancelledException.class, e.getCause());
        assertEquals(JobHandle.State.CANCELLED, h.state());
    }

    @Test
    void memoryStaysFlat() throws Exception {
        CountingContext ctx = new CountingContext();
        try {
            new Projection(g, lpips, target(), new Projection.Settings().steps(12).wAvgSamples(50).previewEvery(3)).run(ctx);
            assertEquals(ctx.arrays.get(1), ctx.arrays.get(ctx.arrays.size() - 1), "arrays per step: " + ctx.arrays);
        } finally {
            ctx.manager.close();
        }
    }

    @Test
    void rampsAsTheProjector() {
        Projection.Settings s = new Projection.Settings();
        assertEquals(0.0, Projection.lr(s, 0), 0);
        assertEquals(0.1, Projection.lr(s, 500), 1e-12);
        assertEquals(0.1 * 0.5, Projection.lr(s, 25), 1e-12); // ramp-up: t / 0.05 at t = 0.025
        assertEquals(2.0 * 0.05, Projection.noiseScale(s, 2.0, 0), 1e-12);
        assertEquals(0.0, Projection.noiseScale(s, 2.0, 750), 1e-12);
    }
}
