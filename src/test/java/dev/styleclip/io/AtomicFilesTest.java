package dev.styleclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Output places are checked before work starts, and a failed write explains itself in one line and leaves nothing. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void outputPlacesThatCannotHoldFilesAreNamedUpFront() throws Exception {
        Path file = Files.writeString(dir.resolve("plain.txt"), "x");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.prepareFolder(file));
        assertEquals(file.toAbsolutePath() + ": is not a folder", e.getMessage());
        e = assertThrows(IOException.class, () -> AtomicFiles.prepareFolder(file.resolve("sub")));
        assertTrue(e.getMessage().contains("cannot be written: a file stands where a folder is needed"), e.getMessage());
        e = assertThrows(IOException.class, () -> AtomicFiles.prepareFile(dir));
        assertTrue(e.getMessage().endsWith("is a folder; a file name is needed"), e.getMessage());
        e = assertThrows(IOException.class, () -> AtomicFiles.writeString(file.resolve("x.json"), "{}"));
        assertEquals(file.toAbsolutePath() + ": is not a folder", e.getMessage());
        Path fresh = AtomicFiles.prepareFolder(dir.resolve("a/b/c"));
        assertTrue(Files.isDirectory(fresh));
        try (Stream<Path> s = Files.list(fresh)) {
            assertEquals(0, s.count(), "the probe is gone");
        }
    }

    /** The kernel's own "no space left" (from /dev/full) becomes one sentence that says the disk is full. */
    @Test
    void aFullDiskIsSaidPlainly() throws Exception {
        Path full = Path.of("/dev/full");
        IOException real = assertThrows(IOException.class, () -> Files.write(full, new byte[1 << 16]));
        IOException e = AtomicFiles.explain(dir.resolve("seed0001.png"), real);
        assertTrue(e.getMessage().endsWith("seed0001.png: cannot be written: the disk is full (no space left on device);"
                + " nothing was written"), e.getMessage());
    }

    @Test
    void aFailedWriteKeepsTheOldFileAndLeavesNoTemporary() throws Exception {
        Path f = AtomicFiles.prepareFile(dir.resolve("out.json"));
        AtomicFiles.writeString(f, "old");
        IOException boom = new IOException("the writer failed");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw boom;
        }));
        assertEquals(boom, e, "a writer's own exception passes unchanged");
        assertEquals("old", Files.readString(f));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "no .partial left");
        }
    }
}
