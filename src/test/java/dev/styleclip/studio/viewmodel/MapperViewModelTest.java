package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.runtime.models.ModelCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.*;

/** The Mapper tab's view model over the synchronous fake backend (which writes checkpoints like the real job). */
class MapperViewModelTest {
    @TempDir
    Path tmp;
    private Preferences node;
    private FakeBackend backend;
    private StudioViewModel vm;
    private MapperViewModel m;

    @BeforeEach
    void setUp() throws Exception {
        node = Preferences.userRoot().node("/dev/styleclip/test/mapper-" + System.nanoTime());
        backend = new FakeBackend();
        Files.createDirectories(tmp.resolve("models"));
        vm = newViewModel();
        m = vm.mapper();
    }

    private StudioViewModel newViewModel() {
        return new StudioViewModel(backend, new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run),
                new StudioPrefs(node));
    }

    @AfterEach
    void tearDown() throws Exception {
        node.removeNode();
    }

    private Notice last() {
        return vm.status().notices().get(vm.status().notices().size() - 1);
    }

    private void small(int epochs, int steps) {
        m.epochs().set(epochs);
        m.stepsPerEpoch().set(steps);
        m.batch().set(2);
    }

    @Test
    void defaultsAreTheJobsCpuDefaultsAndTheHintSaysSo() {
        assertEquals(10, m.epochs().get());
        assertEquals(8, m.stepsPerEpoch().get());
        assertEquals(2, m.batch().get());
        assertEquals(0.01, m.lr().get(), 1e-12);
        assertEquals(0.3, m.lambdaL2().get(), 1e-12);
        assertEquals(0.06, m.lambdaId().get(), 1e-12);
        assertEquals(0.2, m.plateauFactor().get(), 1e-12);
        assertEquals(10, m.plateauPatience().get());
        assertEquals(0.1, m.library().strength().get(), 1e-12, "λ_delta defaults to the training value");
        for (var p : m.numbers()) assertFalse(p.outsideSafeRange(), p.name());
        String hint = m.hintProperty().get();
        assertTrue(hint.contains("100 epochs at batch 20"), hint);
        assertTrue(hint.contains("10 epochs × 8 steps × batch 2"), hint);
        assertTrue(hint.contains("not measured yet"), hint);
        assertTrue(m.coarseProperty().get() && m.mediumProperty().get() && m.fineProperty().get());
    }

    @Test
    void thePromptAndFolderFollowTheEditTabUntilChosen() {
        vm.edit().promptProperty().set("a person with purple hair");
        assertEquals("a person with purple hair", m.effectivePrompt());
        assertEquals(tmp.resolve("mappers").toAbsolutePath(), m.mappersRoot());
        assertEquals(m.mappersRoot().resolve("a-person-with-purple-hair"), m.folderProperty().get());
        m.promptProperty().set("Bald, öld!");
        assertEquals(m.mappersRoot().resolve("bald-old"), m.folderProperty().get());
        assertTrue(m.stateProperty().get().startsWith("new mapper"), m.stateProperty().get());
        Path mine = tmp.resolve("mine");
        m.chooseFolder(mine);
        m.promptProperty().set("sad");
        assertEquals(mine, m.folderProperty().get(), "a chosen folder stays");
        assertEquals(mine.toString(), newViewModel().mapper().folderProperty().get().toString(), "and is remembered");
        m.useDefaultFolder();
        assertEquals(m.mappersRoot().resolve("sad"), m.folderProperty().get());
    }

    @Test
    void trainingShowsLossesSamplesAndListsTheMapper() {
        m.promptProperty().set("sad");
        small(3, 4);
        List<String> jobLines = new ArrayList<>();
        vm.status().jobProperty().addListener((o, a, b) -> jobLines.add(b));
        m.train();
        assertFalse(m.runningProperty().get());
        assertEquals("training mapper “sad”", jobLines.get(0), "the status bar says what runs");
        assertTrue(jobLines.contains("training mapper: epoch 3/3 · step 4/4 · 100 ms/step"), jobLines.toString());
        assertEquals("idle", vm.status().jobProperty().get());
        assertEquals(12, m.losses("total").size(), "one loss point per step");
        assertEquals(12, m.losses("id").size());
        assertEquals(3, m.samplesProperty().get(), "one sample grid per epoch");
        assertNotNull(m.sampleProperty().get());
        assertEquals(3, m.epochsDoneProperty().get());
        assertEquals(0.01, m.lrProperty().get(), 1e-12);
        Path folder = m.mappersRoot().resolve("sad");
        assertTrue(Files.exists(folder.resolve("mapper.safetensors")) && Files.exists(folder.resolve("checkpoint.json")));
        assertEquals(1, m.library().mappers().size());
        assertEquals("sad", m.library().selectedProperty().get().prompt());
        assertEquals(folder.resolve("mapper.safetensors"), m.library().selectedProperty().get().file());
        assertTrue(last().title().contains("Mapper trained") && last().text().contains("demo"), last().toString());
        // the fake's frames are 100 ms apart at batch 2: 50 ms per face and step, remembered for the hint
        assertEquals(50, m.msPerSampleProperty().get(), 1e-9);
        assertTrue(m.hintProperty().get().contains("an epoch at these settings takes ≈ 400 ms"), m.hintProperty().get());
        assertTrue(m.progressProperty().get().contains("epoch 3/3 · step 4/4"), m.progressProperty().get());
        assertEquals(1.0, m.progressFractionProperty().get(), 1e-12);
        assertTrue(m.stateProperty().get().contains("raise epochs"), m.stateProperty().get());
        MapperViewModel again = newViewModel().mapper();
        assertEquals(3, again.epochs().get(), "settings are remembered");
        assertEquals(50, again.msPerSampleProperty().get(), 1e-9, "and the measured time");
        assertEquals(1, again.library().mappers().size(), "the mappers folder is scanned");
    }

    @Test
    void aCancelledRunResumesFromItsLastCheckpoint() {
        m.promptProperty().set("sad");
        small(4, 2);
        backend.mapperCancelAtStep = 6; // epochs 1 and 2 done, cancelled in epoch 3
        m.train();
        assertFalse(m.runningProperty().get());
        assertTrue(last().title().contains("cancelled") && last().text().contains("epoch 2"), last().toString());
        assertEquals(2, m.checkpointProperty().get().epoch());
        assertEquals("resumes from epoch 2 of 4 in sad", m.stateProperty().get());
        backend.mapperCancelAtStep = 0;
        m.train();
        assertEquals(2, backend.mappersRun);
        assertEquals(4, m.losses("total").size(), "the resumed run starts after the checkpoint");
        assertEquals(5, m.losses("total").get(0).step());
        assertTrue(last().text().contains("(resumed)"), last().toString());
        assertEquals(4, m.checkpointProperty().get().epoch());
    }

    @Test
    void aFolderWithACheckpointIsTakenOver() {
        m.promptProperty().set("sad");
        small(3, 5);
        m.batch().set(3);
        m.fineProperty().set(false);
        backend.mapperCancelAtStep = 6;
        m.train();
        Path folder = m.folderProperty().get();
        m.promptProperty().set("");
        m.stepsPerEpoch().set(8);
        m.batch().set(2);
        m.fineProperty().set(true);
        m.chooseFolder(folder);
        assertEquals("sad", m.effectivePrompt());
        assertEquals(5, m.stepsPerEpoch().get());
        assertEquals(3, m.batch().get());
        assertFalse(m.fineProperty().get());
        assertTrue(m.stateProperty().get().startsWith("resumes from epoch 1"), m.stateProperty().get());
        assertTrue(last().text().contains("Train resumes it"), last().toString());
    }

    @Test
    void problemsAreNoticesAndLeaveTheStateAsItWas() throws Exception {
        vm.edit().promptProperty().set("");
        m.train();
        assertEquals(0, backend.mappersRun);
        assertTrue(last().text().contains("type a prompt"), last().toString());

        m.promptProperty().set("sad");
        m.coarseProperty().set(false);
        m.mediumProperty().set(false);
        m.fineProperty().set(false);
        m.train();
        assertTrue(last().text().contains("at least one"), last().toString());
        m.fineProperty().set(true);

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        m.chooseFolder(file);
        m.train();
        assertTrue(last().text().contains("is a file"), last().toString());
        assertEquals(0, backend.mappersRun);
        m.useDefaultFolder();

        // a folder trained for another prompt is not overwritten
        small(1, 2);
        m.train();
        assertEquals(1, backend.mappersRun);
        m.chooseFolder(m.mappersRoot().resolve("sad"));
        m.promptProperty().set("happy");
        assertTrue(m.stateProperty().get().contains("holds a mapper for “sad”"), m.stateProperty().get());
        m.train();
        assertEquals(1, backend.mappersRun);
        assertTrue(last().text().contains("choose another folder"), last().toString());
        m.promptProperty().set("sad");
        m.train();
        assertTrue(last().text().contains("raise epochs"), last().toString());
        assertEquals(1, backend.mappersRun);

        // divergence: an error notice, the checkpoint stays
        m.useDefaultFolder();
        m.promptProperty().set("diverge");
        m.lr().set(6);
        assertTrue(m.lr().outsideSafeRange());
        m.train();
        assertEquals(2, backend.mappersRun);
        assertEquals(Notice.Level.ERROR, last().level());
        assertTrue(last().title().contains("diverged") && last().text().contains("lower the learning rate"), last().toString());
        assertFalse(m.runningProperty().get());
    }

    @Test
    void openAndApplyAMapper() throws Exception {
        m.promptProperty().set("sad");
        small(1, 1);
        m.train();
        Path trained = m.library().selectedProperty().get().file();
        // a mapper elsewhere (as `train-mapper --out` writes it) is opened, listed and remembered
        Path other = tmp.resolve("elsewhere/bald");
        Files.createDirectories(other);
        Files.copy(trained, other.resolve("mapper.safetensors"));
        assertTrue(m.library().open(other));
        assertEquals(2, m.library().mappers().size());
        assertEquals(other.resolve("mapper.safetensors"), m.library().selectedProperty().get().file());
        assertEquals(2, newViewModel().mapper().library().mappers().size());
        Path bad = Files.writeString(tmp.resolve("bad.safetensors"), "nope");
        assertFalse(m.library().open(bad));
        assertEquals(Notice.Level.ERROR, last().level());
        assertEquals(2, m.library().mappers().size());

        assertFalse(m.library().canApplyProperty().get(), "no face yet");
        vm.source().generate();
        assertTrue(m.library().canApplyProperty().get());
        m.library().strength().set(0.5);
        m.library().applySelected();
        assertEquals(1, vm.document().editStack().size(), () -> vm.status().notices().toString());
        var step = assertInstanceOf(dev.styleclip.edit.recipe.RecipeStep.Mapper.class, vm.document().editStack().get(0));
        assertEquals(0.5, step.strength());
        assertEquals(other.resolve("mapper.safetensors").toAbsolutePath().normalize(), step.file());
        assertEquals(0.5, vm.document().current().composed().values()[0] - vm.document().current().base().values()[0], 1e-6);
    }

    @Test
    void aMapperTrainedElsewhereIsListedAndSelected() {
        m.promptProperty().set("sad");
        small(1, 1);
        Path elsewhere = tmp.resolve("somewhere/sad-run");
        m.chooseFolder(elsewhere);
        m.train();
        assertEquals(elsewhere.resolve("mapper.safetensors"), m.library().selectedProperty().get().file());
        assertEquals(1, newViewModel().mapper().library().mappers().size(), "remembered");
    }

    @Test
    void slugs() {
        assertEquals("a-person-with-purple-hair", MapperPlaces.slug("A person with purple hair!"));
        assertEquals("mapper", MapperPlaces.slug("!!!"));
        assertTrue(MapperPlaces.slug("x".repeat(100)).length() <= 60);
    }
}
