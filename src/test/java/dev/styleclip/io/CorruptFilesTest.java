package dev.styleclip.io;

import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Item 5: truncated and bit-flipped copies of every golden model file end in a {@link ModelFileException} naming the
 * file (or, for a flip inside tensor data, a successful read) — never another exception, never an OutOfMemoryError.
 * Variants are read from memory through {@link ModelFiles#open(Path, ByteBuffer)} (the same code as for a mapped file);
 * a few are also written to disk and read through {@link ModelFiles#open(Path)}. Seeded, so failures reproduce.
 */
class CorruptFilesTest {

    static final String[] FILES = {
            "stylegan3/models/sg3r-32.pkl", "stylegan3/models/sg3t-32.pkl", "clip/models/tiny-ViT-P8-R32.pt",
            "idloss/models/irse_tiny_a.pth", "idloss/models/irse_tiny_a.zip.pth", "lpips/models/lpips_vgg_tiny_a_lin.pth",
            "lpips/models/lpips_vgg_tiny_a_vgg16.pth", "lpips/models/real_v0.1/vgg.pth", "encoder/models/restyle_e4e_tiny_a.pt",
            "encoder/models/restyle_psp_tiny_a.pt",
            // extra fixtures written by torch itself (deflated zip entries, scripted module, non-contiguous views)
            "../readers-variants/variants.deflated.pth", "../readers-variants/scripted.pt",
            "../readers-variants/variants.legacy-p4.pth", "../readers-variants/checkpoint.zip.pt",
    };
    /** -Dreaders.fuzz.scale=N multiplies the variant counts (and changes the seeds) for a longer run by hand. */
    static final int SCALE = Integer.getInteger("readers.fuzz.scale", 1);
    static final int TRUNCATIONS = 130 * SCALE;
    static final int FLIPS = 130 * SCALE;
    static final java.util.Map<String, Integer> CAUSES = new java.util.concurrent.ConcurrentSkipListMap<>();

    @org.junit.jupiter.api.AfterAll
    static void report() {
        System.out.println("CorruptFilesTest: how the failures ended (checked = found by a reader's own check): " + CAUSES);
    }

    /** A golden model file (relative to the golden root) or an extra fixture ("../readers-variants/..."). */
    static Path fixture(String rel) {
        if (rel.startsWith("../readers-variants/")) return Path.of("src", "test", "resources", rel.substring(3)).toAbsolutePath();
        return Golden.root().resolve(rel);
    }

    /** Reads a variant; returns null on success, the exception otherwise; fails on anything but ModelFileException. */
    static ModelFileException read(Path name, byte[] bytes, String what) {
        try {
            Checkpoint cp = ModelFiles.open(name, ByteBuffer.wrap(bytes));
            for (TensorStore s : cp.objects().values()) {
                for (Tensor t : s.tensors()) t.data();
            }
            return null;
        } catch (ModelFileException e) {
            assertTrue(e.getMessage().contains(name.getFileName().toString()), what + ": message names the file: " + e.getMessage());
            Throwable c = e.getCause();
            if (c instanceof Error) throw new AssertionError(what + ": ended in " + c + " (sizes must be checked before allocating)", c);
            CAUSES.merge(c == null ? "checked" : c.getClass().getSimpleName(), 1, Integer::sum);
            return e;
        } catch (Throwable t) {
            throw new AssertionError(what + ": " + t, t);
        }
    }

    /** Truncation points: every byte of the first 96 and last 96, the rest evenly spread plus random. */
    static TreeSet<Integer> truncations(int size, Random rnd) {
        TreeSet<Integer> cuts = new TreeSet<>();
        for (int i = 0; i < Math.min(96, size); i++) cuts.add(i);
        for (int i = Math.max(0, size - 96); i < size; i++) cuts.add(i);
        int rest = Math.max(0, TRUNCATIONS - cuts.size() / 4);
        for (int i = 0; i < rest / 2; i++) cuts.add((int) ((long) size * i / (rest / 2)));
        for (int i = 0; i < rest / 2; i++) cuts.add(rnd.nextInt(size));
        return cuts;
    }

    @TestFactory
    Stream<DynamicTest> truncatedAndFlippedGoldenFiles() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String rel : FILES) {
            tests.add(DynamicTest.dynamicTest(rel, () -> {
                Path file = fixture(rel);
                byte[] orig = Files.readAllBytes(file);
                Random rnd = new Random(rel.hashCode() * 31L + 7 + SCALE - 1);
                int n = 0;
                for (int cut : truncations(orig.length, rnd)) {
                    byte[] v = java.util.Arrays.copyOf(orig, cut);
                    Path name = file.resolveSibling("cut" + cut + "-" + file.getFileName());
                    if (cut == 0) {
                        assertThrows(ModelFileException.class, () -> ModelFiles.open(name, ByteBuffer.wrap(v)));
                        continue;
                    }
                    if (read(name, v, rel + " truncated to " + cut) == null) fail(rel + " truncated to " + cut + " bytes was read as if complete");
                    n++;
                }
                for (int k = 0; k < FLIPS; k++) {
                    byte[] v = orig.clone();
                    int region = k % 3;
                    int pos = region == 0 ? rnd.nextInt(v.length)
                            : region == 1 ? rnd.nextInt(Math.min(v.length, 32768))
                            : v.length - 1 - rnd.nextInt(Math.min(v.length, 4096));
                    int flips = 1 + rnd.nextInt(3);
                    for (int j = 0; j < flips; j++) {
                        int p = Math.min(v.length - 1, pos + rnd.nextInt(8));
                        v[p] ^= (byte) (1 << rnd.nextInt(8));
                    }
                    read(file.resolveSibling("flip" + k + "-" + file.getFileName()), v, rel + " flip " + k + " at " + pos);
                    n++;
                }
                assertTrue(n >= 200, rel + ": only " + n + " variants");
            }));
        }
        return tests.stream();
    }

    /** Every single byte position of the smallest files is cut and flipped (dense coverage of the pickle opcodes). */
    @Test
    void everyByteOfTheSmallLegacyFiles() throws Exception {
        for (String rel : new String[]{"lpips/models/lpips_vgg_tiny_a_lin.pth", "lpips/models/real_v0.1/vgg.pth"}) {
            Path file = fixture(rel);
            byte[] orig = Files.readAllBytes(file);
            for (int cut = 1; cut < orig.length; cut++) {
                if (read(file, java.util.Arrays.copyOf(orig, cut), rel + " cut " + cut) == null) fail(rel + " cut at " + cut + " read");
            }
            for (int p = 0; p < orig.length; p++) {
                byte[] v = orig.clone();
                v[p] ^= (byte) (1 << (p % 8));
                read(file, v, rel + " flip at " + p);
            }
        }
    }

    @Test
    void corruptFilesOnDiskNameTheFile(@TempDir Path dir) throws Exception {
        for (String rel : FILES) {
            byte[] orig = Files.readAllBytes(fixture(rel));
            Path f = dir.resolve("half-" + Path.of(rel).getFileName());
            Files.write(f, java.util.Arrays.copyOf(orig, orig.length / 2));
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        }
    }
}
