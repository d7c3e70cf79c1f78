package dev.styleclip.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiFunction;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Writing tampered copies of real zip archives (torch files, TorchScript) for the tests of hostile input. */
public final class TestZips {
    private TestZips() {
    }

    /** Adds an uncompressed entry (torch's own layout). */
    public static void stored(ZipOutputStream zos, String name, byte[] data) throws IOException {
        ZipEntry n = new ZipEntry(name);
        n.setMethod(ZipEntry.STORED);
        n.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        n.setCrc(crc.getValue());
        zos.putNextEntry(n);
        zos.write(data);
        zos.closeEntry();
    }

    /**
     * A copy of {@code zip} at {@code out} whose entries are stored with the bytes {@code change(name, bytes)} gives
     * (the same bytes to keep an entry).
     */
    public static Path rewrite(Path zip, Path out, BiFunction<String, byte[], byte[]> change) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ZipFile in = new ZipFile(zip.toFile()); ZipOutputStream zos = new ZipOutputStream(bos)) {
            for (var it = in.entries().asIterator(); it.hasNext(); ) {
                ZipEntry e = it.next();
                byte[] data;
                try (InputStream s = in.getInputStream(e)) {
                    data = s.readAllBytes();
                }
                stored(zos, e.getName(), change.apply(e.getName(), data));
            }
        }
        return Files.write(out, bos.toByteArray());
    }

    /** {@code data} with every occurrence of {@code from} replaced by {@code to} (same length: pickles stay valid). */
    public static byte[] replaceAll(byte[] data, String from, String to) {
        byte[] a = from.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = to.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (a.length != b.length) throw new IllegalArgumentException("'" + from + "' and '" + to + "' differ in length");
        byte[] r = data.clone();
        for (int i = 0; i + a.length <= r.length; i++) {
            if (java.util.Arrays.equals(r, i, i + a.length, a, 0, a.length)) System.arraycopy(b, 0, r, i, b.length);
        }
        return r;
    }
}
