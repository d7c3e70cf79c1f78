package dev.styleclip.edit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatentFileTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsValuesAndLayout() throws Exception {
        float[] v = new float[3 * 4];
        for (int i = 0; i < v.length; i++) v[i] = i * 0.25f - 1;
        Path f = dir.resolve("w.npz");
        LatentFile.write(f, new Latent(3, 4, v));
        Latent r = LatentFile.read(f);
        assertEquals(3, r.numWs());
        assertEquals(4, r.wDim());
        assertArrayEquals(v, r.values());
        byte[] npy = LatentFile.npyBytes(r);
        String header = new String(npy, 10, npy.length - 10 - 48, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'shape': (1, 3, 4)"), header);
        assertEquals(0, (10 + (npy[8] & 0xff)) % 64, "header aligned to 64 bytes");
    }

    private Path npz(String key, int major, String descr, String shape, int nValues) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }\n";
        int pre = major == 1 ? 10 : 12;
        ByteBuffer bb = ByteBuffer.allocate(pre + dict.length() + nValues * 4).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[]{(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) bb.putShort((short) dict.length()); else bb.putInt(dict.length());
        bb.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < nValues; i++) bb.putFloat(i);
        Path f = dir.resolve(key + major + descr.replace('<', 'l').replace('>', 'b') + ".npz");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(os)) {
            z.putNextEntry(new ZipEntry(key + ".npy"));
            z.write(bb.array());
            z.closeEntry();
        }
        return f;
    }

    @Test
    void readsVersions2And3AndTwoDimensionalShapes() throws Exception {
        assertEquals(16, LatentFile.read(npz("w", 2, "<f4", "(1, 16, 2)", 32)).numWs());
        assertEquals(4, LatentFile.read(npz("w", 3, "<f4", "(4, 8)", 32)).numWs());
    }

    /** A plain {@code .npy} (np.save of the latent) is a latent too; NaN or infinite values are refused on reading. */
    @Test
    void readsPlainNpyAndRefusesNonFiniteValues() throws Exception {
        Path npz = npz("w", 1, "<f4", "(1, 2, 2)", 4);
        byte[] npy;
        try (var zip = new java.util.zip.ZipFile(npz.toFile())) {
            npy = zip.getInputStream(zip.getEntry("w.npy")).readAllBytes();
        }
        Path plain = Files.write(dir.resolve("lat00.npy"), npy);
        assertArrayEquals(new float[]{0, 1, 2, 3}, LatentFile.read(plain).values());
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN).putFloat(npy.length - 8, bad);
            Path f = Files.write(dir.resolve("bad.npy"), npy);
            IOException e = assertThrows(IOException.class, () -> LatentFile.read(f));
            assertTrue(e.getMessage().contains("not finite"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> LatentFile.write(dir.resolve("out.npz"), new Latent(1, 2, new float[]{1, bad})));
            assertTrue(!Files.exists(dir.resolve("out.npz")), "nothing written");
        }
    }

    @Test
    void refusesOtherContentWithOneLineMessages() throws Exception {
        IOException e = assertThrows(IOException.class, () -> LatentFile.read(npz("w", 1, "<f8", "(1, 2, 2)", 8)));
        assertTrue(e.getMessage().contains("float32"), e.getMessage());
        e = assertThrows(IOException.class, () -> LatentFile.read(npz("w", 1, ">f4", "(1, 2, 2)", 4)));
        assertTrue(e.getMessage().contains("<f4"), e.getMessage());
        e = assertThrows(IOException.class, () -> LatentFile.read(npz("z", 1, "<f4", "(1, 2, 2)", 4)));
        assertTrue(e.getMessage().contains("no array 'w'"), e.getMessage());
        e = assertThrows(IOException.class, () -> LatentFile.read(npz("w", 1, "<f4", "(2, 2, 2)", 8)));
        assertTrue(e.getMessage().contains("[1, num_ws, w_dim]"), e.getMessage());
        e = assertThrows(IOException.class, () -> LatentFile.read(npz("w", 1, "<f4", "(1, 2, 2)", 3)));
        assertTrue(e.getMessage().contains("data bytes"), e.getMessage());
        e = assertThrows(IOException.class, () -> LatentFile.read(npz("w", 4, "<f4", "(1, 2, 2)", 4)));
        assertTrue(e.getMessage().contains("version 4"), e.getMessage());
        Path junk = dir.resolve("junk.npz");
        Files.writeString(junk, "not a zip");
        e = assertThrows(IOException.class, () -> LatentFile.read(junk));
        assertTrue(e.getMessage().contains("not an .npz"), e.getMessage());
        e = assertThrows(IOException.class, () -> LatentFile.read(dir.resolve("missing.npz")));
        for (IOException x : new IOException[]{e}) assertTrue(!x.getMessage().contains("\n"));
    }

    @Test
    void groupsOf16AndProportionalRule() {
        assertArrayEquals(new int[]{0, 5}, WGroups.range(WGroups.Group.COARSE, 16));
        assertArrayEquals(new int[]{5, 8}, WGroups.range(WGroups.Group.MEDIUM, 16));
        assertArrayEquals(new int[]{8, 16}, WGroups.range(WGroups.Group.FINE, 16));
        assertArrayEquals(new int[]{8, 18}, WGroups.range(WGroups.Group.FINE, 18));
        assertArrayEquals(new int[]{4, 8}, WGroups.range(WGroups.Group.MEDIUM, 18));
        assertArrayEquals(new int[]{8, 12}, WGroups.range(WGroups.Group.FINE, 12));
        assertArrayEquals(new int[]{4, 8}, WGroups.range(WGroups.Group.FINE, 8));
        assertArrayEquals(new int[]{0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15},
                WGroups.indices(EnumSet.of(WGroups.Group.COARSE, WGroups.Group.FINE), 16));
        assertEquals(EnumSet.allOf(WGroups.Group.class), WGroups.parse("all"));
        assertThrows(IllegalArgumentException.class, () -> WGroups.parse("coarse,tiny"));
    }
}
