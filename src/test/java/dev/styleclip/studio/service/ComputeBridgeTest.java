package dev.styleclip.studio.service;

import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import javafx.application.Platform;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxToolkit;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frames and outcomes reach the real FX thread (headless toolkit) from the real compute thread, latest frame winning. */
class ComputeBridgeTest {
    static ComputeService compute;

    @BeforeAll
    static void start() throws Exception {
        FxToolkit.registerPrimaryStage();
        compute = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        compute.close();
    }

    @Test
    void framesArriveOnTheFxThreadCoalescedAndTheLastOneIsNeverLost() throws Exception {
        ComputeBridge bridge = new ComputeBridge(compute);
        List<Integer> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        CompletableFuture<Void> fxBusy = new CompletableFuture<>();
        // keep the FX thread busy so frames pile up and must be coalesced
        Platform.runLater(() -> {
            try {
                fxBusy.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // released below
            }
        });
        bridge.submit("count", ctx -> {
            for (int i = 1; i <= 200; i++) ctx.emit(Frame.status(ctx.jobName(), i, 200, ctx.elapsedMs(), null));
            fxBusy.complete(null);
            return 200;
        }, new ComputeBridge.Callbacks<>(f -> {
            assertTrue(Platform.isFxApplicationThread());
            seen.add(f.step());
        }, r -> {
            assertTrue(Platform.isFxApplicationThread());
            done.complete(r);
        }, done::completeExceptionally, () -> done.completeExceptionally(new AssertionError("cancelled"))));
        assertEquals(200, done.get(30, TimeUnit.SECONDS));
        assertEquals(200, seen.get(seen.size() - 1), "the last frame is delivered");
        assertTrue(seen.size() < 200, "frames were coalesced: " + seen.size());
        for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) > seen.get(i - 1), "frames in order");
    }

    @Test
    void failuresAndCancelsArriveOnTheFxThread() throws Exception {
        ComputeBridge bridge = new ComputeBridge(compute);
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        bridge.submit("fails", ctx -> {
            throw new IllegalArgumentException("prompt is empty");
        }, new ComputeBridge.Callbacks<Object>(null, r -> failed.complete(null), failed::complete, null));
        assertEquals("prompt is empty", failed.get(30, TimeUnit.SECONDS).getMessage());

        CompletableFuture<Boolean> cancelled = new CompletableFuture<>();
        var h = bridge.submit("cancel-me", ctx -> {
            while (true) ctx.step(m -> {
                Thread.sleep(5);
                return null;
            });
        }, new ComputeBridge.Callbacks<Object>(null, null, e -> cancelled.complete(false), () -> cancelled.complete(Platform.isFxApplicationThread())));
        Thread.sleep(50);
        h.cancel();
        assertTrue(cancelled.get(30, TimeUnit.SECONDS));
    }
}
