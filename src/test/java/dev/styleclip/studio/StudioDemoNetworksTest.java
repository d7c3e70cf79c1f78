package dev.styleclip.studio;

import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.ModelCatalog;
import dev.styleclip.studio.service.ComputeBackend;
import dev.styleclip.studio.service.ComputeBridge;
import dev.styleclip.studio.service.OptimizationEngine;
import dev.styleclip.studio.view.FileDialogs;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The studio as a fresh install sees it: no model files, so the demo networks (256 px StyleGAN3-T, ViT CLIP, IR-SE-50,
 * random weights): a face from a seed and one real optimisation step through the real compute thread. (The longer UI
 * scenarios run on the golden sets' tiny networks: a demo step takes most of a minute on a 2-core CPU.)
 */
@ExtendWith(ApplicationExtension.class)
class StudioDemoNetworksTest {
    private Preferences node;
    private ComputeBackend backend;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path models = Files.createDirectories(Files.createTempDirectory("demo-nets").resolve("models"));
        node = Preferences.userRoot().node("/dev/styleclip/test/demo-" + System.nanoTime());
        node.putDouble("window.width", 1200);
        node.putDouble("window.height", 780);
        ModelCatalog catalog = new ModelCatalog(models);
        backend = new ComputeBackend(new ComputeBridge(new ComputeService("cpu")), catalog, new OptimizationEngine(catalog), true);
        FileDialogs none = ScriptedDialogs.none();
        window = StudioApp.open(stage, catalog, backend, new StudioPrefs(node), none);
        window.setNotificationsEnabled(false);
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        backend.close();
        node.removeNode();
    }

    private static void await(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(600, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void aFaceAndAnEditStepOnTheDemoNetworks(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        assertTrue(robot.lookup("#demo-banner").queryAs(Label.class).isVisible(), "no model files: demo mode");
        robot.clickOn("#generate");
        await(() -> vm.current() != null && !vm.busyProperty().get());
        assertTrue(vm.current().source().demo());
        assertEquals(256, vm.current().current().width(), "the demo generator's 256 px");

        robot.interact(() -> {
            vm.edit().promptProperty().set("a face with purple hair");
            TextField steps = robot.lookup("#steps-field").queryAs(TextField.class);
            steps.setText("1");
            steps.fireEvent(new javafx.event.ActionEvent());
        });
        robot.interact(vm::runEdit);
        await(() -> !vm.editRunningProperty().get() && !vm.renderingStack());
        assertEquals(1, vm.editStack().size(), () -> vm.notices().toString());
        assertEquals(1, vm.live().stepProperty().get());
        assertFalse(vm.live().losses("total").isEmpty(), "the loss chart has its point");
        assertTrue(vm.editStack().get(0).metrics().containsKey("clip_score"), vm.editStack().get(0).metrics().toString());
    }
}
