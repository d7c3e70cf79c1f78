package dev.styleclip.studio.viewmodel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The Mapper tab's trained mappers: listed, opened from elsewhere, remembered, applied to the current face. */
class MapperLibraryViewModelTest {
    @TempDir
    Path tmp;
    private MapperTab tab;
    private MapperLibraryViewModel library;

    @BeforeEach
    void setUp() throws Exception {
        tab = new MapperTab(tmp);
        library = tab.library;
    }

    @AfterEach
    void tearDown() throws Exception {
        tab.close();
    }

    @Test
    void openAndApplyAMapper() throws Exception {
        assertEquals(0.1, library.strength().get(), 1e-12, "λ_delta defaults to the training value");
        tab.settings.promptProperty().set("sad");
        tab.small(1, 1);
        tab.run.train();
        Path trained = library.selectedProperty().get().file();
        // a mapper elsewhere (as `train-mapper --out` writes it) is opened, listed and remembered
        Path other = tmp.resolve("elsewhere/bald");
        Files.createDirectories(other);
        Files.copy(trained, other.resolve("mapper.safetensors"));
        assertTrue(library.open(other));
        assertEquals(2, library.mappers().size());
        assertEquals(other.resolve("mapper.safetensors"), library.selectedProperty().get().file());
        assertEquals(2, tab.reopen().mapperLibrary().mappers().size());
        Path bad = Files.writeString(tmp.resolve("bad.safetensors"), "nope");
        assertFalse(library.open(bad));
        assertEquals(Notice.Level.ERROR, tab.last().level());
        assertEquals(2, library.mappers().size());

        assertFalse(library.canApplyProperty().get(), "no face yet");
        tab.vm.source().generate();
        assertTrue(library.canApplyProperty().get());
        library.strength().set(0.5);
        library.applySelected();
        var document = tab.vm.document();
        assertEquals(1, document.editStack().size(), () -> tab.vm.status().notices().toString());
        var step = assertInstanceOf(dev.styleclip.edit.recipe.RecipeStep.Mapper.class, document.editStack().get(0));
        assertEquals(0.5, step.strength());
        assertEquals(other.resolve("mapper.safetensors").toAbsolutePath().normalize(), step.file());
        assertEquals(0.5, document.current().composed().values()[0] - document.current().base().values()[0], 1e-6);
    }

    @Test
    void aMapperTrainedElsewhereIsListedAndSelected() {
        tab.settings.promptProperty().set("sad");
        tab.small(1, 1);
        Path elsewhere = tmp.resolve("somewhere/sad-run");
        tab.settings.chooseFolder(elsewhere);
        tab.run.train();
        assertEquals(elsewhere.resolve("mapper.safetensors"), library.selectedProperty().get().file());
        assertEquals(1, tab.reopen().mapperLibrary().mappers().size(), "remembered");
    }
}
