package dev.styleclip.runtime.models;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Extracts regular files under one folder of a .tar.gz (ustar, GNU long names and pax paths); nothing else is written. */
public final class TarGz {

    private TarGz() {
    }

    /**
     * Extracts every regular file whose path starts with {@code prefix} (e.g. {@code package/model/}) into {@code dest},
     * keeping the rest of its path. Paths that would leave {@code dest} are refused.
     * @return the extracted files
     */
    public static List<Path> extract(Path archive, String prefix, Path dest) throws IOException {
        List<Path> out = new ArrayList<>();
        Path root = dest.toAbsolutePath().normalize();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(archive), 1 << 16)) {
            byte[] header = new byte[512];
            String longName = null;
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512) throw new IOException("truncated tar archive");
                if (allZero(header)) break;
                String name = longName != null ? longName : name(header);
                longName = null;
                char type = (char) header[156];
                long size = octal(header, 124, 12);
                if (type == 'L' || type == 'x') {
                    byte[] data = in.readNBytes((int) Math.min(size, 1 << 20));
                    skip(in, size - data.length + pad(size));
                    longName = type == 'L' ? cString(data, 0, data.length) : paxPath(data);
                    continue;
                }
                if ((type == '0' || type == 0) && name.startsWith(prefix) && name.length() > prefix.length()) {
                    Path target = root.resolve(name.substring(prefix.length())).normalize();
                    if (!target.startsWith(root)) throw new IOException("archive entry leaves the target folder: " + name);
                    Files.createDirectories(target.getParent());
                    try (OutputStream o = Files.newOutputStream(target)) {
                        copy(in, o, size);
                    }
                    skip(in, pad(size));
                    out.add(target);
                } else {
                    skip(in, size + pad(size));
                }
            }
        }
        return out;
    }

    private static String paxPath(byte[] data) {
        String s = new String(data, StandardCharsets.UTF_8);
        for (String line : s.split("\n")) {
            int sp = line.indexOf(' ');
            if (sp > 0 && line.startsWith("path=", sp + 1)) return line.substring(sp + 6);
        }
        return null;
    }

    private static String name(byte[] h) {
        String n = cString(h, 0, 100);
        String magic = cString(h, 257, 6);
        if (magic.startsWith("ustar")) {
            String p = cString(h, 345, 155);
            if (!p.isEmpty()) n = p + "/" + n;
        }
        return n;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] b, int off, int len) throws IOException {
        if ((b[off] & 0x80) != 0) { // base-256 (GNU) for large sizes
            long v = b[off] & 0x7f;
            for (int i = 1; i < len; i++) v = (v << 8) | (b[off + i] & 0xff);
            return v;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (c == 0 || c == ' ') {
                if (v > 0 || i > off) break;
                continue;
            }
            if (c < '0' || c > '7') throw new IOException("corrupt tar header");
            v = v * 8 + (c - '0');
        }
        return v;
    }

    private static long pad(long size) {
        return (512 - size % 512) % 512;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) if (x != 0) return false;
        return true;
    }

    private static void copy(InputStream in, OutputStream out, long n) throws IOException {
        byte[] buf = new byte[1 << 16];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) throw new IOException("truncated tar archive");
            out.write(buf, 0, r);
            n -= r;
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        while (n > 0) {
            long s = in.skip(n);
            if (s <= 0) {
                if (in.read() < 0) throw new IOException("truncated tar archive");
                s = 1;
            }
            n -= s;
        }
    }
}
