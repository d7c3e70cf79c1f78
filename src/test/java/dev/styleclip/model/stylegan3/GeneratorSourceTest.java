package dev.styleclip.model.stylegan3;

import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A generator's picture size, read from its architecture without building it. */
class GeneratorSourceTest {
    @TempDir
    Path tmp;

    @Test
    void resolutionOfTheDemoArchitecturesAndOfAFile() throws Exception {
        assertEquals(256, GeneratorSource.demo("stylegan3-t-256").resolution());
        assertEquals(512, GeneratorSource.demo("stylegan3-r-512").resolution());
        assertEquals(1024, GeneratorSource.demo("stylegan3-t-1024").resolution());
        assertEquals(32, GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3t-32.pkl")).resolution());
        assertEquals(32, GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3r-32.pkl")).resolution());
    }

    @Test
    void aFileThatIsNoGeneratorSaysSo() throws Exception {
        Path bad = Files.writeString(tmp.resolve("sg3.pkl"), "not a pickle");
        ModelFileException e = assertThrows(ModelFileException.class, () -> GeneratorSource.file(bad).resolution());
        assertTrue(e.getMessage().contains("sg3.pkl"), e.getMessage());
    }
}
