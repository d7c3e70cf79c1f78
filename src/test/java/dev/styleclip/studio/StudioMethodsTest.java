package dev.styleclip.studio;

import static dev.styleclip.studio.OpenStudio.await;
import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.Safetensors;
import dev.styleclip.studio.service.EditPort.EditMethod;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.CompareViewModel;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import java.util.List;
import javafx.scene.chart.XYChart;
import javafx.scene.chart.LineChart;
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
 * The studio's other edit methods and photo inversion, driven headless through the real compute thread on the tiny
 * golden networks: a latent mapper applied and its strength changed, global directions prepared and applied with a
 * β × α grid, a recipe saved and applied to another face, a photo aligned and inverted by projection.
 */
@ExtendWith(ApplicationExtension.class)
class StudioMethodsTest {
    private final Deque<Path> answers = new ArrayDeque<>();
    private Path dir;
    private OpenStudio studio;
    private MainWindow window;
    private String oldCache;

    @Start
    void start(Stage stage) throws Exception {
        dir = Files.createTempDirectory("studio-methods");
        oldCache = System.getProperty("styleclip.cache");
        System.setProperty("styleclip.cache", dir.resolve("cache").toString());
        Path models = OpenStudio.tinyModels(dir);
        Files.copy(Golden.set("encoder").resolve("models/restyle_e4e_tiny_a.pt"), models.resolve("restyle_e4e_tiny.pt"));
        studio = OpenStudio.open(stage, models, "methods", new ScriptedDialogs(answers));
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
        if (oldCache == null) System.clearProperty("styleclip.cache");
        else System.setProperty("styleclip.cache", oldCache);
    }

    private static void idle(StudioViewModel vm) throws Exception {
        await("the compute thread", () -> !vm.status().busyProperty().get() && !vm.document().renderingStack() && !vm.run().editRunningProperty().get());
    }

    private void select(FxRobot robot, String id) {
        TabPane tabs = robot.lookup("#side-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(tabs.getTabs().stream().filter(t -> id.equals(t.getId())).findFirst().orElseThrow()));
    }

    private static void type(FxRobot robot, String id, String text) {
        TextField f = robot.lookup(id).queryAs(TextField.class);
        robot.interact(() -> {
            f.setText(text);
            f.fireEvent(new javafx.event.ActionEvent());
        });
    }

    @SuppressWarnings("unchecked")
    private static void method(FxRobot robot, EditMethod m) {
        ComboBox<EditMethod> c = robot.lookup("#method").queryAs(ComboBox.class);
        robot.interact(() -> c.setValue(m));
    }

    /** A randomly initialised mapper for the tiny generator (16 ws × 32), saved as train-mapper saves it. */
    private Path mapperFile(String prompt) throws Exception {
        Path f = dir.resolve("mappers/" + prompt.replace(' ', '-') + "/mapper.safetensors");
        Files.createDirectories(f.getParent());
        try (NDManager m = NDManager.newBaseManager(); LevelsMapper lm = LevelsMapper.create(16, 32, new boolean[]{true, true, true}, 3, m)) {
            Safetensors.write(f, lm.stateDict(""), Map.of("prompt", prompt));
        }
        return f;
    }

    @Test
    void mapperStepRecipeAndGrid(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        type(robot, "#seed-field", "3");
        robot.clickOn("#generate");
        idle(vm);
        var source = vm.document().current();
        assertNotNull(source.base());

        // the Edit tab, method "latent mapper": the mapper's own settings replace the optimisation's
        select(robot, "tab-edit");
        method(robot, EditMethod.MAPPER);
        assertTrue(robot.lookup("#mapper-settings").query().isVisible());
        assertFalse(robot.lookup("#optimisation-settings").query().isVisible());
        assertTrue(robot.lookup("#run").queryButton().isDisabled(), "no mapper chosen yet");
        answers.add(mapperFile("a person with purple hair"));
        robot.clickOn("#open-mapper");
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(robot.lookup("#run").queryButton().isDisabled());
        type(robot, "#mapper-strength-field", "0.3");
        robot.clickOn("#run");
        idle(vm);
        assertEquals(1, vm.document().editStack().size(), () -> vm.status().notices().toString());
        RecipeStep step = vm.document().editStack().get(0);
        assertInstanceOf(RecipeStep.Mapper.class, step);
        assertEquals("a person with purple hair", step.label(), "the mapper's prompt names the step");
        assertEquals(0.3, step.strength(), 1e-12);
        assertNotEquals(source.base(), vm.document().current().composed(), "the mapper moved the latent");
        assertNotSame(source.current(), vm.document().current().current());
        // face-api's second opinion next to the ArcFace score (the tiny generator draws colour patches: no face)
        assertTrue(studio.backend.edit().faceApiAvailable(), "the tests install face-api's networks");
        await("the face check", () -> !vm.live().faceCheckProperty().get().isEmpty());
        assertTrue(vm.live().faceCheckProperty().get().startsWith("face-api: no face found in either picture"),
                vm.live().faceCheckProperty().get());
        assertTrue(robot.lookup("#face-check").query().isVisible());

        // strength 0 in the stack = the source again; undo brings 0.3 back
        robot.interact(() -> vm.stack().setStrength(0, 0));
        idle(vm);
        assertEquals(source.base(), vm.document().current().composed());
        robot.interact(vm.document()::undo);
        assertEquals(0.3, vm.document().editStack().get(0).strength(), 1e-12);

        // a λ_delta grid: one cell per strength, each scored
        type(robot, "#grid-strengths", "0, 0.2, 0.5");
        robot.clickOn("#run-grid");
        await("the grid", () -> !vm.compare().runningProperty().get() && vm.compare().cells().size() == 3
                && vm.compare().cells().stream().allMatch(c -> "done".equals(c.stateProperty().get())));
        for (CompareViewModel.Cell c : vm.compare().cells()) {
            assertTrue(c.captionProperty().get().contains("CLIP"), c.captionProperty().get());
        }
        robot.clickOn("#promote-best");
        idle(vm);
        assertEquals(2, vm.document().editStack().size());

        // save the stack as a recipe and apply it to another face
        Path recipe = dir.resolve("recipes/purple.json");
        answers.add(recipe);
        robot.clickOn("#save-recipe");
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(Files.exists(recipe), () -> vm.status().notices().toString());
        type(robot, "#seed-field", "4");
        robot.clickOn("#generate");
        idle(vm);
        assertTrue(vm.document().editStack().isEmpty());
        answers.add(recipe);
        robot.clickOn("#open-recipe");
        idle(vm);
        assertEquals(2, vm.document().editStack().size(), () -> vm.status().notices().toString());
        assertEquals(4, vm.document().current().source().seed());
        assertNotEquals(vm.document().current().base(), vm.document().current().composed());
    }

    @Test
    void globalDirectionsPreparedAppliedAndGridded(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        type(robot, "#seed-field", "5");
        robot.clickOn("#generate");
        idle(vm);
        select(robot, "tab-edit");
        method(robot, EditMethod.GLOBAL_DIRECTION);
        assertTrue(robot.lookup("#direction-settings").query().isVisible());
        assertFalse(vm.directions().infoProperty().get().prepared());

        // running before the preparation: a clear notice, nothing changes
        robot.interact(() -> vm.edit().promptProperty().set("a smiling face"));
        robot.clickOn("#run");
        idle(vm);
        assertTrue(vm.document().editStack().isEmpty());
        assertTrue(vm.status().notices().get(vm.status().notices().size() - 1).text().contains("not prepared"), vm.status().notices().toString());

        // prepare over 2 faces in float32 (float64, the default, is what DirectionsGoldenTest checks), with progress
        assertEquals(dev.styleclip.edit.directions.Precision.FLOAT64, vm.directions().precisionProperty().get());
        type(robot, "#directions-images-field", "2");
        @SuppressWarnings("unchecked")
        ComboBox<dev.styleclip.edit.directions.Precision> precision = robot.lookup("#directions-precision").queryAs(ComboBox.class);
        robot.interact(() -> precision.setValue(dev.styleclip.edit.directions.Precision.FLOAT32));
        robot.clickOn("#prepare-directions");
        // a sweep of the 331 channels: minutes on a slow machine
        await("the preparation", () -> !vm.directions().preparingProperty().get(), 600);
        assertTrue(vm.directions().infoProperty().get().folder().getFileName().toString().endsWith("-float32"),
                vm.directions().infoProperty().get().toString());
        assertTrue(vm.directions().infoProperty().get().prepared(), () -> vm.status().notices().toString());

        // apply: a direction step at α, β as set
        type(robot, "#alpha-field", "4");
        type(robot, "#beta-field", "0.05");
        robot.clickOn("#run");
        idle(vm);
        assertEquals(1, vm.document().editStack().size(), () -> vm.status().notices().toString());
        RecipeStep.Direction d = assertInstanceOf(RecipeStep.Direction.class, vm.document().editStack().get(0));
        assertEquals(4, d.strength(), 1e-12);
        assertEquals("a face → a smiling face", d.label());
        assertEquals(0.05, ((Number) d.settings().get("beta")).doubleValue(), 1e-12);
        assertNotSame(vm.document().history().states().get(0).current(), vm.document().current().current());
        assertEquals(vm.document().current().base(), vm.document().current().composed(), "a StyleSpace edit leaves the W latent alone");

        // a β × α grid
        type(robot, "#grid-betas", "0.02, 0.08");
        type(robot, "#grid-alphas", "-4, 4");
        robot.clickOn("#run-grid");
        await("the grid", () -> !vm.compare().runningProperty().get() && vm.compare().cells().size() == 4
                && vm.compare().cells().stream().allMatch(c -> "done".equals(c.stateProperty().get())));
        assertEquals(2, vm.compare().rowLabels().size());
    }

    @Test
    void photoInvertedByTheEncoderByDefault(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        assertTrue(vm.source().encoderAvailable());
        assertEquals(PhotoInversion.Method.ENCODER, vm.source().invertMethodProperty().get(), "the encoder is the default when installed");
        importPhotoWithEyesAndMouth(robot, vm);
        // face-api's boxes come with their 68 landmarks, drawn over the photo
        var faces = vm.source().photoProperty().get().faces();
        assertFalse(faces.isEmpty(), "face-api finds the face");
        assertEquals(68, faces.get(0).landmarks().length);
        assertEquals(68 * faces.size(), robot.lookup(".landmark").queryAll().size(), "the landmarks are drawn");
        robot.clickOn("#invert");
        await("the inversion", () -> !vm.source().invertingProperty().get());
        assertTrue(vm.document().hasLatentProperty().get(), () -> vm.status().notices().toString());
        String report = vm.source().inversionReportProperty().get();
        assertTrue(report.startsWith(PhotoInversion.Method.ENCODER.label()) && report.contains("LPIPS") && report.contains("identity"), report);
        assertTrue(vm.live().stepProperty().get() >= 1, "one frame per encoder iteration");
        assertTrue(vm.live().currentLabelProperty().get().startsWith("reconstruction"), vm.live().currentLabelProperty().get());
        assertTrue(vm.live().beforeLabelProperty().get().startsWith("aligned photo"), vm.live().beforeLabelProperty().get());
    }

    @Test
    void photoInvertedByProjection(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        importPhotoWithEyesAndMouth(robot, vm);
        robot.interact(() -> vm.source().invertMethodProperty().set(PhotoInversion.Method.PROJECTION));
        type(robot, "#invert-steps-field", "3");
        robot.clickOn("#invert");
        await("the inversion", () -> !vm.source().invertingProperty().get());
        assertTrue(vm.document().hasLatentProperty().get(), () -> vm.status().notices().toString());
        assertEquals("photo", vm.document().current().source().kind());
        assertEquals(32, vm.document().current().current().width());
        assertTrue(vm.source().inversionReportProperty().get().contains("LPIPS"), vm.source().inversionReportProperty().get());
        assertTrue(vm.live().stepProperty().get() >= 1, "frames arrived");
        assertFalse(robot.lookup("#run").queryButton().isDisabled(), "the inverted face can be edited");
        @SuppressWarnings("unchecked")
        LineChart<Number, Number> chart = robot.lookup("#loss-chart").queryAs(LineChart.class);
        assertEquals(List.of("total", "lpips"), chart.getData().stream().map(XYChart.Series::getName).toList(),
                "the legend names what an inversion plots");

        // Cancel (the button, not only Esc) while the inversion waits for the compute thread: the face stays
        var inverted = vm.document().current();
        type(robot, "#invert-steps-field", "1000");
        try (AutoCloseable gate = studio.holdComputeThread()) {
            robot.clickOn("#invert");
            assertTrue(vm.source().invertingProperty().get());
            robot.clickOn("#invert-cancel");
        }
        await("the cancel", () -> !vm.source().invertingProperty().get());
        assertSame(inverted, vm.document().current());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.title().equals("Cancelled")), () -> vm.status().notices().toString());
        assertTrue(robot.lookup("#invert-cancel").queryButton().isDisabled());
    }

    /** Imports the golden faces set's photo and clicks its eyes and mouth corners (four points: manual alignment). */
    private static void importPhotoWithEyesAndMouth(FxRobot robot, StudioViewModel vm) throws Exception {
        Path photo = Golden.set("faces").resolve("images/douglass.png");
        robot.interact(() -> vm.source().importPhoto(photo));
        await("the photo", () -> !vm.status().busyProperty().get() && vm.source().photoProperty().get() != null);
        int w = vm.source().photoProperty().get().photo().width(), h = vm.source().photoProperty().get().photo().height();
        robot.interact(() -> {
            vm.source().addPoint(0.38 * w, 0.40 * h);
            vm.source().addPoint(0.62 * w, 0.40 * h);
            vm.source().addPoint(0.41 * w, 0.68 * h);
            vm.source().addPoint(0.59 * w, 0.68 * h);
        });
    }
}
