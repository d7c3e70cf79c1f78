package dev.styleclip.edit;

import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.JobCancelledException;
import dev.styleclip.runtime.JobHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The optimisation job's behaviour on the golden tiny models: frames, cancel, divergence, validation. */
class LatentOptimizationTest {
    static ComputeService service;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static LatentOptimization job(dev.styleclip.runtime.JobContext ctx, LatentOptimization.Settings s) throws Exception {
        return new LatentOptimization(EditNetworks.load(ctx.models(), EditGoldenTest.goldenFiles()), s, LatentOptimization.Start.seed(5, 0.7));
    }

    @Test
    void framesCarryLossesMetricsAndPreviews() throws Exception {
        List<Frame> frames = new CopyOnWriteArrayList<>();
        LatentOptimization.Settings s = LatentOptimization.Settings.defaults("a smiling face").withSteps(3).withPreviewSize(64);
        LatentOptimization.Result r = service.run("edit", ctx -> job(ctx, s).run(ctx), frames::add);
        assertEquals(3, r.stepsDone());
        Frame f = frames.stream().filter(x -> x.step() == 2 && x.message() == null).findFirst().orElseThrow();
        assertEquals(List.of("total", "clip", "l2", "id"), List.copyOf(f.losses().keySet()));
        assertTrue(f.metrics().containsKey(Metrics.CLIP_SCORE) && f.metrics().containsKey(Metrics.ID_SIMILARITY));
        assertEquals(0.01, f.lr(), 1e-12);
        assertNotNull(f.preview());
        assertEquals(64, f.preview().width());
        Frame last = frames.get(frames.size() - 1);
        assertTrue(last.metrics().containsKey(Metrics.LPIPS), "final frame has LPIPS");
        assertTrue(r.metrics().idSimilarity() <= 1.0001 && r.metrics().lpips() >= 0);
    }

    @Test
    void cancelStopsWithinAStep() throws Exception {
        List<Frame> frames = new CopyOnWriteArrayList<>();
        LatentOptimization.Settings s = LatentOptimization.Settings.defaults("a smiling face").withSteps(10_000).withPreviewSize(-1);
        JobHandle<?>[] h = new JobHandle<?>[1];
        h[0] = service.submit("edit", ctx -> job(ctx, s).run(ctx), f -> {
            frames.add(f);
            if (f.step() == 2) h[0].cancel();
        });
        ExecutionException e = assertThrows(ExecutionException.class, () -> h[0].result().get(120, TimeUnit.SECONDS));
        assertInstanceOf(JobCancelledException.class, e.getCause());
        assertTrue(frames.stream().mapToInt(Frame::step).max().orElse(0) <= 3, "stopped within a step");
    }

    @Test
    void divergenceKeepsTheLastGoodLatent() throws Exception {
        LatentOptimization.Settings s = LatentOptimization.Settings.defaults("a smiling face").withSteps(6).withLr(1e30)
                .withSchedule(LatentOptimization.ScheduleKind.CONSTANT).withPreviewSize(-1);
        LatentOptimization.Result r = service.run("edit", ctx -> job(ctx, s).run(ctx), null);
        assertTrue(r.stoppedEarly(), "a learning rate of 1e30 must diverge");
        assertTrue(r.stopMessage().contains("diverged"), r.stopMessage());
        for (float x : r.wsFinal()) assertTrue(Float.isFinite(x), "final latent is finite");
        assertTrue(r.stepsDone() < 6);
    }

    @Test
    void settingsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> LatentOptimization.Settings.defaults(" "));
        assertThrows(IllegalArgumentException.class, () -> LatentOptimization.Settings.defaults("x").withSteps(0));
        assertThrows(IllegalArgumentException.class, () -> LatentOptimization.Settings.defaults("x").withLr(0));
        assertThrows(IllegalArgumentException.class, () -> LatentOptimization.Settings.defaults("x").withWeights(-1, 0));
        assertThrows(IllegalArgumentException.class, () -> LatentOptimization.Settings.defaults("x")
                .withSpace(LatentOptimization.Space.Z, java.util.EnumSet.of(WGroups.Group.FINE)));
        LatentOptimization.Settings d = LatentOptimization.Settings.defaults("x");
        assertEquals(300, d.steps());
        assertEquals(0.01, d.lr());
        assertEquals(0.001, d.lambdaL2());
        assertEquals(0.001, d.lambdaId());
        assertEquals(LatentOptimization.ScheduleKind.STEP, d.schedule());
        assertEquals(0.005, d.lrSchedule().lr(50), 1e-15);
    }
}
