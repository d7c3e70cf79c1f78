package dev.styleclip.studio;

import dev.styleclip.golden.Golden;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.ModelCatalog;
import dev.styleclip.studio.service.ComputeBackend;
import dev.styleclip.studio.service.ComputeBridge;
import dev.styleclip.studio.view.FileDialogs;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import javafx.stage.Stage;

import java.nio.file.Files;
import java.nio.file.Path;
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
    final ComputeBackend backend;
    final MainWindow window;

    private OpenStudio(Preferences node, ModelCatalog catalog, ComputeBackend backend, MainWindow window) {
        this.node = node;
        this.catalog = catalog;
        this.backend = backend;
        this.window = window;
    }

    /** Opens and shows the studio on {@code models}; {@code name} labels the preferences node. */
    static OpenStudio open(Stage stage, Path models, String name, FileDialogs dialogs) {
        Preferences node = Preferences.userRoot().node("/dev/styleclip/test/" + name + "-" + System.nanoTime());
        node.putDouble("window.width", 1200);
        node.putDouble("window.height", 780);
        ModelCatalog catalog = new ModelCatalog(models);
        ComputeBackend backend = new ComputeBackend(new ComputeBridge(new ComputeService("cpu")), catalog, true);
        MainWindow window = StudioApp.open(stage, catalog, backend, new StudioPrefs(node), dialogs);
        window.setNotificationsEnabled(false);
        stage.show();
        return new OpenStudio(node, catalog, backend, window);
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

    @Override
    public void close() throws BackingStoreException {
        backend.close();
        node.removeNode();
    }
}
