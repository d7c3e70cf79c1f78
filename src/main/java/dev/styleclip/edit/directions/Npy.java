package dev.styleclip.edit.directions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * A minimal numpy {@code .npy} reader (format versions 1.0, 2.0 and 3.0): little-endian float32 / float64 arrays in C
 * order, returned as float32. Pickled object arrays, Fortran order, big-endian and other dtypes are refused with a
 * one-line message. {@link #readNpz} reads every array of an (uncompressed or deflated) {@code .npz}.
 * // TODO use edit.LatentFile for latents after merge
 */
public final class Npy {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final long MAX_VALUES = 1L << 28;

    /** An array: shape and float32 values (C order). */
    public record Array(long[] shape, float[] data) {
        public long size() {
            long n = 1;
            for (long s : shape) n *= s;
            return n;
        }
    }

    private Npy() {
    }

    public static Array read(Path file) throws IOException {
        return parse(file.toString(), Files.readAllBytes(file));
    }

    /** All arrays of an .npz, by name (without ".npy"). */
    public static Map<String, Array> readNpz(Path file) throws IOException {
        Map<String, Array> out = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream z = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = z.getNextEntry()) != null) {
                if (e.isDirectory() || !e.getName().endsWith(".npy")) continue;
                ByteArrayOutputStream bo = new ByteArrayOutputStream();
                z.transferTo(bo);
                String name = e.getName().substring(0, e.getName().length() - 4);
                out.put(name, parse(file + ":" + e.getName(), bo.toByteArray()));
            }
        }
        if (out.isEmpty()) throw new IOException(file + " is not an .npz archive with .npy arrays");
        return out;
    }

    public static Array parse(String source, byte[] b) throws IOException {
        if (b.length < 10 || (b[0] & 0xff) != 0x93 || b[1] != 'N' || b[2] != 'U' || b[3] != 'M' || b[4] != 'P' || b[5] != 'Y') {
            throw new IOException(source + " is not a numpy .npy file (bad magic)");
        }
        int major = b[6];
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int start;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            headerLen = bb.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new IOException(source + " has .npy format version " + major + ", which is not supported (1-3 are)");
        }
        if (start + headerLen > b.length) throw new IOException(source + " is truncated (header)");
        String header = new String(b, start, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            if (header.contains("'descr': [") || header.contains("'|O'")) {
                throw new IOException(source + " holds a pickled/structured object array, which is refused (save a plain float array)");
            }
            throw new IOException(source + " has an unreadable .npy header");
        }
        String descr = d.group(1);
        if (descr.equals("|O") || descr.equals("O")) {
            throw new IOException(source + " holds a pickled object array, which is refused (save a plain float32/float64 array)");
        }
        if (f.group(1).equals("True")) throw new IOException(source + " is in Fortran order; save it in C order");
        int width;
        if (descr.equals("<f4") || descr.equals("=f4")) width = 4;
        else if (descr.equals("<f8") || descr.equals("=f8")) width = 8;
        else throw new IOException(source + " has dtype " + descr + "; only little-endian float32/float64 are supported");
        String[] dims = s.group(1).split(",");
        java.util.List<Long> shape = new java.util.ArrayList<>();
        long n = 1;
        for (String dim : dims) {
            if (dim.isBlank()) continue;
            long v = Long.parseLong(dim.trim());
            if (v < 0) throw new IOException(source + " has a negative dimension");
            shape.add(v);
            n *= v;
            if (n > MAX_VALUES) throw new IOException(source + " is too large (" + n + "+ values)");
        }
        int off = start + (int) headerLen;
        if ((long) off + n * width > b.length) throw new IOException(source + " is truncated: expected " + n + " values");
        float[] data = new float[(int) n];
        for (int i = 0; i < n; i++) {
            data[i] = width == 4 ? bb.getFloat(off + 4 * i) : (float) bb.getDouble(off + 8 * i);
        }
        long[] sh = new long[shape.size()];
        for (int i = 0; i < sh.length; i++) sh[i] = shape.get(i);
        return new Array(sh, data);
    }

    /** Writes a float32 C-order .npy (version 1.0). */
    public static byte[] write(long[] shape, float[] data) {
        StringBuilder sh = new StringBuilder();
        for (long s : shape) sh.append(s).append(", ");
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + sh.substring(0, Math.max(0, sh.length() - 2)) + ")";
        String h = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h = h + " ".repeat(pad) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(10 + h.length() + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        bb.putShort((short) h.length());
        bb.put(h.getBytes(StandardCharsets.ISO_8859_1));
        for (float v : data) bb.putFloat(v);
        return bb.array();
    }
}
