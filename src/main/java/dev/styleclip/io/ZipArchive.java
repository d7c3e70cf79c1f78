package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A minimal read-only zip reader over bytes in memory (or a mapped file): central directory, zip64, stored and deflated
 * entries. Stored entries (all tensor data of torch archives) are zero-copy slices; every offset and size is checked
 * against the archive's length before use.
 */
final class ZipArchive {

    record Entry(String name, int method, long compressedSize, long size, long dataOffset) {
    }

    /**
     * What all deflated entries of one archive may inflate to together: 64 MiB plus 16 times the archive's length.
     * Tensor data hardly compresses (torch stores it uncompressed; a re-zipped checkpoint shrinks by a few per cent), so
     * only a bomb reaches it — while each entry alone may legally inflate 1032:1, many of them add up to gigabytes from
     * a few megabytes, and the readers inflate every storage they are given.
     */
    static final long INFLATE_FLOOR = 64L << 20;
    static final int INFLATE_RATIO = 16;

    private final String source;
    private final ByteBuffer buf;
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private long inflated;

    ZipArchive(String source, ByteBuffer bytes) throws ModelFileException {
        this.source = source;
        this.buf = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.buf.position(0);
        readDirectory();
    }

    Map<String, Entry> entries() {
        return entries;
    }

    private ModelFileException corrupt(String what) {
        return new ModelFileException(source, "is a corrupt or truncated zip archive: " + what);
    }

    private int u16(long pos) throws ModelFileException {
        check(pos, 2);
        return buf.getShort((int) pos) & 0xffff;
    }

    private long u32(long pos) throws ModelFileException {
        check(pos, 4);
        return buf.getInt((int) pos) & 0xffffffffL;
    }

    private long i64(long pos) throws ModelFileException {
        check(pos, 8);
        return buf.getLong((int) pos);
    }

    private void check(long pos, long n) throws ModelFileException {
        if (pos < 0 || n < 0 || pos > buf.limit() || n > buf.limit() - pos) throw corrupt("offset " + pos + " + " + n + " lies outside the file");
    }

    private void readDirectory() throws ModelFileException {
        int len = buf.limit();
        long eocd = -1;
        for (long p = len - 22; p >= 0 && p >= len - 22 - 65535L; p--) {
            if (buf.getInt((int) p) == 0x06054b50) {
                eocd = p;
                break;
            }
        }
        if (eocd < 0) throw corrupt("no end-of-central-directory record");
        long count = u16(eocd + 10);
        long cdSize = u32(eocd + 12);
        long cdOffset = u32(eocd + 16);
        if (count == 0xffff || cdSize == 0xffffffffL || cdOffset == 0xffffffffL) {
            long loc = eocd - 20;
            if (loc >= 0 && u32(loc) == 0x07064b50) {
                long z = i64(loc + 8);
                if (u32(z) != 0x06064b50) throw corrupt("bad zip64 end record");
                count = i64(z + 32);
                cdSize = i64(z + 40);
                cdOffset = i64(z + 48);
            }
        }
        check(cdOffset, cdSize);
        if (count < 0 || count > cdSize / 46) throw corrupt("central directory claims " + count + " entries");
        long p = cdOffset;
        for (long i = 0; i < count; i++) {
            if (u32(p) != 0x02014b50) throw corrupt("bad central directory entry " + i);
            int method = u16(p + 10);
            long csize = u32(p + 20);
            long size = u32(p + 24);
            int nlen = u16(p + 28);
            int xlen = u16(p + 30);
            int clen = u16(p + 32);
            long local = u32(p + 42);
            check(p + 46, nlen + (long) xlen + clen);
            byte[] nb = new byte[nlen];
            buf.get((int) (p + 46), nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            long x = p + 46 + nlen;
            long xend = x + xlen;
            while (x + 4 <= xend) {
                int id = u16(x);
                int dl = u16(x + 2);
                if (x + 4 + dl > xend) break;
                if (id == 0x0001) {
                    long q = x + 4;
                    if (size == 0xffffffffL && q + 8 <= x + 4 + dl) { size = i64(q); q += 8; }
                    if (csize == 0xffffffffL && q + 8 <= x + 4 + dl) { csize = i64(q); q += 8; }
                    if (local == 0xffffffffL && q + 8 <= x + 4 + dl) { local = i64(q); }
                }
                x += 4 + dl;
            }
            if (u32(local) != 0x04034b50) throw corrupt("bad local header of '" + name + "'");
            long data = local + 30 + u16(local + 26) + u16(local + 28);
            check(data, csize);
            if (size < 0) throw corrupt("negative size of '" + name + "'");
            // two entries of one name: another reader may pick the other one (a hidden payload), so neither is trusted
            if (entries.containsKey(name)) throw corrupt("two entries are named '" + name + "'");
            entries.put(name, new Entry(name, method, csize, size, data));
            p += 46L + nlen + xlen + clen;
        }
    }

    /** The bytes of an entry: a slice for stored entries, inflated (size-checked) for deflated ones. */
    ByteBuffer bytes(Entry e) throws ModelFileException {
        ByteBuffer raw = buf.duplicate();
        raw.position((int) e.dataOffset());
        raw.limit((int) (e.dataOffset() + e.compressedSize()));
        raw = raw.slice();
        if (e.method() == 0) {
            if (e.compressedSize() != e.size()) throw corrupt("stored entry '" + e.name() + "' has two different sizes");
            return raw.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }
        if (e.method() != 8) throw corrupt("entry '" + e.name() + "' uses compression method " + e.method());
        // deflate cannot expand more than ~1032:1; refuse sizes no real entry of this length could have
        if (e.size() > Integer.MAX_VALUE - 16 || e.size() > e.compressedSize() * 1100 + 4096) {
            throw corrupt("deflated entry '" + e.name() + "' claims " + e.size() + " bytes from " + e.compressedSize());
        }
        long ceiling = INFLATE_FLOOR + (long) INFLATE_RATIO * buf.limit();
        if (e.size() > ceiling - inflated) {
            throw new ModelFileException(source, "is a zip bomb: its deflated entries would inflate to more than "
                    + (ceiling >> 20) + " MiB from a file of " + Math.max(1, buf.limit() >> 20) + " MiB");
        }
        inflated += e.size();
        byte[] out = new byte[(int) e.size()];
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(raw);
            int n = 0;
            while (n < out.length) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0) break;
                n += k;
            }
            if (n != out.length) throw corrupt("deflated entry '" + e.name() + "' is shorter than its size");
        } catch (DataFormatException ex) {
            throw corrupt("deflated entry '" + e.name() + "': " + ex.getMessage());
        } finally {
            inf.end();
        }
        return ByteBuffer.wrap(out).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }
}
