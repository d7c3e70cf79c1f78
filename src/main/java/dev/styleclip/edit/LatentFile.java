package dev.styleclip.edit;

import dev.styleclip.io.AtomicFiles;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A latent in NVIDIA's projector layout: an {@code .npz} (zip of {@code .npy} files) whose key {@code w} holds a float32
 * little-endian array {@code [1, num_ws, w_dim]} (what {@code projector.py} writes as {@code projected_w.npz}).
 *
 * <p>Reading accepts {@code .npy} format versions 1, 2 and 3, C order, dtype {@code <f4} only, and shapes {@code [1, num_ws, w_dim]} or {@code [num_ws, w_dim]}; anything else is refused with a one-line
 * message. Writing produces a stored (uncompressed) zip with one version-1 {@code w.npy}, atomically.
 */
public final class LatentFile {
    /** The key NVIDIA's projector uses. */
    public static final String KEY = "w";
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final long MAX_ELEMENTS = 1L << 26;

    private LatentFile() {
    }

    /** A latent: values in C order, shape [numWs, wDim] (batch 1). */
    public record Latent(int numWs, int wDim, float[] values) {
        public Latent {
            if (numWs <= 0 || wDim <= 0 || values.length != numWs * wDim) {
                throw new IllegalArgumentException("latent " + numWs + "x" + wDim + " with " + values.length + " values");
            }
        }
    }

    /** Reads key {@code w} of an npz file. */
    public static Latent read(Path file) throws IOException {
        byte[] npy = null;
        List<String> keys = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                String name = e.getName();
                keys.add(name.endsWith(".npy") ? name.substring(0, name.length() - 4) : name);
                if (name.equals(KEY + ".npy")) npy = readLimited(zip, file);
            }
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (ZipException e) {
            throw new IOException(file + " is not an .npz latent file (not a zip archive: " + e.getMessage() + ")");
        }
        if (keys.isEmpty()) throw new IOException(file + " is not an .npz latent file (not a zip archive of .npy arrays)");
        if (npy == null) throw new IOException(file + " has no array '" + KEY + "' (it holds " + keys + ")");
        return parseNpy(npy, file + " [" + KEY + "]");
    }

    private static byte[] readLimited(InputStream in, Path file) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            if (out.size() > MAX_ELEMENTS * 4 + 65536) throw new IOException(file + ": array '" + KEY + "' is too large for a latent");
        }
        return out.toByteArray();
    }

    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Parses one {@code .npy} payload into a latent. */
    static Latent parseNpy(byte[] b, String what) throws IOException {
        if (b.length < 10) throw new IOException(what + " is not a numpy .npy array (too short)");
        for (int i = 0; i < MAGIC.length; i++) {
            if (b[i] != MAGIC[i]) throw new IOException(what + " is not a numpy .npy array (bad magic)");
        }
        int major = b[6] & 0xff;
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int start;
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (b.length < 12) throw new IOException(what + " is truncated");
            headerLen = bb.getInt(8);
            start = 12;
        } else {
            throw new IOException(what + " uses numpy format version " + major + "." + (b[7] & 0xff) + " (only 1, 2 and 3 are read)");
        }
        if (headerLen < 0 || start + (long) headerLen > b.length) throw new IOException(what + " is truncated (header)");
        String header = new String(b, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw new IOException(what + " has an unreadable .npy header: " + header.trim());
        if (!d.group(1).equals("<f4")) {
            throw new IOException(what + " has dtype " + d.group(1) + "; a latent must be float32 little-endian (<f4)");
        }
        if (f.group(1).equals("True")) throw new IOException(what + " is stored in Fortran order; a latent must be C order");
        List<Long> dims = new ArrayList<>();
        for (String p : s.group(1).split(",")) {
            String t = p.trim();
            if (t.isEmpty()) continue;
            try {
                dims.add(Long.parseLong(t));
            } catch (NumberFormatException e) {
                throw new IOException(what + " has an unreadable shape (" + s.group(1) + ")");
            }
        }
        long numWs;
        long wDim;
        if (dims.size() == 3 && dims.get(0) == 1) {
            numWs = dims.get(1);
            wDim = dims.get(2);
        } else if (dims.size() == 2) {
            numWs = dims.get(0);
            wDim = dims.get(1);
        } else {
            throw new IOException(what + " has shape " + dims + "; a latent must be [1, num_ws, w_dim]");
        }
        if (numWs <= 0 || wDim <= 0 || numWs * wDim > MAX_ELEMENTS) throw new IOException(what + " has an invalid shape " + dims);
        int n = (int) (numWs * wDim);
        int data = start + headerLen;
        if (b.length - data != 4L * n) {
            throw new IOException(what + " holds " + (b.length - data) + " data bytes, shape " + dims + " needs " + 4L * n);
        }
        float[] v = new float[n];
        bb.position(data);
        bb.asFloatBuffer().get(v);
        return new Latent((int) numWs, (int) wDim, v);
    }

    /** The {@code .npy} bytes (format 1.0) of a float32 array [1, numWs, wDim]. */
    static byte[] npyBytes(Latent w) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, " + w.numWs() + ", " + w.wDim() + "), }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer bb = ByteBuffer.allocate(10 + header.length() + 4 * w.values().length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        bb.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (float x : w.values()) bb.putFloat(x);
        return bb.array();
    }

    /** Writes the latent as {@code w} of an npz file (atomically). */
    public static void write(Path file, Latent w) throws IOException {
        byte[] npy = npyBytes(w);
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            ZipEntry e = new ZipEntry(KEY + ".npy");
            e.setMethod(ZipEntry.STORED);
            e.setSize(npy.length);
            e.setCompressedSize(npy.length);
            CRC32 crc = new CRC32();
            crc.update(npy);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(npy);
            zip.closeEntry();
            zip.finish();
            zip.flush();
        });
    }
}
