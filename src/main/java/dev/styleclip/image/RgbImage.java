package dev.styleclip.image;

import java.util.Objects;

/**
 * An 8-bit RGB image: {@code rgb} holds {@code height × width × 3} unsigned bytes, row-major, channel fastest (R, G, B).
 * No colour management anywhere: the bytes are the file's samples.
 */
public record RgbImage(int width, int height, byte[] rgb) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + (long) width * height * 3);
        }
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    /** Sample of channel {@code c} (0 = R) at (x, y), 0…255. */
    public int get(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    public void set(int x, int y, int c, int v) {
        rgb[(y * width + x) * 3 + c] = (byte) v;
    }

    /** Packed 0xRRGGBB of a pixel. */
    public int packed(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | (rgb[i + 2] & 0xff);
    }

    /** All pixels as packed 0xRRGGBB ints, row-major. */
    public int[] toPackedRgb() {
        int[] out = new int[width * height];
        for (int i = 0, j = 0; i < out.length; i++, j += 3) {
            out[i] = (rgb[j] & 0xff) << 16 | (rgb[j + 1] & 0xff) << 8 | (rgb[j + 2] & 0xff);
        }
        return out;
    }

    /** A copy of the rectangle [x, x+w) × [y, y+h) (must lie inside the image). */
    public RgbImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("crop " + x + "," + y + " " + w + "x" + h + " outside " + width + "x" + height);
        }
        byte[] out = new byte[w * h * 3];
        for (int r = 0; r < h; r++) System.arraycopy(rgb, ((y + r) * width + x) * 3, out, r * w * 3, w * 3);
        return new RgbImage(w, h, out);
    }

    /** SHA-256 of the RGB bytes, lower-case hex (as the golden sets record {@code rgb_sha256}). */
    public String sha256() {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(rgb);
            StringBuilder sb = new StringBuilder();
            for (byte b : d) sb.append(String.format("%02x", b & 0xff));
            return sb.toString();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
