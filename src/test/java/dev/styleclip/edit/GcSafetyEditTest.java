package dev.styleclip.edit;

import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The whole optimisation step (generator + CLIP + ID + L2, backward, Adam) on the golden tiny models gives bit-identical
 * results while another thread keeps forcing garbage collections and refilling freed native memory with NaN.
 */
class GcSafetyEditTest {
    static ComputeService service;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static LatentOptimization.Result run(LatentOptimization.Settings s) throws Exception {
        return service.run("edit", ctx -> new LatentOptimization(EditNetworks.load(ctx.models(), EditGoldenTest.goldenFiles()), s,
                LatentOptimization.Start.seed(5, 0.7)).run(ctx), null);
    }

    @Test
    void stepsAreBitIdenticalUnderGcPressure() throws Exception {
        LatentOptimization.Settings base = LatentOptimization.Settings.defaults("a smiling face").withSteps(3)
                .withPreviewSize(-1).withWeights(0.008, 0.005);
        List<LatentOptimization.Settings> cases = List.of(
                base.withSpace(LatentOptimization.Space.W_PLUS, EnumSet.allOf(WGroups.Group.class)),
                base.withSpace(LatentOptimization.Space.W_PLUS, EnumSet.of(WGroups.Group.values()[0])),
                base.withSpace(LatentOptimization.Space.Z, EnumSet.allOf(WGroups.Group.class)));
        for (LatentOptimization.Settings s : cases) {
            LatentOptimization.Result quiet = run(s);
            AtomicBoolean stop = new AtomicBoolean();
            Thread hammer = new Thread(() -> {
                while (!stop.get()) {
                    byte[][] junk = new byte[8][];
                    for (int k = 0; k < junk.length; k++) junk[k] = new byte[1 << 20];
                    System.gc();
                    List<ByteBuffer> hold = new ArrayList<>();
                    for (int size = 16; size <= (1 << 16); size *= 2) {
                        ByteBuffer b = ByteBuffer.allocateDirect(size);
                        while (b.remaining() >= 4) b.putFloat(Float.NaN);
                        hold.add(b);
                    }
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "gc-hammer");
            hammer.setDaemon(true);
            hammer.start();
            LatentOptimization.Result noisy;
            try {
                noisy = run(s);
            } finally {
                stop.set(true);
                hammer.join();
            }
            String what = s.space().id() + " " + s.groups();
            assertFalse(quiet.stoppedEarly() || noisy.stoppedEarly(), what + ": no divergence");
            assertEquals(quiet.stepsDone(), noisy.stepsDone(), what);
            for (int i = 0; i < quiet.history().size(); i++) {
                assertEquals(quiet.history().get(i), noisy.history().get(i), what + ": step " + (i + 1));
            }
            assertArrayEquals(quiet.latentFinal(), noisy.latentFinal(), what + ": final latent");
            assertArrayEquals(quiet.wsFinal(), noisy.wsFinal(), what + ": final ws");
        }
    }
}
