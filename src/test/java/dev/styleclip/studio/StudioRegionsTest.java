package dev.styleclip.studio;

import static dev.styleclip.studio.OpenStudio.await;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.Metrics;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.CheckBox;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
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
import java.util.ArrayDeque;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Region-limited edits in the real studio, headless, through the real compute thread on the tiny golden networks (and
 * face-api's real networks, which find no face in the tiny generator's patterns: the mean face stands in, and says
 * so): the region choice in the Edit tab, the overlay over the before picture toggled by Ctrl+R and the View menu, and a
 * one-step edit of the mouth whose frames carry the keep term.
 */
@ExtendWith(ApplicationExtension.class)
class StudioRegionsTest {
    private Path dir;
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("studio-regions");
        studio = OpenStudio.open(stage, OpenStudio.tinyModels(dir), "regions", new ScriptedDialogs(new ArrayDeque<>()));
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
    }

    private static void type(FxRobot robot, String id, String text) {
        TextField f = robot.lookup(id).queryAs(TextField.class);
        robot.interact(() -> {
            f.setText(text);
            f.fireEvent(new javafx.event.ActionEvent());
        });
    }

    private void clickVisible(FxRobot robot, String id) {
        robot.interact(() -> window.reveal(id));
        robot.clickOn(id);
    }

    private static int alpha(Pixels p, double x, double y) {
        return p.argb()[(int) Math.round(y) * p.width() + (int) Math.round(x)] >>> 24;
    }

    @Test
    void theOverlayShowsTheChosenRegionsAndAMouthEditHoldsTheRest(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        type(robot, "#seed-field", "3");
        robot.clickOn("#generate");
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        TabPane tabs = robot.lookup("#side-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(1));

        // the region choice: edit only the mouth (switched on by default), its controls live only outside "whole face"
        assertFalse(robot.lookup("#region-details").query().isVisible(), "whole face: no details");
        clickVisible(robot, "#region-mode-edit-only");
        assertEquals("EDIT_ONLY", vm.edit().regionModeProperty().get().name());
        assertTrue(robot.lookup("#region-details").query().isVisible());
        assertTrue(robot.lookup("#region-mouth").queryAs(CheckBox.class).isSelected());
        assertTrue(robot.lookup("#region-mode-edit-only").queryAs(ToggleButton.class).isSelected());

        // Ctrl+R shows the overlay; the landmarks are found on the compute thread, held here until the assertions ran
        ImageView overlay = robot.lookup("#region-overlay-image").queryAs(ImageView.class);
        assertFalse(overlay.isVisible());
        try (AutoCloseable gate = studio.holdComputeThread()) {
            robot.push(new KeyCodeCombination(KeyCode.R, KeyCombination.SHORTCUT_DOWN));
            WaitForAsyncUtils.waitForFxEvents();
            assertTrue(vm.live().regionOverlayShownProperty().get());
            assertNull(vm.live().regionOverlayProperty().get(), "nothing drawn before the landmarks are known");
            assertEquals("region overlay: finding the face's landmarks…", vm.live().regionNoteProperty().get());
        }
        await("the overlay", () -> vm.live().regionOverlayProperty().get() != null);
        assertTrue(overlay.isVisible());
        assertEquals("edit only mouth — regions from the FFHQ mean face (face-api found no face in the picture)",
                vm.live().regionNoteProperty().get());
        assertEquals(vm.live().regionNoteProperty().get(), robot.lookup("#region-note").queryLabeled().getText());
        Pixels tint = vm.live().regionOverlayProperty().get();
        int side = vm.document().current().baseImage().width();
        assertEquals(side, tint.width(), "the tiny generator's 32² picture");
        assertTrue(alpha(tint, 0.5 * side - 0.5, 0.745 * side - 0.5) > 100, "the mouth is tinted");
        assertEquals(0, alpha(tint, 1, 1), "the corner is not");
        // the switches redraw at once: keep the eyes instead — the mouth is no longer tinted
        clickVisible(robot, "#region-mode-keep");
        clickVisible(robot, "#region-eyes");
        clickVisible(robot, "#region-mouth");
        Pixels eyes = vm.live().regionOverlayProperty().get();
        assertEquals(0, alpha(eyes, 0.5 * side - 0.5, 0.745 * side - 0.5), "the mouth is off");
        assertTrue(vm.live().regionNoteProperty().get().startsWith("keep eyes — "), vm.live().regionNoteProperty().get());
        clickVisible(robot, "#region-mode-edit-only");
        clickVisible(robot, "#region-mouth");
        clickVisible(robot, "#region-eyes");
        assertEquals(Set.of(FaceRegion.MOUTH), vm.edit().checkedRegions());

        // a one-step edit of the mouth: held at the compute thread until it is known to be queued
        type(robot, "#steps-field", "1");
        try (AutoCloseable gate = studio.holdComputeThread()) {
            clickVisible(robot, "#run");
            assertTrue(vm.run().editRunningProperty().get());
            assertTrue(vm.live().losses("keep").isEmpty());
        }
        await("the edit", () -> !vm.run().editRunningProperty().get() && vm.document().editStack().size() == 1);
        assertFalse(vm.live().losses("keep").isEmpty(), "the step's frame carries the keep term");
        RecipeStep.LatentDelta step = assertInstanceOf(RecipeStep.LatentDelta.class, vm.document().editStack().get(0));
        assertEquals(EditRegions.Mode.EDIT_ONLY, step.regions().mode());
        assertEquals(Set.of(FaceRegion.MOUTH), step.regions().regions());
        assertEquals(0.02 * side, step.regions().grow(), 1e-9, "grow: 2 % of the side, in the generator's pixels");
        assertTrue(step.metrics().containsKey(Metrics.LPIPS_OUTSIDE), step.metrics().toString());
        assertTrue(vm.status().messageProperty().get().contains("outside"), vm.status().messageProperty().get());

        // the View menu hides it again
        MenuItem item = robot.lookup("#menu-bar").queryAs(MenuBar.class).getMenus().stream().flatMap(m -> m.getItems().stream())
                .filter(i -> "menu-region-overlay".equals(i.getId())).findFirst().orElseThrow();
        assertEquals(new KeyCodeCombination(KeyCode.R, KeyCombination.SHORTCUT_DOWN), item.getAccelerator());
        robot.interact(item::fire);
        assertFalse(vm.live().regionOverlayShownProperty().get());
        assertFalse(overlay.isVisible());
        assertEquals("", vm.live().regionNoteProperty().get());
    }
}
