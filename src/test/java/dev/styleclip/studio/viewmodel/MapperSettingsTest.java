package dev.styleclip.studio.viewmodel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The Mapper tab's training settings: defaults and hint, the folder, a checkpoint taken over, the request checked. */
class MapperSettingsTest {
    @TempDir
    Path tmp;
    private MapperTab tab;
    private MapperSettings m;

    @BeforeEach
    void setUp() throws Exception {
        tab = new MapperTab(tmp);
        m = tab.settings;
    }

    @AfterEach
    void tearDown() throws Exception {
        tab.close();
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
        for (var p : m.numbers()) assertFalse(p.outsideSafeRange(), p.name());
        String hint = m.hintProperty().get();
        assertTrue(hint.contains("100 epochs at batch 20"), hint);
        assertTrue(hint.contains("10 epochs × 8 steps × batch 2"), hint);
        assertTrue(hint.contains("Time on this device (fake): not measured yet"), hint);
        assertTrue(m.coarseProperty().get() && m.mediumProperty().get() && m.fineProperty().get());
    }

    @Test
    void thePromptAndFolderFollowTheEditTabUntilChosen() throws Exception {
        tab.vm.edit().promptProperty().set("a person with purple hair");
        assertEquals("a person with purple hair", m.effectivePrompt());
        assertEquals(tmp.resolve("mappers").toAbsolutePath(), m.mappersRoot());
        assertEquals(m.mappersRoot().resolve("a-person-with-purple-hair"), m.folderProperty().get());
        m.promptProperty().set("Bald, öld!");
        assertEquals(m.mappersRoot().resolve("bald-old"), m.folderProperty().get());
        assertTrue(m.nextRunProperty().get().startsWith("new mapper"), m.nextRunProperty().get());
        Path mine = tmp.resolve("mine");
        m.chooseFolder(mine);
        m.promptProperty().set("sad");
        assertEquals(mine, m.folderProperty().get(), "a chosen folder stays");
        assertEquals(mine.toString(), tab.reopen().mapperSettings().folderProperty().get().toString(), "and is remembered");
        m.useDefaultFolder();
        assertEquals(m.mappersRoot().resolve("sad"), m.folderProperty().get());
    }

    @Test
    void aRunsSettingsAndMeasuredTimeAreRemembered() {
        m.promptProperty().set("sad");
        tab.small(3, 4);
        tab.run.train();
        // the fake's frames are 100 ms apart at batch 2: 50 ms per face and step, remembered for the hint
        assertEquals(50, m.msPerSampleProperty().get(), 1e-9);
        assertTrue(m.hintProperty().get().contains("On this device (fake) an epoch at these settings takes ≈ 400 ms"),
                m.hintProperty().get());
        assertTrue(m.nextRunProperty().get().contains("raise epochs"), m.nextRunProperty().get());
        MapperSettings again = tab.reopen().mapperSettings();
        assertEquals(3, again.epochs().get(), "settings are remembered");
        assertEquals(50, again.msPerSampleProperty().get(), 1e-9, "and the measured time");
    }

    @Test
    void aFolderWithACheckpointIsTakenOver() {
        m.promptProperty().set("sad");
        tab.small(3, 5);
        m.batch().set(3);
        m.fineProperty().set(false);
        tab.backend.mapperCancelAtStep = 6;
        tab.run.train();
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
        assertTrue(m.nextRunProperty().get().startsWith("resumes from epoch 1"), m.nextRunProperty().get());
        assertTrue(tab.last().text().contains("Train resumes it"), tab.last().toString());
    }

    @Test
    void settingsThatCannotRunAreNoticesAndStartNothing() throws Exception {
        tab.vm.edit().promptProperty().set("");
        tab.run.train();
        assertEquals(0, tab.backend.mappersRun);
        assertTrue(tab.last().text().contains("type a prompt"), tab.last().toString());

        m.promptProperty().set("sad");
        m.coarseProperty().set(false);
        m.mediumProperty().set(false);
        m.fineProperty().set(false);
        tab.run.train();
        assertTrue(tab.last().text().contains("at least one"), tab.last().toString());
        m.fineProperty().set(true);

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        m.chooseFolder(file);
        tab.run.train();
        assertTrue(tab.last().text().contains("is a file"), tab.last().toString());
        assertEquals(0, tab.backend.mappersRun);
        m.useDefaultFolder();

        // a folder trained for another prompt is not overwritten
        tab.small(1, 2);
        tab.run.train();
        assertEquals(1, tab.backend.mappersRun);
        m.chooseFolder(m.mappersRoot().resolve("sad"));
        m.promptProperty().set("happy");
        assertTrue(m.nextRunProperty().get().contains("holds a mapper for “sad”"), m.nextRunProperty().get());
        tab.run.train();
        assertEquals(1, tab.backend.mappersRun);
        assertTrue(tab.last().text().contains("choose another folder"), tab.last().toString());
        m.promptProperty().set("sad");
        tab.run.train();
        assertTrue(tab.last().text().contains("raise epochs"), tab.last().toString());
        assertEquals(1, tab.backend.mappersRun);
    }
}
