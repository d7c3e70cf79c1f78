package dev.styleclip.studio;

import dev.styleclip.golden.Golden;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.studio.service.ComputeBackend;
import dev.styleclip.studio.service.ComputeBridge;
import dev.styleclip.studio.view.Dialogs;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import javafx.stage.Stage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * The real studio as the TestFX scenarios open it: a models folder read by the real catalog, the real compute thread
 * (CPU), a fresh preferences node sized for the headless screen (1280×800), notifications off. {@link #close} stops
 * the compute thread and removes the preferences node.
 */
final class OpenStudio implements AutoCloseable {
    final Preferences node;
    final ModelCatalog catalog;
    final ComputeService compute;
    final ComputeBackend backend;
    final MainWindow window;

    private OpenStudio(Preferences node, ModelCatalog catalog, ComputeService compute, ComputeBackend backend, MainWindow window) {
        this.node = node;
        this.catalog = catalog;
        this.compute = compute;
        this.backend = backend;
        this.window = window;
    }

    /** Opens and shows the studio on {@code models}; {@code name} labels the preferences node. */
    static OpenStudio open(Stage stage, Path models, String name, Dialogs dialogs) {
        Preferences node = Preferences.userRoot().node("/dev/styleclip/test/" + name + "-" + System.nanoTime());
        node.putDouble("window.width", 1200);
        node.putDouble("window.height", 780);
        ModelCatalog catalog = new ModelCatalog(models);
        ComputeService compute = new ComputeService("cpu");
        ComputeBackend backend = new ComputeBackend(new ComputeBridge(compute), catalog, true);
        MainWindow window = StudioApp.open(stage, catalog, backend, new StudioPrefs(node), dialogs);
        window.setNotificationsEnabled(false);
        stage.show();
        return new OpenStudio(node, catalog, compute, backend, window);
    }

    /**
     * A models folder with the tiny golden networks under names the catalog recognises: the 32² StyleGAN3-T
     * generator, a tiny CLIP (ViT-*.pt) and a tiny ArcFace (model_ir_se50*.pth).
     */
    static Path tinyModels(Path dir) throws java.io.IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.copy(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"), models.resolve("sg3t-32.pkl"));
        Files.copy(Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt"), models.resolve("ViT-tiny-P8-R32.pt"));
        Files.copy(Golden.set("idloss").resolve("models/irse_tiny_a.pth"), models.resolve("model_ir_se50-tiny.pth"));
        return models;
    }

    /** Waits up to two minutes (a generous bound for a shared CI machine) until {@code cond} holds. */
    static void await(String what, java.util.function.BooleanSupplier cond) throws Exception {
        await(what, cond, 120);
    }

    /** Waits (up to {@code seconds}) until {@code cond} holds on the FX thread's side, failing with {@code what}. */
    static void await(String what, java.util.function.BooleanSupplier cond, int seconds) throws Exception {
        try {
            org.testfx.util.WaitForAsyncUtils.waitFor(seconds, java.util.concurrent.TimeUnit.SECONDS, cond::getAsBoolean);
        } catch (java.util.concurrent.TimeoutException e) {
            org.junit.jupiter.api.Assertions.fail("timed out waiting for " + what);
        }
        org.testfx.util.WaitForAsyncUtils.waitForFxEvents();
    }

    /**
     * Holds the real compute thread (a job waiting on a latch) until the returned gate is closed: what the studio
     * submits meanwhile waits in the queue, so a scenario can pause or cancel a job at a known point instead of
     * racing it.
     */
    AutoCloseable holdComputeThread() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        compute.submit("test gate", ctx -> {
            running.countDown();
            release.await();
            return null;
        }, null);
        if (!running.await(120, TimeUnit.SECONDS)) throw new IllegalStateException("the compute thread never became free");
        return release::countDown;
    }

    @Override
    public void close() throws BackingStoreException {
        backend.close();
        node.removeNode();
    }
}
