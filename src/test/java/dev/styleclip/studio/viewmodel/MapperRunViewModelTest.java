package dev.styleclip.studio.viewmodel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The Mapper tab's run over the synchronous fake backend: progress, losses, samples, cancel and resume, divergence. */
class MapperRunViewModelTest {
    @TempDir
    Path tmp;
    private MapperTab tab;
    private MapperRunViewModel run;

    @BeforeEach
    void setUp() throws Exception {
        tab = new MapperTab(tmp);
        run = tab.run;
    }

    @AfterEach
    void tearDown() throws Exception {
        tab.close();
    }

    @Test
    void trainingShowsLossesSamplesAndListsTheMapper() {
        tab.settings.promptProperty().set("sad");
        tab.small(3, 4);
        List<String> jobLines = new ArrayList<>();
        tab.vm.status().jobProperty().addListener((o, a, b) -> jobLines.add(b));
        run.train();
        assertFalse(run.runningProperty().get());
        assertEquals("training mapper “sad”", jobLines.get(0), "the status bar says what runs");
        assertTrue(jobLines.contains("training mapper: epoch 3/3 · step 4/4 · 100 ms/step"), jobLines.toString());
        assertEquals("idle", tab.vm.status().jobProperty().get());
        assertEquals(12, run.losses("total").size(), "one loss point per step");
        assertEquals(12, run.losses("id").size());
        assertEquals(3, run.samplesProperty().get(), "one sample grid per epoch");
        assertNotNull(run.sampleProperty().get());
        assertEquals(3, run.epochsDoneProperty().get());
        assertEquals(0.01, run.lrProperty().get(), 1e-12);
        assertTrue(run.progressProperty().get().contains("epoch 3/3 · step 4/4"), run.progressProperty().get());
        assertEquals(1.0, run.progressFractionProperty().get(), 1e-12);
        assertEquals(tab.settings.nextRunProperty().get(), run.stateProperty().get(), "after the run: what Train would do");
        assertTrue(run.stateProperty().get().contains("raise epochs"), run.stateProperty().get());

        Path folder = tab.settings.mappersRoot().resolve("sad");
        assertTrue(Files.exists(folder.resolve("mapper.safetensors")) && Files.exists(folder.resolve("checkpoint.json")));
        assertEquals(1, tab.library.mappers().size(), "the trained mapper is listed");
        assertEquals("sad", tab.library.selectedProperty().get().prompt());
        assertEquals(folder.resolve("mapper.safetensors"), tab.library.selectedProperty().get().file());
        assertTrue(tab.last().title().contains("Mapper trained") && tab.last().text().contains("demo"), tab.last().toString());
        assertEquals(1, tab.reopen().mapperLibrary().mappers().size(), "the mappers folder is scanned at the next start");
    }

    @Test
    void whileARunHoldsTheSettingsTheFolderStaysAndTheStateIsTheRuns() {
        tab.vm.edit().promptProperty().set("sad");
        tab.small(2, 2);
        Path folder = tab.settings.folderProperty().get();
        tab.backend.hold = true;
        run.train();
        assertTrue(run.runningProperty().get());
        assertEquals("starting: loading the networks…", run.stateProperty().get());
        tab.vm.edit().promptProperty().set("happy");
        assertEquals(folder, tab.settings.folderProperty().get(), "the run writes there: the folder stays");
        tab.settings.chooseFolder(tmp.resolve("elsewhere"));
        assertEquals(folder, tab.settings.folderProperty().get(), "and cannot be chosen meanwhile");
        tab.backend.mapperCancelAtStep = 3; // epoch 1 checkpointed, cancelled in epoch 2
        tab.backend.release();
        assertFalse(run.runningProperty().get());
        assertTrue(tab.last().title().contains("cancelled") && tab.last().text().contains("checkpoint of epoch 1 is kept"),
                "the run's own folder is reported: " + tab.last());
        assertEquals(tab.settings.mappersRoot().resolve("happy"), tab.settings.folderProperty().get(),
                "after the run the folder follows the prompt again");
        assertEquals("new mapper → happy", run.stateProperty().get());
    }

    @Test
    void aCancelledRunResumesFromItsLastCheckpoint() {
        tab.settings.promptProperty().set("sad");
        tab.small(4, 2);
        tab.backend.mapperCancelAtStep = 6; // epochs 1 and 2 done, cancelled in epoch 3
        run.train();
        assertFalse(run.runningProperty().get());
        assertTrue(tab.last().title().contains("cancelled") && tab.last().text().contains("epoch 2"), tab.last().toString());
        assertEquals(2, tab.settings.checkpointProperty().get().epoch());
        assertEquals("resumes from epoch 2 of 4 in sad", run.stateProperty().get());
        tab.backend.mapperCancelAtStep = 0;
        run.train();
        assertEquals(2, tab.backend.mappersRun);
        assertEquals(4, run.losses("total").size(), "the resumed run starts after the checkpoint");
        assertEquals(5, run.losses("total").get(0).step());
        assertTrue(tab.last().text().contains("(resumed)"), tab.last().toString());
        assertEquals(4, tab.settings.checkpointProperty().get().epoch());
    }

    @Test
    void aDivergingRunIsAnErrorNotice() {
        tab.settings.promptProperty().set("diverge");
        tab.small(1, 2);
        tab.settings.lr().set(6);
        assertTrue(tab.settings.lr().outsideSafeRange());
        run.train();
        assertEquals(1, tab.backend.mappersRun);
        assertEquals(Notice.Level.ERROR, tab.last().level());
        assertTrue(tab.last().title().contains("diverged") && tab.last().text().contains("lower the learning rate"), tab.last().toString());
        assertFalse(run.runningProperty().get());
    }
}
