package dev.styleclip.studio;

import static dev.styleclip.studio.OpenStudio.await;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.Notice;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.DialogPane;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory plan in the studio, on the real compute thread with the tiny golden networks: the estimate next to Run,
 * the budget setting (Models tab, remembered), and a run that cannot fit refused with a dialog before it starts.
 */
@ExtendWith(ApplicationExtension.class)
class StudioMemoryTest {
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path models = OpenStudio.tinyModels(Files.createTempDirectory("studio-memory"));
        studio = OpenStudio.open(stage, models, "memory", ScriptedDialogs.none());
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
    }

    @Test
    void estimateBudgetAndRefusal(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        robot.interact(vm.source()::generate);
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        TabPane tabs = robot.lookup("#side-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(1));
        Label estimate = robot.lookup("#run-estimate").queryAs(Label.class);
        await("the estimate next to Run", () -> estimate.getText().startsWith("memory: needs about"));
        assertTrue(estimate.getText().contains("pieces <= 256 MiB"), estimate.getText());
        assertTrue(robot.lookup("#status-memory").queryAs(Label.class).getText().contains("budget auto"));

        // a budget far too small, set in the Models tab: remembered, shown, and the next run is refused up front
        robot.interact(() -> tabs.getSelectionModel().select(3));
        TextField budget = robot.lookup("#memory-budget").queryAs(TextField.class);
        robot.interact(() -> budget.setText("20M"));
        robot.clickOn("#memory-budget-set");
        assertEquals(20L << 20, vm.memoryBudgetProperty().get());
        assertEquals(20.0 * (1 << 20), studio.node.getDouble("memory.budget", 0));
        assertTrue(robot.lookup("#status-memory").queryAs(Label.class).getText().contains("budget 20 MiB"));
        await("the refreshed estimate", () -> estimate.getText().contains("the memory budget is 20 MiB"));

        robot.interact(() -> tabs.getSelectionModel().select(1));
        robot.interact(vm.run()::runEdit);
        await("the refusal", () -> vm.status().notices().stream().anyMatch(n -> n.level() == Notice.Level.DIALOG) && !vm.status().busyProperty().get());
        Notice n = vm.status().notices().stream().filter(x -> x.level() == Notice.Level.DIALOG).findFirst().orElseThrow();
        assertEquals("Not enough memory", n.title());
        assertTrue(n.text().contains("latent optimisation with the 32x32 generator needs about"), n.text());
        assertTrue(n.text().contains("the memory budget is 20 MiB"), n.text());
        assertFalse(vm.run().editRunningProperty().get());
        assertEquals(0, vm.document().editStack().size(), "nothing was added to the stack");
        DialogPane dialog = Window.getWindows().stream().filter(w -> w.getScene() != null && w.isShowing())
                .map(w -> w.getScene().getRoot()).filter(r -> r instanceof DialogPane).map(r -> (DialogPane) r)
                .filter(d -> "memory-dialog".equals(d.getId())).findFirst().orElseThrow(() -> new AssertionError("no dialog"));
        assertTrue(dialog.getContentText().contains("needs about"), dialog.getContentText());
        robot.interact(() -> dialog.getScene().getWindow().hide());

        // back to automatic: the edit runs
        robot.interact(() -> vm.setMemoryBudget("auto"));
        assertEquals(0, vm.memoryBudgetProperty().get());
        robot.interact(vm.run()::runEdit);
        await("the edit", () -> vm.document().editStack().size() == 1 && !vm.run().editRunningProperty().get());
    }
}
