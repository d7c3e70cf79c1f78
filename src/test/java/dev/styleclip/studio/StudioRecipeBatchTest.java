package dev.styleclip.studio;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.RecipeBatchViewModel;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
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
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.styleclip.studio.OpenStudio.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * File ▸ Apply recipe to folder in the real studio, headless, through the real compute thread on the demo networks (no
 * model files): a folder of two latents and a broken one, a one-step recipe file; what is missing is refused with one
 * message, a queued batch is cancelled, then the batch runs, writes its results and lists 2 done + 1 failed, and a
 * row's picture opens.
 */
@ExtendWith(ApplicationExtension.class)
class StudioRecipeBatchTest {
    private final Deque<Path> answers = new ArrayDeque<>();
    private Path dir;
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("studio-batch");
        Path models = Files.createDirectories(dir.resolve("models"));
        studio = OpenStudio.open(stage, models, "batch", new ScriptedDialogs(answers));
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
    }

    private static String text(FxRobot robot, String id) {
        return robot.lookup(id).queryAs(Label.class).getText();
    }

    private static void idle(StudioViewModel vm) throws Exception {
        await("the compute thread", () -> !vm.status().busyProperty().get() && !vm.recipeBatch().runningProperty().get(), 600);
    }

    @Test
    void aRecipeOverAFolderOfLatents(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        // the demo generator's latent shape, from a face of it
        robot.clickOn("#generate");
        idle(vm);
        Latent w = vm.document().current().base();
        Path in = Files.createDirectories(dir.resolve("in")), out = dir.resolve("out");
        LatentFile.write(in.resolve("a.npz"), w);
        LatentFile.write(in.resolve("b.npz"), w.plus(w, -0.5));
        Files.write(in.resolve("c.npz"), new byte[]{'P', 'K', 3, 4, 0});
        Random r = new Random(1);
        float[] delta = new float[w.values().length];
        for (int i = 0; i < delta.length; i++) delta[i] = (float) r.nextGaussian();
        Path recipe = dir.resolve("recipes/offset.json");
        RecipeFiles.write(recipe, new Recipe(null, List.of(
                new RecipeStep.LatentDelta("offset", w.numWs(), w.wDim(), delta, 0.5, true, Map.of(), Map.of()))));

        // File ▸ Apply recipe to folder (Ctrl+B): nothing chosen and an empty stack is one message, and nothing runs
        robot.clickOn("#app-title");
        robot.press(KeyCode.CONTROL).type(KeyCode.B).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(robot.lookup("#batch-start").tryQuery().isPresent(), "the shortcut opens the window");
        robot.clickOn("#batch-start");
        assertTrue(text(robot, "#batch-message").startsWith("the edit stack is empty"), text(robot, "#batch-message"));
        assertFalse(vm.status().busyProperty().get());

        answers.add(recipe);
        robot.clickOn("#batch-choose-recipe");
        answers.add(in);
        robot.clickOn("#batch-inputs-choose");
        answers.add(in);
        robot.clickOn("#batch-output-choose");
        robot.clickOn("#batch-start");
        assertTrue(text(robot, "#batch-message").contains("must not be the input folder"), text(robot, "#batch-message"));
        assertFalse(vm.recipeBatch().runningProperty().get());
        answers.add(out);
        robot.clickOn("#batch-output-choose");
        assertEquals(out.toString(), text(robot, "#batch-output"));

        // queued behind a held compute thread, then cancelled: it never starts, nothing is written, the window is idle
        try (AutoCloseable gate = studio.holdComputeThread()) {
            robot.clickOn("#batch-start");
            assertTrue(vm.recipeBatch().runningProperty().get());
            assertTrue(robot.lookup("#batch-start").queryButton().isDisabled());
            robot.clickOn("#batch-cancel");
        }
        idle(vm);
        assertTrue(text(robot, "#batch-message").startsWith("cancelled after 0 of 3 inputs"), text(robot, "#batch-message"));
        assertFalse(robot.lookup("#batch-start").queryButton().isDisabled());
        assertFalse(Files.exists(out.resolve("a.json")));

        robot.clickOn("#batch-start");
        idle(vm);
        assertTrue(text(robot, "#batch-message").startsWith("finished: 2 done, 0 skipped, 1 failed"),
                () -> text(robot, "#batch-message") + " " + vm.status().notices());
        TableView<?> table = robot.lookup("#batch-results").queryAs(TableView.class);
        List<RecipeBatchViewModel.Row> rows = vm.recipeBatch().rows();
        assertEquals(3, table.getItems().size());
        assertEquals(List.of("a.npz done", "b.npz done", "c.npz failed"), rows.stream().map(x -> x.input() + " " + x.status()).toList());
        assertEquals("a.png", rows.get(0).output());
        assertTrue(rows.get(2).output().contains("c.npz"), "the reason: " + rows.get(2).output());
        for (String stem : new String[]{"a", "b"}) {
            for (String ext : new String[]{".png", ".source.png", ".npz", ".json"}) {
                assertTrue(Files.isRegularFile(out.resolve(stem + ext)), stem + ext);
            }
        }
        assertFalse(Files.exists(out.resolve("c.json")));
        float[] edited = dev.styleclip.io.Npz.read(out.resolve("a.npz")).get("w_edited").toFloatArray();
        for (int i = 0; i < edited.length; i += 97) assertEquals(w.values()[i] + 0.5f * delta[i], edited[i], 1e-4);

        // a double-click on a row opens its edited picture (the event itself: a loaded machine can space the robot's
        // two clicks past the double-click interval)
        Node first = robot.lookup(".table-row-cell").match((TableRow<?> t) -> t.getIndex() == 0 && t.getItem() == rows.get(0)).query();
        robot.interact(() -> first.fireEvent(new MouseEvent(MouseEvent.MOUSE_CLICKED, 5, 5, 5, 5, MouseButton.PRIMARY, 2,
                false, false, false, false, true, false, false, true, false, true, null)));
        WaitForAsyncUtils.waitForFxEvents();
        String zoom = text(robot, "#viewer-zoom");
        assertTrue(zoom.contains("256 × 256 px"), zoom);
        robot.interact(() -> robot.lookup("#viewer-zoom").query().getScene().getWindow().hide());
    }
}
