package dev.styleclip.studio;

import dev.styleclip.studio.service.PngText;
import static dev.styleclip.studio.OpenStudio.await;
import dev.styleclip.golden.Golden;
import dev.styleclip.studio.service.PngExport;
import dev.styleclip.studio.service.EditPort.EditMethod;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.CompareViewModel;
import dev.styleclip.studio.viewmodel.MapperRunViewModel;
import dev.styleclip.studio.viewmodel.MapperSettings;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.chart.LineChart;
import javafx.scene.control.Label;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import javafx.stage.WindowEvent;
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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real studio, headless (Monocle), on the real compute thread with the tiny golden StyleGAN3 generator
 * ({@code sg3t-32.pkl}), tiny CLIP and tiny ArcFace in a temporary models folder, and the real latent optimisation
 * engine. File dialogs are answered by the test.
 */
@ExtendWith(ApplicationExtension.class)
class StudioAppTest {
    private final Deque<Path> answers = new ArrayDeque<>();
    private final ScriptedDialogs dialogs = new ScriptedDialogs(answers);
    private Path dir;
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("studio");
        Path models = OpenStudio.tinyModels(dir);
        studio = OpenStudio.open(stage, models, "app", dialogs);
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
    }

    private void select(FxRobot robot, int tab) {
        TabPane tabs = robot.lookup("#side-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(tab));
    }

    private static void type(FxRobot robot, String id, String text) {
        TextField f = robot.lookup(id).queryAs(TextField.class);
        robot.interact(() -> {
            f.setText(text);
            f.fireEvent(new javafx.event.ActionEvent());
        });
    }

    /** Scrolls the side tab so that the node shows (as a user would), then clicks it. */
    private void clickVisible(FxRobot robot, String id) {
        robot.interact(() -> window.reveal(id));
        robot.clickOn(id);
    }

    private static boolean diverged(StudioViewModel vm) {
        return vm.status().notices().stream().anyMatch(n -> n.title().contains("diverged"));
    }

    /** Closing asks only when it would stop running work; the document is saved on close and comes back at the next start. */
    @Test
    void closingAsksOnlyWhileWorkRunsAndTheSessionComesBack(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        type(robot, "#seed-field", "11");
        robot.clickOn("#generate");
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        select(robot, 1);
        type(robot, "#steps-field", "2");
        clickVisible(robot, "#run");
        await("the edit", () -> !vm.run().editRunningProperty().get() && vm.document().editStack().size() == 1);
        Stage stage = (Stage) window.root().getScene().getWindow();

        // an edit waiting for the compute thread: closing asks, and "no" keeps the window and the edit
        try (AutoCloseable gate = studio.holdComputeThread()) {
            type(robot, "#steps-field", "2000");
            clickVisible(robot, "#run");
            assertTrue(vm.status().busyProperty().get());
            robot.interact(() -> requestClose(stage));
            assertTrue(stage.isShowing(), "the user said no");
            assertEquals(1, dialogs.questions.size());
            assertTrue(dialogs.questions.get(0).contains("is running"), dialogs.questions.toString());
            assertTrue(vm.run().editRunningProperty().get());
            robot.interact(vm::cancel);
        }
        await("the cancel", () -> !vm.run().editRunningProperty().get() && !vm.status().busyProperty().get());

        // nothing runs: no question; the document is autosaved and the next studio on this folder restores it
        robot.interact(() -> requestClose(stage));
        assertFalse(stage.isShowing());
        assertEquals(1, dialogs.questions.size(), "nothing to ask");
        assertTrue(Files.isRegularFile(vm.files().autosaveFile()), vm.files().autosaveFile().toString());
        OpenStudio[] again = new OpenStudio[1];
        robot.interact(() -> again[0] = OpenStudio.open(new Stage(), dir.resolve("models"), "reopened", ScriptedDialogs.none()));
        try {
            StudioViewModel restored = again[0].window.viewModel();
            assertEquals(11, restored.document().current().source().seed());
            assertEquals(1, restored.document().editStack().size(), "the edit stack came back");
            assertEquals(vm.document().current().composed(), restored.document().current().composed());
            assertTrue(restored.document().history().canUndoProperty().get(), "and its undo history");
            assertTrue(restored.status().notices().stream().anyMatch(n -> n.title().equals("Restored")), () -> restored.status().notices().toString());
        } finally {
            robot.interact(() -> ((Stage) again[0].window.root().getScene().getWindow()).close());
            again[0].close();
        }
    }

    /** What the window manager's close button does: the close request, then the window closes unless it was refused. */
    private static void requestClose(Stage stage) {
        WindowEvent ev = new WindowEvent(stage, WindowEvent.WINDOW_CLOSE_REQUEST);
        stage.getOnCloseRequest().handle(ev);
        if (!ev.isConsumed()) stage.close();
    }

    /** No layer group on (or optimise z with one off): Run and the grid refuse at once and the studio stays usable. */
    @Test
    void invalidEditSettingsLeaveTheStudioIdle(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        robot.clickOn("#generate");
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        select(robot, 1);
        for (String g : new String[]{"#layers-coarse", "#layers-medium", "#layers-fine"}) clickVisible(robot, g);
        assertTrue(vm.edit().groups().isEmpty());
        for (EditMethod method : new EditMethod[]{EditMethod.OPTIMIZE_W, EditMethod.OPTIMIZE_Z}) {
            if (method == EditMethod.OPTIMIZE_Z) {
                robot.interact(() -> vm.edit().methodProperty().set(EditMethod.OPTIMIZE_Z));
                clickVisible(robot, "#layers-coarse");
                clickVisible(robot, "#layers-medium");
            }
            vm.status().notices().clear();
            clickVisible(robot, "#run");
            WaitForAsyncUtils.waitForFxEvents();
            assertFalse(vm.run().editRunningProperty().get(), method + ": not running");
            assertFalse(vm.status().busyProperty().get(), method + ": the status is idle");
            assertFalse(robot.lookup("#run").queryButton().isDisabled(), method + ": Run can be pressed again");
            String expected = method == EditMethod.OPTIMIZE_Z ? "optimise z changes every layer" : "switch on at least one layer group";
            assertTrue(vm.status().notices().stream().anyMatch(n -> n.text().contains(expected)), () -> vm.status().notices().toString());
            vm.status().notices().clear();
            robot.interact(vm.run()::runCompare);
            WaitForAsyncUtils.waitForFxEvents();
            assertFalse(vm.compare().runningProperty().get(), method + ": no grid runs");
            assertFalse(vm.status().busyProperty().get());
            assertTrue(vm.status().notices().stream().anyMatch(n -> n.text().contains(expected)), () -> vm.status().notices().toString());
        }
        // the Mapper tab's Train with no layer group: refused at once, nothing left running
        select(robot, 2);
        for (String g : new String[]{"#mapper-coarse", "#mapper-medium", "#mapper-fine"}) {
            if (robot.lookup(g).queryAs(javafx.scene.control.ToggleButton.class).isSelected()) clickVisible(robot, g);
        }
        vm.status().notices().clear();
        clickVisible(robot, "#mapper-train");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(vm.mapperRun().runningProperty().get(), "the mapper is not training");
        assertFalse(vm.status().busyProperty().get());
        assertFalse(robot.lookup("#mapper-train").queryButton().isDisabled());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.text().contains("switch on at least one of coarse, medium, fine")),
                () -> vm.status().notices().toString());
        clickVisible(robot, "#mapper-coarse");
        // with every group on again, the same face edits
        select(robot, 1);
        clickVisible(robot, "#layers-fine");
        type(robot, "#steps-field", "2");
        clickVisible(robot, "#run");
        await("the edit", () -> !vm.run().editRunningProperty().get() && vm.document().editStack().size() == 1);
    }

    @Test
    void theWholeLoop(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        assertTrue(robot.lookup("#status-device").queryAs(Label.class).getText().contains("cpu"));
        assertEquals("sg3t-32.pkl", vm.source().generatorLabelProperty().get());

        // generate a seed: the picture appears
        type(robot, "#seed-field", "7");
        robot.clickOn("#generate");
        await("the generated picture", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        ImageView current = robot.lookup("#current-image").queryAs(ImageView.class);
        assertNotNull(current.getImage());
        assertEquals(32, current.getImage().getWidth());
        assertEquals(7, vm.document().current().source().seed());

        // run 5 steps: frames arrive, the step counter and the loss chart advance
        select(robot, 1);
        type(robot, "#steps-field", "5");
        robot.clickOn("#run");
        await("the edit", () -> !vm.run().editRunningProperty().get() && vm.document().editStack().size() == 1);
        assertFalse(diverged(vm), () -> vm.status().notices().toString());
        assertEquals(5, vm.live().stepProperty().get(), () -> vm.status().notices().toString());
        assertTrue(robot.lookup("#step-label").queryAs(Label.class).getText().contains("5 / 5"));
        @SuppressWarnings("unchecked")
        LineChart<Number, Number> chart = robot.lookup("#loss-chart").queryAs(LineChart.class);
        assertFalse(chart.getData().get(0).getData().isEmpty(), "the total loss curve has points");
        assertTrue(vm.live().framesShown() >= 1);
        assertTrue(vm.document().editStack().get(0).metrics().containsKey("clip_score"), vm.document().editStack().get(0).metrics().toString());
        assertTrue(robot.lookup("#scores-label").queryAs(Label.class).getText().matches("CLIP score -?[0-9.]+ .*"),
                robot.lookup("#scores-label").queryAs(Label.class).getText());
        var afterEdit = vm.document().current();

        // cancel mid-run with Esc: the face stays as it was
        type(robot, "#steps-field", "2000");
        robot.clickOn("#run");
        vm.status().notices().clear();
        await("a few steps", () -> vm.live().stepProperty().get() >= 2 || !vm.run().editRunningProperty().get());
        // Pause holds the run (no step advances), Resume continues it
        robot.clickOn("#pause");
        await("the pause", () -> vm.run().editPausedProperty().get());
        Thread.sleep(1500); // a step in flight may still land
        int held = vm.live().stepProperty().get();
        Thread.sleep(1500);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(held, vm.live().stepProperty().get(), "paused: no progress");
        robot.clickOn("#pause");
        await("progress after resume", () -> vm.live().stepProperty().get() > held || !vm.run().editRunningProperty().get());
        assertFalse(vm.run().editPausedProperty().get());
        robot.push(KeyCode.ESCAPE);
        await("the cancel", () -> !vm.run().editRunningProperty().get());
        assertTrue(vm.live().stepProperty().get() < 2000);
        assertFalse(diverged(vm), () -> vm.status().notices().toString());
        assertSame(afterEdit, vm.document().current());
        assertEquals(1, vm.document().editStack().size());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.title().contains("Cancelled")), vm.status().notices().toString());

        // fill a 2x2 λ grid and export it; its PNG metadata reads back
        type(robot, "#steps-field", "2");
        type(robot, "#grid-l2", "0.001, 0.05");
        type(robot, "#grid-id", "0, 0.01");
        robot.clickOn("#run-grid");
        await("the grid", () -> !vm.compare().runningProperty().get() && vm.compare().cells().size() == 4
                && vm.compare().cells().stream().allMatch(c -> "done".equals(c.stateProperty().get())));
        for (CompareViewModel.Cell c : vm.compare().cells()) assertNotNull(c.imageProperty().get());
        Path grid = dir.resolve("export/grid.png");
        answers.add(grid);
        robot.clickOn("#export-grid");
        WaitForAsyncUtils.waitForFxEvents();
        Map<String, String> text = PngText.read(grid);
        assertEquals("7", text.get("styleclip.seed"));
        assertTrue(text.get("styleclip.grid.columns").contains("0.01"), text.toString());
        assertTrue(Files.exists(PngExport.sidecar(grid)));

        // undo the edit (Ctrl+Z), redo it (Ctrl+Y)
        robot.clickOn("#app-title");
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0, vm.document().editStack().size());
        robot.press(KeyCode.CONTROL).type(KeyCode.Y).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, vm.document().editStack().size());

        // save the session (Ctrl+S), change everything, reopen it
        Path session = dir.resolve("sessions/one.json");
        answers.add(session);
        robot.press(KeyCode.CONTROL).type(KeyCode.S).release(KeyCode.CONTROL);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(Files.exists(session) && Files.exists(session.resolveSibling("one.latents.npz")));
        var saved = vm.document().current();
        type(robot, "#seed-field", "8");
        robot.clickOn("#generate");
        await("seed 8", () -> vm.document().current().source().seed() == 8 && !vm.status().busyProperty().get());
        answers.add(session);
        robot.clickOn("#open-session");
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(7, vm.document().current().source().seed(), () -> vm.status().notices().toString());
        assertEquals(saved.composed(), vm.document().current().composed());
        assertEquals(1, vm.document().editStack().size());
        assertEquals("7", robot.lookup("#seed-field").queryAs(TextField.class).getText());
    }

    @Test
    void mapperTrainsCancelsAndResumes(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        MapperSettings m = vm.mapperSettings();
        MapperRunViewModel run = vm.mapperRun();
        select(robot, 2);
        type(robot, "#mapper-prompt", "a face with purple hair");
        type(robot, "#mapper-epochs-field", "2");
        type(robot, "#mapper-steps-field", "1");
        type(robot, "#mapper-batch-field", "1");
        Path folder = dir.resolve("mappers/purple");
        answers.add(folder);
        clickVisible(robot, "#mapper-choose-folder");
        assertEquals(folder, m.folderProperty().get());
        assertTrue(robot.lookup("#mapper-state").queryAs(Label.class).getText().startsWith("new mapper"));

        // two tiny epochs: losses per step, a sample per epoch, the mapper and its checkpoint on disk, listed
        clickVisible(robot, "#mapper-train");
        await("the training", () -> !run.runningProperty().get());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.title().equals("Mapper trained")), () -> vm.status().notices().toString());
        assertEquals(2, run.losses("total").size());
        assertEquals(2, run.samplesProperty().get());
        assertNotNull(robot.lookup("#mapper-sample").queryAs(ImageView.class).getImage());
        @SuppressWarnings("unchecked")
        LineChart<Number, Number> chart = robot.lookup("#mapper-loss-chart").queryAs(LineChart.class);
        assertEquals(2, chart.getData().get(0).getData().size());
        assertTrue(Files.exists(folder.resolve("mapper.safetensors")) && Files.exists(folder.resolve("checkpoint.json")));
        assertEquals(folder.resolve("mapper.safetensors"), vm.mapperLibrary().selectedProperty().get().file());
        assertTrue(robot.lookup("#mapper-progress-label").queryAs(Label.class).getText().contains("epoch 2/2 · step 1/1"));
        assertTrue(m.msPerSampleProperty().get() > 0);

        // more epochs, paused before its first step and cancelled there: the checkpoint of the last finished epoch
        // stays. The compute thread is held while Train and Pause are clicked, so the tiny epochs cannot finish first.
        type(robot, "#mapper-epochs-field", "5");
        assertTrue(run.stateProperty().get().startsWith("resumes from epoch 2 of 5"), run.stateProperty().get());
        try (AutoCloseable gate = studio.holdComputeThread()) {
            clickVisible(robot, "#mapper-train");
            assertTrue(run.runningProperty().get());
            clickVisible(robot, "#mapper-pause");
            assertTrue(run.pausedProperty().get());
        }
        clickVisible(robot, "#mapper-cancel");
        await("the cancel", () -> !run.runningProperty().get());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.title().contains("cancelled")), () -> vm.status().notices().toString());
        int kept = m.checkpointProperty().get().epoch();
        assertEquals(2, kept, "the cancelled run finished no epoch: the checkpoint stays at epoch 2");

        // Train again on the same folder: it resumes after the checkpoint and finishes
        vm.status().notices().clear();
        clickVisible(robot, "#mapper-train");
        await("the resumed training", () -> !run.runningProperty().get());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.text().contains("(resumed)")), () -> vm.status().notices().toString());
        assertEquals(kept + 1, run.losses("total").get(0).step(), "the resumed run starts after the checkpoint");
        assertEquals(5, m.checkpointProperty().get().epoch());

        // apply needs a face
        assertTrue(robot.lookup("#mapper-apply").queryButton().isDisabled());
        robot.interact(vm.source()::generate);
        await("a face", () -> vm.document().current() != null && !vm.status().busyProperty().get());
        assertFalse(robot.lookup("#mapper-apply").queryButton().isDisabled());
        clickVisible(robot, "#mapper-apply");
        await("the mapper step", () -> vm.document().editStack().size() == 1 && !vm.document().renderingStack());
        assertInstanceOf(dev.styleclip.edit.recipe.RecipeStep.Mapper.class, vm.document().editStack().get(0));
        assertNotEquals(vm.document().current().base(), vm.document().current().composed(), "the mapper moved the latent");
    }

    @Test
    void photoAlignedFromClickedPoints(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        Path photo = Golden.set("faces").resolve("images/douglass.png");
        robot.interact(() -> vm.source().importPhoto(photo));
        await("the photo", () -> !vm.status().busyProperty().get() && vm.source().photoProperty().get() != null);
        var p = vm.source().photoProperty().get();
        assertSame(p.photo(), vm.live().beforeProperty().get(), "the photo is shown");
        int w = p.photo().width(), h = p.photo().height();
        // the user clicks eyes and mouth corners (rough positions; detection may or may not have found the face)
        robot.interact(() -> {
            vm.source().addPoint(0.38 * w, 0.40 * h);
            vm.source().addPoint(0.62 * w, 0.40 * h);
            vm.source().addPoint(0.41 * w, 0.68 * h);
            vm.source().addPoint(0.59 * w, 0.68 * h);
            vm.source().align();
        });
        await("the alignment", () -> !vm.status().busyProperty().get() && vm.document().current() != null);
        assertEquals("photo", vm.document().current().source().kind());
        assertEquals(32, vm.document().current().current().width(), "aligned at the generator's resolution");
        assertFalse(vm.document().hasLatentProperty().get(), "no inversion yet: nothing to edit");
        assertFalse(robot.lookup("#invert").queryButton().isDisabled(), "Invert is offered");
    }

    @Test
    void aBadModelFileIsANoticeNotACrash(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        Files.writeString(dir.resolve("models/sg3t-32.pkl"), "not a pickle");
        robot.clickOn("#generate");
        await("the failure", () -> !vm.status().busyProperty().get() && !vm.status().notices().isEmpty());
        assertEquals(dev.styleclip.studio.viewmodel.Notice.Level.ERROR, vm.status().notices().get(vm.status().notices().size() - 1).level());
        assertNull(vm.document().current(), "nothing changed");
        assertEquals("idle", vm.status().jobProperty().get());
    }

    @Test
    void aBadPhotoIsANoticeNotACrash(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        Path bad = dir.resolve("not-a-photo.jpg");
        Files.writeString(bad, "hello");
        answers.add(bad);
        robot.clickOn("#import-photo");
        await("the failure", () -> !vm.status().busyProperty().get() && !vm.status().notices().isEmpty());
        assertTrue(vm.status().notices().get(vm.status().notices().size() - 1).title().contains("Photo"), vm.status().notices().toString());
        assertNull(vm.source().photoProperty().get());
    }
}
