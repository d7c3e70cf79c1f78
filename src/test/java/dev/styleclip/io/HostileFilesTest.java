package dev.styleclip.io;

import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Item 4: hostile pickles (code execution via globals) are refused by the one restricted unpickler, wherever they sit:
 * top level, inside StyleGAN storage blobs, TorchScript and torch-zip data.pkl, a legacy file's object pickle.
 * Every payload would create a marker file if it ran; the marker never appears.
 */
class HostileFilesTest {

    @TempDir
    static Path dir;

    /** Globals a hostile pickle could use, (module, name). */
    static final String[][] GLOBALS = {
            {"os", "system"}, {"posix", "system"}, {"nt", "system"}, {"builtins", "eval"}, {"builtins", "exec"},
            {"builtins", "getattr"}, {"builtins", "__import__"}, {"__builtin__", "eval"}, {"subprocess", "Popen"},
            {"subprocess", "check_output"}, {"importlib", "import_module"}, {"runpy", "run_path"}, {"webbrowser", "open"},
            {"copyreg", "_reconstructor"}, {"builtins", "bytearray"}, {"decimal", "Decimal"}, {"torch", "load"},
            {"numpy", "load"}, {"pickle", "loads"}, {"shutil", "rmtree"}, {"builtins", "open"},
            // in Pyrolite's own built-in constructor table: must be refused all the same
            {"datetime", "datetime"}, {"array", "array"}, {"__builtin__", "bytearray"}, {"collections", "namedtuple"},
    };

    static Path marker(String tag) {
        return dir.resolve("marker-" + tag);
    }

    static String command(Path marker) {
        return "touch " + marker;
    }

    /** Protocol 0: GLOBAL, MARK, STRING, TUPLE, REDUCE. */
    static byte[] proto0(String module, String name, Path marker) {
        return new PickleWriter().global(module, name).mark().str0(command(marker)).tuple().reduce().stop().toBytes();
    }

    /** Protocol 2: PROTO 2, GLOBAL, BINUNICODE, TUPLE1, REDUCE. */
    static byte[] proto2(String module, String name, Path marker) {
        return new PickleWriter().proto(2).call(module, name, command(marker)).stop().toBytes();
    }

    /** Protocol 4: STACK_GLOBAL. */
    static byte[] proto4(String module, String name, Path marker) {
        return new PickleWriter().proto(4).stackGlobal(module, name).str(command(marker)).tuple1().reduce().stop().toBytes();
    }

    static void assertRefused(Path file, String qualified, Path marker) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(file), file.toString());
        assertTrue(e.getMessage().contains(qualified), "message names the global '" + qualified + "': " + e.getMessage());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), "message names the file: " + e.getMessage());
        assertFalse(Files.exists(marker), "marker must not be created");
    }

    @TestFactory
    Stream<DynamicTest> topLevelPicklesAreRefused() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] g : GLOBALS) {
            String q = g[0] + "." + g[1];
            tests.add(DynamicTest.dynamicTest("proto0 " + q, () -> {
                Path m = marker("p0-" + q);
                Path f = Files.write(dir.resolve("p0-" + q + ".pkl"), proto0(g[0], g[1], m));
                ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
                // protocol 0 does not start with PROTO: it is not even taken for a pickle
                assertTrue(e.getMessage().contains(f.getFileName().toString()), e.getMessage());
                assertFalse(Files.exists(m));
                // read as a pickle anyway (as a nested blob would be): refused by the allow-list
                ModelFileException e2 = assertThrows(ModelFileException.class, () ->
                        new Pickle(f.toString(), java.nio.ByteBuffer.wrap(Files.readAllBytes(f)), null, null).load());
                assertTrue(e2.getMessage().contains(q), e2.getMessage());
                assertFalse(Files.exists(m));
            }));
            tests.add(DynamicTest.dynamicTest("proto2 " + q, () -> {
                Path m = marker("p2-" + q);
                assertRefused(Files.write(dir.resolve("p2-" + q + ".pkl"), proto2(g[0], g[1], m)), q, m);
            }));
            tests.add(DynamicTest.dynamicTest("proto4 " + q, () -> {
                Path m = marker("p4-" + q);
                assertRefused(Files.write(dir.resolve("p4-" + q + ".pkl"), proto4(g[0], g[1], m)), q, m);
            }));
        }
        return tests.stream();
    }

    @Test
    void hostileStorageBlobInsideAStyleGanPickle() throws Exception {
        Path m = marker("sg-blob");
        byte[] blob = new PickleWriter().raw(PickleWriter.legacyHeader()).raw(proto2("os", "system", m)).toBytes();
        Path f = Files.write(dir.resolve("sg-blob.pkl"), PickleWriter.styleganPickle(blob, 1, "pass"));
        assertRefused(f, "os.system", m);
        // and a blob whose object pickle is fine but a call hides inside the persistent id tuple
        byte[] blob2 = new PickleWriter().raw(PickleWriter.legacyHeader()).proto(2).mark().str("storage")
                .call("subprocess", "Popen", command(m)).str("0").str("cpu").i(1).none().tuple().binpersid().stop().toBytes();
        Path f2 = Files.write(dir.resolve("sg-blob2.pkl"), PickleWriter.styleganPickle(blob2, 1, "pass"));
        assertRefused(f2, "subprocess.Popen", m);
    }

    @Test
    void theSyntheticStyleGanPickleReadsWhenBenign() throws Exception {
        Path f = Files.write(dir.resolve("sg-ok.pkl"), PickleWriter.styleganPickle(PickleWriter.legacyStorage(new float[]{1.5f, -2f}), 2, "pass"));
        Checkpoint cp = ModelFiles.open(f);
        assertEquals("Tiny", cp.main().metadata().get("class_name"));
        assertEquals(java.util.Map.of("n", 2), cp.main().metadata().get("init_kwargs"));
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[]{1.5f, -2f}, cp.main().get("w").toFloatArray());
    }

    @Test
    void moduleSourceIsKeptAsTextAndNeverRun() throws Exception {
        Path m = marker("module-src");
        String src = "open(" + "'" + m + "', 'w').write('pwned')\nimport os\nos.system('touch " + m + "')\n";
        Path f = Files.write(dir.resolve("sg-src.pkl"), PickleWriter.styleganPickle(PickleWriter.legacyStorage(new float[]{3f}), 1, src));
        Checkpoint cp = ModelFiles.open(f);
        assertEquals(src, cp.main().metadata().get("module_src"));
        assertFalse(Files.exists(m));
    }

    /** Rewrites a golden zip archive with its data.pkl replaced. */
    static Path replaceDataPkl(Path zip, byte[] pkl, Path out) throws Exception {
        return TestZips.rewrite(zip, out, (name, data) -> name.endsWith("/data.pkl") ? pkl : data);
    }

    @Test
    void hostileDataPklInsideATorchScriptArchive() throws Exception {
        Path m = marker("ts");
        Path f = replaceDataPkl(Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt"), proto2("builtins", "exec", m),
                dir.resolve("hostile-clip.pt"));
        assertEquals(Format.TORCHSCRIPT, ModelFiles.detect(f));
        assertRefused(f, "builtins.exec", m);
        // a TorchScript class may only be instantiated as an attribute bag, never called
        byte[] call = new PickleWriter().proto(2).call("__torch__.clip.model", "CLIP", command(m)).stop().toBytes();
        Path f2 = replaceDataPkl(Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt"), call, dir.resolve("hostile-clip2.pt"));
        assertRefused(f2, "__torch__.clip.model.CLIP", m);
    }

    @Test
    void hostileDataPklInsideATorchZipFile() throws Exception {
        Path m = marker("zip");
        Path f = replaceDataPkl(Golden.set("idloss").resolve("models/irse_tiny_a.zip.pth"), proto4("posix", "system", m),
                dir.resolve("hostile.zip.pth"));
        assertEquals(Format.TORCH_ZIP, ModelFiles.detect(f));
        assertRefused(f, "posix.system", m);
    }

    @Test
    void hostileObjectPickleInsideALegacyFile() throws Exception {
        Path m = marker("legacy");
        byte[] file = new PickleWriter().raw(PickleWriter.legacyHeader()).raw(proto2("runpy", "run_path", m)).toBytes();
        Path f = Files.write(dir.resolve("hostile-legacy.pth"), file);
        assertEquals(Format.TORCH_LEGACY, ModelFiles.detect(f));
        assertRefused(f, "runpy.run_path", m);
        // the storage-key list pickle is checked the same way
        byte[] file2 = new PickleWriter().raw(PickleWriter.legacyHeader()).proto(2).emptyDict().stop()
                .raw(proto2("nt", "system", m)).toBytes();
        Path f2 = Files.write(dir.resolve("hostile-legacy2.pth"), file2);
        assertRefused(f2, "nt.system", m);
    }

    /**
     * A torch zip with two {@code data.pkl} entries, the hostile one first: some reader (Python's zipfile takes the last,
     * others the first) would run the other one, so the archive is refused as a whole.
     */
    @Test
    void twoEntriesOfOneNameAreRefused() throws Exception {
        Path m = HostileInputs.marker(dir);
        Path f = HostileInputs.twinDataPkl(dir);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
        assertTrue(e.getMessage().contains("two entries are named") && e.getMessage().contains("data.pkl"), e.getMessage());
        assertFalse(Files.exists(m), "marker must not be created");
    }

    /**
     * A real torch zip whose storages are replaced by deflated 64 MiB runs of zeros (each legal on its own, 1000:1):
     * read naively, its storages would inflate to gigabytes from half a megabyte. The archive's inflate ceiling refuses
     * it after a few hundred MiB, in one sentence; the same file with stored storages still reads.
     */
    @Test
    void storagesThatInflateToGigabytesAreRefused() throws Exception {
        Path benign = Golden.set("idloss").resolve("models/irse_tiny_a.zip.pth");
        Path f = HostileInputs.storageBombs(dir);
        assertTrue(Files.size(f) < 4 << 20, "a few MiB on disk: " + Files.size(f));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
        assertTrue(e.getMessage().contains("is a zip bomb: its deflated entries would inflate to more than"), e.getMessage());
        assertTrue(ModelFiles.open(benign).main().size() > 0);
    }

    /**
     * "Billion laughs": 40 levels of lists each holding the previous one twice, through the pickle memo — a few hundred
     * bytes that expand to 2^40 items. Reading and inspecting it must end quickly with one clear refusal.
     */
    @Test
    void aSharedReferenceBombIsRefusedQuickly() throws Exception {
        for (Path f : new Path[]{HostileInputs.sharedReferenceListBomb(dir), HostileInputs.sharedReferenceBomb(dir)}) {
            org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(20), () -> {
                ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
                assertTrue(e.getMessage().contains("too large") || e.getMessage().contains("nested"), e.getMessage());
            });
        }
    }

    /**
     * A legacy torch.save file whose storage view starts at 2^63 − 2: an offset check written as a sum wraps round into
     * range and would hand out other bytes. Refused in one sentence, no Java exception name.
     */
    @Test
    void aViewOffsetNearTwoToTheSixtyThreeIsRefused() throws Exception {
        Path f = HostileInputs.viewOffsetOverflow(dir);
        assertEquals(Format.TORCH_LEGACY, ModelFiles.detect(f));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
        assertTrue(e.getMessage().contains("lies outside it") || e.getMessage().contains("overflows"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
    }
}
