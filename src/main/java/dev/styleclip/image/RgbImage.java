package dev.styleclip.image;

import java.util.Objects;

/**
 * An 8-bit RGB image: {@code rgb} holds {@code height × width × 3} unsigned bytes, row-major, channel fastest (R, G, B).
 * No colour management anywhere: the bytes are the file's samples.
 *
 * <p>What Pillow would also know about the file, for the code that must resample as Pillow does
 * ({@code model.clip.ClipPreprocess}): its alpha channel ({@code alpha}, {@code height × width} unsigned bytes, null when
 * there is none; the RGB samples are then the un-composited colours, as {@code convert("RGB")} gives them) and whether
 * it is a palette image ({@code indexed}). {@link Images#read} composites alpha itself and hands out plain images; only
 * {@link Images#withAlpha} keeps the two.
 */
public record RgbImage(int width, int height, byte[] rgb, byte[] alpha, boolean indexed) {
    public RgbImage {
        Objects.requireNonNull(rgb, "rgb");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("rgb has " + rgb.length + " bytes, expected " + (long) width * height * 3);
        }
        if (alpha != null && alpha.length != rgb.length / 3) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " bytes, expected " + rgb.length / 3);
        }
    }

    /** An opaque, non-palette RGB image. */
    public RgbImage(int width, int height, byte[] rgb) {
        this(width, height, rgb, null, false);
    }

    public static RgbImage blank(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    /** An opaque image from packed {@code 0xRRGGBB} ints, row-major (the bits above 24 are ignored). */
    public static RgbImage fromPackedRgb(int width, int height, int[] packed) {
        if ((long) width * height != packed.length) {
            throw new IllegalArgumentException("packed has " + packed.length + " pixels, expected " + (long) width * height);
        }
        byte[] rgb = new byte[packed.length * 3];
        for (int i = 0, j = 0; i < packed.length; i++, j += 3) {
            int p = packed[i];
            rgb[j] = (byte) (p >>> 16);
            rgb[j + 1] = (byte) (p >>> 8);
            rgb[j + 2] = (byte) p;
        }
        return new RgbImage(width, height, rgb);
    }

    /** Whether the image carries an alpha channel. */
    public boolean hasAlpha() {
        return alpha != null;
    }

    /** The same colours without alpha and palette information (this image when it has neither). */
    public RgbImage plain() {
        return alpha == null && !indexed ? this : new RgbImage(width, height, rgb);
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

    /** A copy of the rectangle [x, x+w) × [y, y+h) (must lie inside the image), alpha and palette flag included. */
    public RgbImage crop(int x, int y, int w, int h) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > width || y + h > height) {
            throw new IllegalArgumentException("crop " + x + "," + y + " " + w + "x" + h + " outside " + width + "x" + height);
        }
        byte[] out = new byte[w * h * 3];
        for (int r = 0; r < h; r++) System.arraycopy(rgb, ((y + r) * width + x) * 3, out, r * w * 3, w * 3);
        byte[] a = null;
        if (alpha != null) {
            a = new byte[w * h];
            for (int r = 0; r < h; r++) System.arraycopy(alpha, (y + r) * width + x, a, r * w, w);
        }
        return new RgbImage(w, h, out, a, indexed);
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
