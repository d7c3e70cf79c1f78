package dev.styleclip.studio.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Minimal NumPy {@code .npz} for latents: float32 little-endian C-order arrays, written and read back (numpy's
 * {@code np.load} reads these files). Only what the studio writes is read.
 */
public final class Npz {
    private Npz() {
    }

    /** A float32 array with its shape. */
    public record Array(int[] shape, float[] data) {
    }

    public static void write(OutputStream os, Map<String, Array> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(os);
        for (Map.Entry<String, Array> e : arrays.entrySet()) {
            zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
            zip.write(npy(e.getValue()));
            zip.closeEntry();
        }
        zip.finish();
    }

    static byte[] npy(Array a) {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < a.shape().length; i++) shape.append(a.shape()[i]).append(a.shape().length == 1 ? "," : (i + 1 < a.shape().length ? ", " : ""));
        shape.append(")");
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * a.data().length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (float f : a.data()) b.putFloat(f);
        return b.array();
    }

    public static Map<String, Array> read(Path file) throws IOException {
        Map<String, Array> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (!e.getName().endsWith(".npy")) continue;
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                zip.transferTo(bos);
                out.put(e.getName().substring(0, e.getName().length() - 4), parse(bos.toByteArray(), e.getName()));
            }
        }
        return out;
    }

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    static Array parse(byte[] bytes, String name) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || (bytes[0] & 0xff) != 0x93) throw new IOException(name + " is not a .npy array");
        int major = bytes[6];
        int hlen = major == 1 ? (b.getShort(8) & 0xffff) : b.getInt(8);
        int start = major == 1 ? 10 : 12;
        if (start + hlen > bytes.length) throw new IOException(name + ": truncated header");
        String header = new String(bytes, start, hlen, StandardCharsets.US_ASCII);
        if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
            throw new IOException(name + ": only float32 C-order arrays are read (" + header.trim() + ")");
        }
        Matcher m = SHAPE.matcher(header);
        if (!m.find()) throw new IOException(name + ": no shape in header");
        String[] parts = m.group(1).split(",");
        int[] shape = java.util.Arrays.stream(parts).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long n = 1;
        for (int d : shape) n *= d;
        if (n * 4 != bytes.length - start - hlen) throw new IOException(name + ": " + n + " values expected, file has "
                + (bytes.length - start - hlen) / 4);
        float[] data = new float[(int) n];
        b.position(start + hlen);
        b.asFloatBuffer().get(data);
        return new Array(shape, data);
    }
}
