package dev.styleclip.runtime;

import ai.djl.ndarray.NDArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real compute thread with the real engine: one thread, frames, cancel within a step, pause/resume, divergence. */
class ComputeServiceTest {
    static ComputeService service;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void jobsRunOneAtATimeOnTheComputeThreadAndStreamFrames() throws Exception {
        List<Frame> frames = new CopyOnWriteArrayList<>();
        double sum = service.run("sum", ctx -> {
            assertEquals(ComputeService.THREAD_NAME, Thread.currentThread().getName());
            NDArray acc = ctx.manager().zeros(new ai.djl.ndarray.types.Shape(4));
            for (int i = 1; i <= 5; i++) {
                final int step = i;
                ctx.step(m -> {
                    NDArray tmp = m.ones(new ai.djl.ndarray.types.Shape(4)).mul(step);
                    acc.addi(tmp);
                    return null;
                });
                ctx.emit(new Frame(ctx.jobName(), i, 5, java.util.Map.of("total", (double) i), 0.01, null, null, ctx.elapsedMs(), null));
            }
            return (double) acc.sum().getFloat();
        }, frames::add);
        assertEquals(60.0, sum);
        assertEquals(5, frames.size());
        assertEquals(1.0, frames.get(4).progress());
        assertTrue(!service.isComputeThread());
    }

    @Test
    void cancelTakesEffectWithinOneStep() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicInteger steps = new AtomicInteger();
        JobHandle<Integer> h = service.submit("forever", ctx -> {
            while (true) {
                ctx.step(m -> {
                    started.countDown();
                    Thread.sleep(5);
                    return steps.incrementAndGet();
                });
            }
        }, null);
        assertTrue(started.await(30, TimeUnit.SECONDS));
        h.cancel();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get(30, TimeUnit.SECONDS));
        assertInstanceOf(JobCancelledException.class, e.getCause());
        assertEquals(JobHandle.State.CANCELLED, h.state());
        int after = steps.get();
        Thread.sleep(50);
        assertEquals(after, steps.get(), "no step runs after cancel");
    }

    @Test
    void pauseHoldsTheJobAndResumeContinuesIt() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        AtomicInteger steps = new AtomicInteger();
        JobHandle<Integer> h = service.submit("pausable", ctx -> {
            for (int i = 0; i < 20; i++) {
                ctx.step(m -> {
                    first.countDown();
                    Thread.sleep(20);
                    return steps.incrementAndGet();
                });
            }
            return steps.get();
        }, null);
        assertTrue(first.await(30, TimeUnit.SECONDS));
        h.pause();
        Thread.sleep(100);
        int held = steps.get();
        Thread.sleep(100);
        assertEquals(held, steps.get(), "paused: no progress");
        assertTrue(held < 20);
        h.resume();
        assertEquals(20, h.result().get(30, TimeUnit.SECONDS));
    }

    @Test
    void aNaNLossStopsTheJobWithAClearMessage() {
        Exception e = assertThrows(DivergedException.class, () -> service.run("diverging", ctx -> {
            ctx.requireFinite(3, "clip", Double.NaN);
            return 0;
        }, null));
        assertTrue(e.getMessage().contains("step 3") && e.getMessage().contains("clip"), e.getMessage());
    }

    @Test
    void aQueuedJobCancelledBeforeItStartsNeverRuns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        JobHandle<Integer> blocker = service.submit("blocker", ctx -> {
            release.await(30, TimeUnit.SECONDS);
            return 1;
        }, null);
        AtomicInteger ran = new AtomicInteger();
        JobHandle<Integer> queued = service.submit("queued", ctx -> ran.incrementAndGet(), null);
        queued.cancel();
        release.countDown();
        assertEquals(1, blocker.result().get(30, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> queued.result().get(30, TimeUnit.SECONDS));
        assertEquals(0, ran.get());
    }

    @Test
    void modelsAreLoadedOncePerKey() throws Exception {
        AtomicInteger loads = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            service.run("use-model", ctx -> ctx.models().get("test", "k", String.class, () -> "model" + loads.incrementAndGet()), null);
        }
        assertEquals(1, loads.get());
    }
}
