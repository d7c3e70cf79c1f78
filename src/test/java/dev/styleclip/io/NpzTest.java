package dev.styleclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpzTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsLatentAndFloat64() throws Exception {
        float[] w = new float[2 * 16 * 3];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i) * 3;
        double[] d = {1.5, -2.25, Math.PI};
        Map<String, Npz.Array> m = new LinkedHashMap<>();
        m.put("w", Npz.Array.of(w, 2, 16, 3));
        m.put("d", Npz.Array.of(d, 3));
        Path f = dir.resolve("x.npz");
        Npz.write(f, m);
        Map<String, Npz.Array> r = Npz.read(f);
        assertEquals(java.util.List.of("w", "d"), java.util.List.copyOf(r.keySet()));
        assertArrayEquals(new long[]{2, 16, 3}, r.get("w").shape());
        assertArrayEquals(w, r.get("w").f32());
        assertArrayEquals(d, r.get("d").f64());
        assertArrayEquals(w, Npz.readLatent(f).f32());
        // no partial files left beside it
        try (var s = Files.list(dir)) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void headerIsNumpyV1() {
        byte[] b = Npz.npyBytes(Npz.Array.of(new float[16 * 4], 1, 16, 4));
        String h = new String(b, 10, (b[8] & 0xff) | (b[9] & 0xff) << 8, StandardCharsets.US_ASCII);
        assertEquals("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 16, 4), }", h.trim());
        assertEquals(0, (10 + h.length()) % 64);
        assertTrue(h.endsWith("\n"));
        String h1 = new String(Npz.npyBytes(Npz.Array.of(new double[]{1}, 1)), 10, 64, StandardCharsets.US_ASCII);
        assertTrue(h1.contains("'shape': (1,)"), h1);
    }

    @Test
    void readsVersions2And3AndRefusesObjects() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f);
        for (int v : new int[]{1, 2, 3}) {
            Path f = dir.resolve("a" + v + ".npy");
            Files.write(f, HostileInputs.npy(v, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", data.array()));
            assertArrayEquals(new float[]{1f, 2f}, Npz.read(f).get("a" + v).f32());
        }
        Path o = dir.resolve("o.npy");
        Files.write(o, HostileInputs.npy(1, "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new byte[]{(byte) 0x80, 2, 'N', '.'}));
        ModelFileException e = assertThrows(ModelFileException.class, () -> Npz.read(o));
        assertTrue(e.getMessage().contains("object"), e.getMessage());
        Path be = dir.resolve("b.npy");
        Files.write(be, HostileInputs.npy(1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", data.array()));
        assertThrows(ModelFileException.class, () -> Npz.read(be));
        Path tr = dir.resolve("t.npy");
        Files.write(tr, HostileInputs.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data.array()));
        assertThrows(ModelFileException.class, () -> Npz.read(tr));
        Path junk = dir.resolve("j.npz");
        Files.writeString(junk, "hello");
        assertThrows(ModelFileException.class, () -> Npz.read(junk));
        assertThrows(ModelFileException.class, () -> Npz.read(dir.resolve("missing.npz")));
    }

    /** Files written by numpy 2.4 ({@code np.savez}, {@code np.savez_compressed}, {@code np.save}; zip64 local headers). */
    @Test
    void readsFilesWrittenByNumpy() throws Exception {
        float[] w = new float[16 * 8];
        for (int i = 0; i < w.length; i++) w[i] = i * 0.25f - 3f;
        for (String name : new String[]{"numpy_savez.npz", "numpy_savez_compressed.npz", "numpy_v1.npy"}) {
            Path f = resource(name);
            Npz.Array a = Npz.readLatent(f);
            assertArrayEquals(new long[]{1, 16, 8}, a.shape(), name);
            assertArrayEquals(w, a.f32(), name);
        }
        assertArrayEquals(new double[]{1.5, -2.0}, Npz.read(resource("numpy_savez.npz")).get("d").f64());
        ModelFileException e = assertThrows(ModelFileException.class, () -> Npz.read(resource("numpy_object.npz")));
        assertTrue(e.getMessage().contains("object"), e.getMessage());
    }

    private Path resource(String name) throws Exception {
        try (var in = NpzTest.class.getResourceAsStream(name)) {
            Path f = dir.resolve(name);
            Files.write(f, in.readAllBytes());
            return f;
        }
    }

    /**
     * A latent is read from its 'w' entry alone: the other entries of an .npz (here thousands, one of them a pickled
     * object array that a full read refuses) are never parsed, so they cost neither memory nor a refusal.
     */
    @Test
    void aLatentIsReadWithoutParsingTheOtherEntries() throws Exception {
        Path f = dir.resolve("crowded.npz");
        try (var zos = new java.util.zip.ZipOutputStream(Files.newOutputStream(f))) {
            byte[] w = Npz.npyBytes(Npz.Array.of(new float[]{1, 2, 3, 4}, 1, 2, 2));
            for (int i = 0; i < 3000; i++) {
                zos.putNextEntry(new java.util.zip.ZipEntry("extra" + i + ".npy"));
                zos.write(w);
                zos.closeEntry();
            }
            String header = "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }";
            ByteBuffer obj = ByteBuffer.allocate(10 + header.length() + 1).order(ByteOrder.LITTLE_ENDIAN);
            obj.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) (header.length() + 1))
                    .put(header.getBytes(StandardCharsets.ISO_8859_1)).put((byte) '\n');
            zos.putNextEntry(new java.util.zip.ZipEntry("evil.npy"));
            zos.write(obj.array());
            zos.closeEntry();
            zos.putNextEntry(new java.util.zip.ZipEntry("w.npy"));
            zos.write(w);
            zos.closeEntry();
        }
        assertArrayEquals(new float[]{1, 2, 3, 4}, Npz.readLatent(f).f32());
        ModelFileException e = assertThrows(ModelFileException.class, () -> Npz.read(f));
        assertTrue(e.getMessage().contains("object array"), e.getMessage());
    }
}
