package dev.styleclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Item 5, memory: a StyleGAN-layout pickle of ~200 MB (written here in the official layout: persistent object,
 * OrderedDict of parameters, each a {@code _load_from_bytes} legacy blob) is read by a forked JVM limited to
 * {@value #HEAP_MB} MB of heap — far less than the file — which opens it, visits every tensor's bytes and prints a
 * checksum. Works because files are memory-mapped and tensors are zero-copy slices of the mapping.
 */
class LargePickleTest {
    static final int PARAMS = 48;
    static final int N = 1 << 20; // floats per parameter (4 MB)
    static final int HEAP_MB = 48;

    /** Entry point of the forked reader: prints tensor count and the sum of all float bits. */
    public static void main(String[] args) throws Exception {
        Checkpoint cp = ModelFiles.open(Path.of(args[0]));
        long sum = 0;
        for (Tensor t : cp.main().tensors()) {
            ByteBuffer b = t.data();
            for (int i = 0; i < b.remaining(); i += 4) sum += b.getInt(i);
        }
        System.out.println("tensors=" + cp.main().size() + " sum=" + sum + " maxHeapMB=" + Runtime.getRuntime().maxMemory() / (1 << 20));
    }

    static void write(Path f) throws Exception {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(f), 1 << 20)) {
            PickleWriter w = new PickleWriter().proto(4);
            w.emptyDict().str("G_ema");
            w.global("torch_utils.persistence", "_reconstruct_persistent_obj");
            w.emptyDict().mark().str("type").str("class").str("version").i(6).str("module_src").str("# source")
                    .str("class_name").str("Big").str("state");
            w.emptyDict().mark().str("training").bool(false).str("_parameters");
            w.global("collections", "OrderedDict").emptyTuple().reduce().mark();
            os.write(w.toBytes());
            float[] v = new float[N];
            for (int p = 0; p < PARAMS; p++) {
                for (int i = 0; i < N; i++) v[i] = p + i * 1e-6f;
                os.write(new PickleWriter().str("p" + p).blobTensor(PickleWriter.legacyStorage(v), N).toBytes());
            }
            PickleWriter t = new PickleWriter().setitems();
            t.str("_buffers").global("collections", "OrderedDict").emptyTuple().reduce();
            t.str("_modules").global("collections", "OrderedDict").emptyTuple().reduce();
            t.str("_init_args").emptyTuple().str("_init_kwargs").emptyDict();
            t.setitems().setitems().tuple1().reduce().setitem().stop();
            os.write(t.toBytes());
        }
    }

    static long expectedSum() {
        long sum = 0;
        for (int p = 0; p < PARAMS; p++) for (int i = 0; i < N; i++) sum += Float.floatToRawIntBits(p + i * 1e-6f);
        return sum;
    }

    @Test
    void readsAFileFourTimesLargerThanTheHeap(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("big-snapshot.pkl");
        write(f);
        long size = Files.size(f);
        assertTrue(size > 4L * HEAP_MB << 20, "file " + size + " bytes");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx" + HEAP_MB + "m", "-cp", System.getProperty("java.class.path"),
                LargePickleTest.class.getName(), f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "forked reader finished");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("tensors=" + PARAMS + " sum=" + expectedSum() + " "), out);
    }
}
