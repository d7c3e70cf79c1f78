package dev.styleclip.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * numpy {@code .npy} / {@code .npz} files for latents (NVIDIA's {@code projector.py} writes {@code projected_w.npz} with key
 * {@code w}, shape {@code [1, num_ws, w_dim]}, float32), written and read without numpy.
 * <ul>
 *   <li>{@code .npy}: magic {@code \x93NUMPY}, version 1.0 (header length u16), 2.0 or 3.0 (u32; 3.0 = UTF-8 header),
 *       a Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (1, 16, 512), }} padded with spaces
 *       to a multiple of 64 bytes and ending in {@code \n}, then the raw data.</li>
 *   <li>{@code .npz}: a zip of {@code <key>.npy} entries (stored or deflated, as {@code np.savez} /
 *       {@code np.savez_compressed} write them).</li>
 * </ul>
 * Supported: float32 and float64 ({@code <f4}, {@code <f8}, also {@code =}/{@code |} byte-order marks on a little-endian
 * reading), C order. Refused with a one-line {@link ModelFileException}: object arrays ({@code |O}, pickled data), other
 * dtypes, big-endian data, Fortran order, truncated or inconsistent files. Writes are atomic ({@link AtomicFiles}) and
 * always produce version 1.0 headers (3.0 would only be needed for non-ASCII field names), float32 written as
 * {@code <f4}, float64 as {@code <f8}, stored (uncompressed) zip entries.
 *
 * <p>This is the latent reader/writer of {@code invert} (key {@code w}); a later {@code edit.LatentFile} can build on it.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    /** Largest array this reader accepts (elements), a guard against absurd headers. */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** One array: float32 ({@code f32 != null}) or float64 data in C order. */
    public record Array(long[] shape, float[] f32, double[] f64) {
        public Array {
            shape = shape.clone();
            if ((f32 == null) == (f64 == null)) throw new IllegalArgumentException("exactly one of f32 / f64 data");
            long n = Tensor.numel(shape);
            int len = f32 != null ? f32.length : f64.length;
            if (n != len) throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " values, got " + len);
        }

        public static Array of(float[] data, long... shape) {
            return new Array(shape, data, null);
        }

        public static Array of(double[] data, long... shape) {
            return new Array(shape, null, data);
        }

        public boolean isFloat64() {
            return f64 != null;
        }

        /** The values as float32 (float64 data rounded). */
        public float[] toFloatArray() {
            if (f32 != null) return f32.clone();
            float[] r = new float[f64.length];
            for (int i = 0; i < r.length; i++) r[i] = (float) f64[i];
            return r;
        }

        public String descr() {
            return f32 != null ? "<f4" : "<f8";
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }
    }

    private Npz() {
    }

    // ------------------------------------------------------------------ writing

    /** The bytes of one {@code .npy} file (version 1.0 header). */
    public static byte[] npyBytes(Array a) {
        long[] s = a.shape();
        StringBuilder sh = new StringBuilder("(");
        for (int i = 0; i < s.length; i++) {
            if (i > 0) sh.append(", ");
            sh.append(s[i]);
        }
        if (s.length == 1) sh.append(',');
        String shape = sh.append(')').toString();
        String dict = "{'descr': '" + a.descr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int base = MAGIC.length + 2 + 2;
        int total = base + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        int elem = a.isFloat64() ? 8 : 4;
        long n = Tensor.numel(s);
        ByteBuffer b = ByteBuffer.allocate(base + header.length() + (int) (n * elem)).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        if (a.isFloat64()) b.asDoubleBuffer().put(a.f64());
        else b.asFloatBuffer().put(a.f32());
        return b.array();
    }

    /** Writes an {@code .npz} (stored entries {@code <key>.npy}, in map order) atomically. */
    public static void write(Path file, Map<String, Array> arrays) throws IOException {
        for (String k : arrays.keySet()) {
            if (k.isEmpty() || k.contains("/") || k.contains("\\")) throw new IllegalArgumentException("bad npz key '" + k + "'");
        }
        AtomicFiles.write(file, out -> writeZip(out, arrays));
    }

    private static void writeZip(OutputStream out, Map<String, Array> arrays) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        for (Map.Entry<String, Array> e : arrays.entrySet()) {
            byte[] data = npyBytes(e.getValue());
            ZipEntry z = new ZipEntry(e.getKey() + ".npy");
            z.setMethod(ZipEntry.STORED);
            z.setSize(data.length);
            z.setCompressedSize(data.length);
            CRC32 crc = new CRC32();
            crc.update(data);
            z.setCrc(crc.getValue());
            z.setTime(315532800000L + 86_400_000L); // fixed timestamp: identical content, identical file
            zip.putNextEntry(z);
            zip.write(data);
            zip.closeEntry();
        }
        zip.finish();
        zip.flush();
    }

    /** Writes a single latent {@code w} as NVIDIA's projector does. */
    public static void writeLatent(Path file, float[] w, long... shape) throws IOException {
        Map<String, Array> m = new LinkedHashMap<>();
        m.put("w", Array.of(w, shape));
        write(file, m);
    }

    // ------------------------------------------------------------------ reading

    /** Reads an {@code .npz} (keys without {@code .npy}, in archive order) or a single {@code .npy} (key = file stem). */
    public static Map<String, Array> read(Path file) throws ModelFileException {
        return read(file, key -> true);
    }

    /**
     * As {@link #read(Path)}, parsing only the {@code .npz} entries whose key {@code wanted} accepts (a bare
     * {@code .npy} is its one array). The file is memory-mapped, not copied: an archive with thousands of other
     * arrays costs their directory entries, not their data.
     */
    public static Map<String, Array> read(Path file, java.util.function.Predicate<String> wanted) throws ModelFileException {
        ByteBuffer bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) throw new ModelFileException(file, "is larger than 2 GiB");
            bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ModelFileException(file, "does not exist");
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot be read: " + e.getMessage());
        }
        return read(String.valueOf(file), file.getFileName().toString(), bytes, wanted);
    }

    static Map<String, Array> read(String source, String fileName, ByteBuffer bytes) throws ModelFileException {
        return read(source, fileName, bytes, key -> true);
    }

    private static Map<String, Array> read(String source, String fileName, ByteBuffer bytes,
                                           java.util.function.Predicate<String> wanted) throws ModelFileException {
        Map<String, Array> out = new LinkedHashMap<>();
        if (bytes.remaining() >= MAGIC.length && startsWith(bytes, MAGIC)) {
            String stem = fileName.endsWith(".npy") ? fileName.substring(0, fileName.length() - 4) : fileName;
            out.put(stem, parseNpy(source, bytes));
            return out;
        }
        if (bytes.remaining() < 4 || bytes.get(0) != 'P' || bytes.get(1) != 'K') {
            throw new ModelFileException(source, "is not an .npz or .npy file (numpy)");
        }
        ZipArchive zip = new ZipArchive(source, bytes);
        boolean any = false;
        for (ZipArchive.Entry e : zip.entries().values()) {
            if (e.name().endsWith("/")) continue;
            any = true;
            String key = e.name().endsWith(".npy") ? e.name().substring(0, e.name().length() - 4) : e.name();
            if (!wanted.test(key)) continue;
            out.put(key, parseNpy(source + "[" + e.name() + "]", zip.bytes(e)));
        }
        if (!any) throw new ModelFileException(source, "is an empty .npz archive");
        return out;
    }

    private static boolean startsWith(ByteBuffer b, byte[] magic) {
        for (int i = 0; i < magic.length; i++) if (b.get(b.position() + i) != magic[i]) return false;
        return true;
    }

    /** Parses one {@code .npy} file's bytes. */
    public static Array parseNpy(String source, ByteBuffer raw) throws ModelFileException {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int p0 = b.position();
        int len = b.remaining();
        if (len < 10 || !startsWith(b, MAGIC)) throw new ModelFileException(source, "is not a .npy array (no \\x93NUMPY magic)");
        int major = b.get(p0 + 6) & 0xff;
        long hlen;
        int hstart;
        if (major == 1) {
            hlen = b.getShort(p0 + 8) & 0xffff;
            hstart = 10;
        } else if (major == 2 || major == 3) {
            if (len < 12) throw new ModelFileException(source, "is a truncated .npy file");
            hlen = b.getInt(p0 + 8) & 0xffffffffL;
            hstart = 12;
        } else {
            throw new ModelFileException(source, "is a .npy file of unsupported version " + major);
        }
        if (hlen > len - hstart) throw new ModelFileException(source, "is a truncated .npy file (header)");
        byte[] hb = new byte[(int) hlen];
        b.get(p0 + hstart, hb);
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new ModelFileException(source, "has a .npy header that is not a plain array header");
        }
        String descr = d.group(1);
        if (descr.contains("O")) throw new ModelFileException(source, "holds a numpy object array (pickled data), which is refused");
        int elem;
        switch (descr) {
            case "<f4", "=f4", "f4" -> elem = 4;
            case "<f8", "=f8", "f8" -> elem = 8;
            default -> throw new ModelFileException(source, "holds numpy dtype '" + descr + "'; only little-endian float32/float64 ('<f4', '<f8') are supported");
        }
        if (f.group(1).equals("True")) throw new ModelFileException(source, "is a Fortran-order array, which is not supported");
        String[] parts = s.group(1).split(",");
        long[] shape = new long[0];
        java.util.List<Long> dims = new java.util.ArrayList<>();
        for (String part : parts) {
            String t = part.trim();
            if (t.isEmpty()) continue;
            if (t.endsWith("L")) t = t.substring(0, t.length() - 1);
            try {
                long v = Long.parseLong(t);
                if (v < 0) throw new NumberFormatException();
                dims.add(v);
            } catch (NumberFormatException e) {
                throw new ModelFileException(source, "has a bad shape in its .npy header: (" + s.group(1) + ")");
            }
        }
        shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long v : shape) {
            if (v != 0 && n > MAX_ELEMENTS / v) throw new ModelFileException(source, "declares an array too large to read");
            n *= v;
        }
        if (n > MAX_ELEMENTS) throw new ModelFileException(source, "declares an array too large to read");
        long dataStart = hstart + hlen;
        long need = n * elem;
        if (len - dataStart != need) {
            throw new ModelFileException(source, "holds " + (len - dataStart) + " data bytes, its header ("
                    + descr + " " + Arrays.toString(shape) + ") needs " + need);
        }
        ByteBuffer data = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.position((int) (p0 + dataStart));
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (elem == 4) {
            float[] v = new float[(int) n];
            data.asFloatBuffer().get(v);
            return Array.of(v, shape);
        }
        double[] v = new double[(int) n];
        data.asDoubleBuffer().get(v);
        return Array.of(v, shape);
    }

    /** The {@code w} array of a latent file (npz key {@code w}, or a plain .npy), as float32 with its shape. */
    public static Array readLatent(Path file) throws ModelFileException {
        if (!Files.isRegularFile(file)) throw new ModelFileException(file, "does not exist");
        Map<String, Array> m = read(file, "w"::equals); // the other arrays of an .npz are never parsed
        Array a = m.get("w");
        // a bare .npy has no key names (read() names its one array after the file); an .npz must say which is 'w'
        String name = file.getFileName().toString();
        boolean bareNpy = m.size() == 1 && m.containsKey(name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name);
        if (a == null && bareNpy) a = m.values().iterator().next();
        if (a == null) throw new ModelFileException(file, "has no array 'w'" + (m.isEmpty() ? "" : " (it holds " + m.keySet() + ")"));
        return a;
    }
}
