package dev.styleclip.studio;

import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.nio.file.Files;
import java.nio.file.Path;

import static dev.styleclip.studio.OpenStudio.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20's "choose defaults from the device and the network size and show the estimate", through the real studio on
 * the CPU: the tiny golden generator starts from the 256² CPU defaults; choosing the 1024² demo architecture in the
 * Source tab lowers the untouched edit steps and direction faces and keeps the projection steps the user typed; the
 * estimate next to Run follows the generator (the time measured on the tiny one is not claimed for the 1024² one) and
 * comes back with the tiny one.
 */
@ExtendWith(ApplicationExtension.class)
class StudioNetworkSizeDefaultsTest {
    private Path dir;
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("studio-defaults");
        studio = OpenStudio.open(stage, OpenStudio.tinyModels(dir), "defaults", ScriptedDialogs.none());
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(TextField.class).getText();
    }

    @SuppressWarnings("unchecked")
    private static void choose(FxRobot robot, java.util.function.Predicate<GeneratorSource> which) {
        ComboBox<GeneratorSource> choice = robot.lookup("#generator-choice").queryAs(ComboBox.class);
        GeneratorSource g = choice.getItems().stream().filter(which).findFirst().orElseThrow();
        robot.interact(() -> choice.setValue(g));
    }

    @Test
    void switchingTo1024ChangesTheUntouchedDefaultsAndTheEstimate(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        assertTrue(vm.deviceName().startsWith("cpu"), vm.deviceName());
        // the 32² golden generator: the 256² CPU defaults
        assertEquals("30", text(robot, "#steps-field"));
        assertEquals("100", text(robot, "#invert-steps-field"));
        assertEquals("10", text(robot, "#directions-images-field"));
        // the user's own number of projection steps
        TextField invert = robot.lookup("#invert-steps-field").queryAs(TextField.class);
        robot.interact(() -> {
            invert.setText("77");
            invert.fireEvent(new javafx.event.ActionEvent());
        });

        // a face, and a run at the default steps: the estimate next to Run is measured on this generator
        robot.clickOn("#generate");
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        robot.interact(vm.run()::runEdit);
        await("the edit", () -> !vm.run().editRunningProperty().get() && vm.document().editStack().size() == 1, 300);
        Label estimate = robot.lookup("#run-estimate").queryAs(Label.class);
        await("the estimate", () -> estimate.getText().contains("for 30 steps") && estimate.getText().contains("memory:"));
        assertTrue(estimate.getText().contains("measured here"), estimate.getText());
        String tinyMemory = estimate.getText().substring(estimate.getText().indexOf("memory:"));
        // the face as a latent file: a new generator leaves it as it is (a face from a seed would be generated again)
        Path latent = dir.resolve("face.npz");
        robot.interact(() -> {
            vm.files().exportLatents(latent);
            vm.source().importLatent(latent);
        });
        await("the latent", () -> "latent".equals(vm.document().current().source().kind()) && !vm.status().busyProperty().get());

        // the 1024² demo architecture: fewer steps and faces, the typed projection steps stay
        choose(robot, g -> g.isDemo() && g.demo().equals("stylegan3-t-1024"));
        assertEquals("stylegan3-t-1024", vm.source().generator().demo());
        assertEquals("5", text(robot, "#steps-field"), "an untouched default follows the 1024² network");
        assertEquals("2", text(robot, "#directions-images-field"));
        assertEquals("77", text(robot, "#invert-steps-field"), "a value the user set stays");
        assertFalse(estimate.getText().contains("measured here"), "no time measured on this generator: " + estimate.getText());
        await("the 1024² memory plan", () -> estimate.getText().startsWith("memory:") && !estimate.getText().equals(tinyMemory), 300);
        assertEquals("latent", vm.document().current().source().kind(), "the face was not generated again");

        // back to the tiny generator: its defaults and its measured time again
        choose(robot, g -> !g.isDemo() && g.file().getFileName().toString().equals("sg3t-32.pkl"));
        assertEquals("30", text(robot, "#steps-field"));
        assertEquals("10", text(robot, "#directions-images-field"));
        assertEquals("77", text(robot, "#invert-steps-field"));
        await("the estimate", () -> estimate.getText().contains("for 30 steps") && estimate.getText().contains("measured here")
                && estimate.getText().contains("memory:"));
    }
}
