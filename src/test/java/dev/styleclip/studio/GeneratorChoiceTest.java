package dev.styleclip.studio;

import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.golden.Golden;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.ModelsViewModel;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.ComboBox;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two generator pickles installed: the Source tab offers both and the demo networks of the published architectures;
 * the choice regenerates the face and is remembered.
 */
@ExtendWith(ApplicationExtension.class)
class GeneratorChoiceTest {
    private OpenStudio studio;
    private MainWindow window;

    @Start
    void start(Stage stage) throws Exception {
        Path models = Files.createDirectories(Files.createTempDirectory("gen-choice").resolve("models"));
        Files.copy(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"), models.resolve("sg3t-32.pkl"));
        Files.copy(Golden.set("stylegan3").resolve("models/sg3r-32.pkl"), models.resolve("sg3r-32.pkl"));
        studio = OpenStudio.open(stage, models, "gen-choice", ScriptedDialogs.none());
        window = studio.window;
    }

    @AfterEach
    void tearDown() throws Exception {
        studio.close();
    }

    private static void await(java.util.concurrent.Callable<Boolean> c) throws Exception {
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, c);
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    @SuppressWarnings("unchecked")
    void chooseTheGeneratorAndRememberIt(FxRobot robot) throws Exception {
        StudioViewModel vm = window.viewModel();
        ComboBox<GeneratorSource> choice = robot.lookup("#generator-choice").queryAs(ComboBox.class);
        assertTrue(choice.isVisible());
        assertEquals(2 + DemoNetworks.ARCHITECTURES.size(), choice.getItems().size(), "two pickles, then every demo architecture");
        assertEquals("sg3r-32.pkl", choice.getValue().file().getFileName().toString(), "the catalog's first");
        robot.interact(vm.source()::generate);
        await(() -> vm.document().current() != null && !vm.status().busyProperty().get());
        assertEquals("sg3r-32.pkl", vm.document().current().source().generator());
        var before = vm.document().current().current();

        GeneratorSource t = choice.getItems().stream().filter(g -> !g.isDemo() && g.file().getFileName().toString().equals("sg3t-32.pkl"))
                .findFirst().orElseThrow();
        robot.interact(() -> choice.setValue(t));
        await(() -> !vm.status().busyProperty().get() && "sg3t-32.pkl".equals(vm.document().current().source().generator()));
        assertEquals("sg3t-32.pkl", vm.source().generatorLabelProperty().get());
        assertTrue(before != vm.document().current().current(), "the face was generated again with the chosen generator");
        assertEquals(t.file().toAbsolutePath().normalize().toString(), studio.node.get("models.generator", null));

        // next start: the choice is back
        studio.catalog.prefer(ModelRole.GENERATOR, null);
        assertEquals("sg3r-32.pkl", studio.backend.source().generatorLabel());
        StudioViewModel again = new StudioViewModel(studio.backend, new ModelsViewModel(studio.catalog), new StudioPrefs(studio.node));
        robot.interact(again::refreshModels);
        assertEquals("sg3t-32.pkl", again.source().generatorLabelProperty().get());

        // a demo network of a published architecture over the installed files: 256² patterns, remembered too
        GeneratorSource demo = GeneratorSource.demo("stylegan3-t-256");
        robot.interact(() -> choice.setValue(demo));
        await(() -> !vm.status().busyProperty().get() && vm.document().current().current().width() == 256);
        assertEquals(DemoNetworks.LABEL, vm.source().generatorLabelProperty().get());
        assertTrue(vm.source().demoProperty().get(), "the studio says it is a demo network");
        assertEquals("demo:stylegan3-t-256", studio.node.get("models.generator", null));
        // the edit stack renders with the chosen demo network too, not with the installed file
        var cur = vm.document().current();
        java.util.concurrent.CompletableFuture<dev.styleclip.studio.service.SourcePort.Rendered> rendered = new java.util.concurrent.CompletableFuture<>();
        robot.interact(() -> studio.backend.edit().renderStack(new dev.styleclip.studio.service.EditPort.StackRequest(cur.base(), java.util.List.of(),
                new dev.styleclip.studio.service.SourcePort.GenerateRequest(cur.source().seed(), cur.source().psi(), 0, 0, 0), null),
                new dev.styleclip.studio.service.StudioPort.Listener<>() {
                    @Override
                    public void done(dev.styleclip.studio.service.SourcePort.Rendered r) {
                        rendered.complete(r);
                    }

                    @Override
                    public void failed(Throwable error) {
                        rendered.completeExceptionally(error);
                    }
                }));
        assertEquals(256, rendered.get(120, TimeUnit.SECONDS).image().width());
    }
}
