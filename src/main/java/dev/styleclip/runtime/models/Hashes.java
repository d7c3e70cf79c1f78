package dev.styleclip.runtime.models;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/** Digests and content sniffing for downloaded files. */
public final class Hashes {

    private Hashes() {
    }

    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is not available", e);
        }
    }

    public static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** sha256 of a file, hex. */
    public static String sha256(Path file) throws IOException {
        return hex(digestFile(file, "SHA-256"));
    }

    public static byte[] digestFile(Path file, String algorithm) throws IOException {
        MessageDigest md = digest(algorithm);
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
        }
        return md.digest();
    }

    /** npm-style integrity string ({@code sha512-BASE64}) of a digest. */
    public static String integrity(String algorithm, byte[] digest) {
        return algorithm + "-" + Base64.getEncoder().encodeToString(digest);
    }

    /** The algorithm of an integrity string as a {@link MessageDigest} name ({@code sha512-…} gives SHA-512). */
    public static String integrityAlgorithm(String integrity) {
        int dash = integrity.indexOf('-');
        if (dash < 0) throw new IllegalArgumentException("not an integrity string: " + integrity);
        String a = integrity.substring(0, dash).toLowerCase(Locale.ROOT);
        switch (a) {
            case "sha512": return "SHA-512";
            case "sha384": return "SHA-384";
            case "sha256": return "SHA-256";
            case "sha1": return "SHA-1";
            default: throw new IllegalArgumentException("unsupported integrity algorithm " + a);
        }
    }

    /** Whether the first bytes of a file look like an HTML page (a login, quota or error page saved in its place). */
    public static boolean looksLikeHtml(byte[] head, int n) {
        int i = 0;
        // UTF-8 byte order mark
        if (n >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) i = 3;
        while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) i++;
        if (i >= n || head[i] != '<') return false;
        String s = new String(head, i, Math.min(n - i, 64), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        return s.startsWith("<!doctype") || s.startsWith("<html") || s.startsWith("<head") || s.startsWith("<body")
                || s.startsWith("<!--") || s.startsWith("<?xml") || s.startsWith("<title");
    }

    /** Whether a file starts like an HTML page. */
    public static boolean looksLikeHtml(Path file) throws IOException {
        byte[] head = new byte[256];
        int n;
        try (InputStream in = Files.newInputStream(file)) {
            n = in.readNBytes(head, 0, head.length);
        }
        return looksLikeHtml(head, n);
    }

    /** Whether a file starts with the gzip magic. */
    public static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }
}
