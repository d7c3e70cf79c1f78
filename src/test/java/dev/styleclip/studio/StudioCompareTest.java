package dev.styleclip.studio;

import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.CompareViewModel;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.geometry.Bounds;
import javafx.geometry.Point2D;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.image.PixelFormat;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.shape.Rectangle;
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

import static dev.styleclip.studio.OpenStudio.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20's "click a grid cell, compare it with the source (a before / after slider) and promote it", through the real
 * studio on the real compute thread with the tiny golden networks: a 1 × 2 grid is run, a cell clicked, Compare (the \ key)
 * lays it over the source, the divider is dragged with the mouse and moved with ←, and the current picture's clip
 * follows; the cell is then promoted.
 */
@ExtendWith(ApplicationExtension.class)
class StudioCompareTest {
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path models = OpenStudio.tinyModels(Files.createTempDirectory("studio-compare"));
        studio = OpenStudio.open(stage, models, "compare", ScriptedDialogs.none());
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

    /** The picture's pixels, as {@link Pixels} holds them. */
    private static int[] argb(Image image) {
        int w = (int) image.getWidth(), h = (int) image.getHeight();
        int[] out = new int[w * h];
        image.getPixelReader().getPixels(0, 0, w, h, PixelFormat.getIntArgbInstance(), out, 0, w);
        return out;
    }

    private static void assertShows(Pixels expected, ImageView view, String what) {
        assertEquals(expected.width(), (int) view.getImage().getWidth(), what);
        assertArrayEquals(expected.argb(), argb(view.getImage()), what);
    }

    @Test
    void aGridCellComparedWithTheSourceThroughADivider(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        assertTrue(robot.lookup("#compare-toggle").query().isDisabled(), "nothing to compare yet");
        type(robot, "#seed-field", "5");
        robot.clickOn("#generate");
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        Pixels source = vm.document().current().baseImage();

        // a 1 × 2 grid of 2-step edits
        robot.interact(() -> robot.lookup("#side-tabs").queryAs(TabPane.class).getSelectionModel().select(1));
        type(robot, "#steps-field", "2");
        type(robot, "#grid-l2", "0.001");
        type(robot, "#grid-id", "0, 0.01");
        robot.clickOn("#run-grid");
        await("the grid", () -> !vm.compare().runningProperty().get() && vm.compare().cells().size() == 2
                && vm.compare().cells().stream().allMatch(c -> "done".equals(c.stateProperty().get())));
        CompareViewModel.Cell cell = vm.compare().cells().get(1);
        Pixels edited = cell.imageProperty().get();
        assertFalse(java.util.Arrays.equals(source.argb(), edited.argb()), "the edit changed the picture");

        // click the cell: it is the current picture; \: the wipe of the cell over the source
        robot.clickOn("#grid-cell-0-1");
        assertEquals(cell, vm.compare().selectedProperty().get());
        robot.clickOn("#app-title");
        robot.type(KeyCode.BACK_SLASH);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(vm.live().comparingProperty().get(), "\\ turned Compare on");
        assertTrue(robot.lookup("#compare-toggle").queryAs(javafx.scene.control.ToggleButton.class).isSelected());
        assertTrue(robot.lookup("#compare-view").query().isVisible());
        assertFalse(robot.lookup("#current-image").query().isVisible(), "the wipe takes the current picture's place");
        ImageView before = robot.lookup("#compare-view-before").queryAs(ImageView.class);
        ImageView after = robot.lookup("#compare-view-after").queryAs(ImageView.class);
        assertShows(source, before, "under the divider: the source");
        assertShows(edited, after, "over it: the clicked cell");
        assertEquals(before.getBoundsInParent(), new javafx.geometry.BoundingBox(after.getLayoutX(), after.getLayoutY(),
                after.getLayoutBounds().getWidth(), after.getLayoutBounds().getHeight()), "both pictures in the same box");
        double width = after.getLayoutBounds().getWidth();
        assertTrue(width > 100, "shown large: " + width);
        Rectangle clip = (Rectangle) after.getClip();
        assertEquals(0.5 * width, clip.getX(), 1e-6, "the divider starts in the middle");
        assertEquals(0.5 * width, clip.getWidth(), 1e-6);

        // drag the divider to a quarter of the picture: the cell shows right of it, the source left
        Bounds onScreen = after.localToScreen(after.getLayoutBounds());
        double y = onScreen.getCenterY();
        robot.drag(new Point2D(onScreen.getMinX() + 0.5 * onScreen.getWidth(), y), MouseButton.PRIMARY)
                .moveTo(new Point2D(onScreen.getMinX() + 0.4 * onScreen.getWidth(), y))
                .moveTo(new Point2D(onScreen.getMinX() + 0.25 * onScreen.getWidth(), y))
                .release(MouseButton.PRIMARY);
        WaitForAsyncUtils.waitForFxEvents();
        double d = vm.live().dividerProperty().get();
        assertEquals(0.25, d, 2.0 / width, "the divider followed the mouse");
        assertEquals(d * width, clip.getX(), 1e-6, "the clip follows the divider");
        assertEquals((1 - d) * width, clip.getWidth(), 1e-6);
        assertEquals(after.getLayoutBounds().getHeight(), clip.getHeight(), 1e-6);
        javafx.scene.shape.Line line = robot.lookup("#compare-view-divider").queryAs(javafx.scene.shape.Line.class);
        assertEquals(after.getLayoutX() + d * width, line.getStartX(), 1e-6, "the line stands at the divider");

        // ← moves it by 5 %
        robot.type(KeyCode.LEFT);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(d - 0.05, vm.live().dividerProperty().get(), 1e-9);
        assertEquals((1 - (d - 0.05)) * width, clip.getWidth(), 1e-6);

        // Promote adds the compared cell; Compare stays on, now over the promoted edit
        robot.clickOn("#promote-best");
        await("the promotion", () -> vm.document().editStack().size() == 1 && !vm.document().renderingStack());
        assertNotEquals(null, after.getImage());
        assertShows(vm.document().current().current(), after, "after Promote: the edited face");
        assertShows(source, before, "still against the source");
        robot.clickOn("#compare-toggle");
        assertFalse(vm.live().comparingProperty().get());
        assertTrue(robot.lookup("#current-image").query().isVisible());
    }
}
