package dev.styleclip.studio;

import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
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
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path models = Files.createDirectories(Files.createTempDirectory("demo-nets").resolve("models"));
        studio = OpenStudio.open(stage, models, "demo", ScriptedDialogs.none());
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
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
        await(() -> vm.document().current() != null && !vm.status().busyProperty().get());
        assertTrue(vm.document().current().source().demo());
        assertEquals(256, vm.document().current().current().width(), "the demo generator's 256 px");

        robot.interact(() -> {
            vm.edit().promptProperty().set("a face with purple hair");
            TextField steps = robot.lookup("#steps-field").queryAs(TextField.class);
            steps.setText("1");
            steps.fireEvent(new javafx.event.ActionEvent());
        });
        robot.interact(vm.run()::runEdit);
        await(() -> !vm.run().editRunningProperty().get() && !vm.document().renderingStack());
        assertEquals(1, vm.document().editStack().size(), () -> vm.status().notices().toString());
        assertEquals(1, vm.live().stepProperty().get());
        assertFalse(vm.live().losses("total").isEmpty(), "the loss chart has its point");
        assertTrue(vm.document().editStack().get(0).metrics().containsKey("clip_score"), vm.document().editStack().get(0).metrics().toString());
    }
}
