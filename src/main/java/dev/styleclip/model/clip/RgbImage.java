package dev.styleclip.model.clip;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * An 8-bit RGB image as packed {@code 0xRRGGBB} ints, row-major, plus what PIL would know about the file it came from:
 * its alpha channel ({@code alpha}, 0..255 per pixel, null when the file has none) and whether it is a palette image
 * ({@code indexed}). Grey images are read as RGB with the value replicated; 16-bit samples keep their high byte (as
 * Pillow reads 16-bit RGB PNGs). {@link ClipPreprocess} uses alpha and palette the way Pillow's resize does; the RGB
 * values themselves are the un-composited colours (like {@code convert("RGB")}).
 */
public record RgbImage(int width, int height, int[] pixels, int[] alpha, boolean indexed) {

    public RgbImage {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        if (pixels.length != width * height) {
            throw new IllegalArgumentException("pixel array has " + pixels.length + " values, expected " + width * height);
        }
        if (alpha != null && alpha.length != pixels.length) {
            throw new IllegalArgumentException("alpha array has " + alpha.length + " values, expected " + pixels.length);
        }
    }

    /** An opaque, non-palette RGB image. */
    public RgbImage(int width, int height, int[] pixels) {
        this(width, height, pixels, null, false);
    }

    /** Whether the image has an alpha channel. */
    public boolean hasAlpha() {
        return alpha != null;
    }

    /** The same colours without alpha and palette information. */
    public RgbImage plain() {
        return alpha == null && !indexed ? this : new RgbImage(width, height, pixels);
    }

    /** A new image from interleaved 8-bit channel values ({@code rgb[(y*w + x)*3 + c]}). */
    public static RgbImage fromInterleaved(int width, int height, int[] rgb) {
        int[] px = new int[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = (clamp(rgb[3 * i]) << 16) | (clamp(rgb[3 * i + 1]) << 8) | clamp(rgb[3 * i + 2]);
        }
        return new RgbImage(width, height, px);
    }

    /** Channel c (0 = R, 1 = G, 2 = B) as values 0..255, row-major. */
    public int[] channel(int c) {
        int shift = 16 - 8 * c;
        int[] out = new int[pixels.length];
        for (int i = 0; i < out.length; i++) out[i] = (pixels[i] >>> shift) & 0xff;
        return out;
    }

    /** An image from three channel planes of values 0..255. */
    public static RgbImage fromChannels(int width, int height, int[] r, int[] g, int[] b) {
        int[] px = new int[width * height];
        for (int i = 0; i < px.length; i++) px[i] = (r[i] << 16) | (g[i] << 8) | b[i];
        return new RgbImage(width, height, px);
    }

    /** Converts any BufferedImage to 8-bit RGB (grey replicated, alpha dropped, 16-bit rounded to 8). */
    public static RgbImage of(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] px = new int[w * h];
        ColorModel cm = img.getColorModel();
        int[] alpha = cm.hasAlpha() ? new int[w * h] : null;
        boolean indexed = cm instanceof IndexColorModel;
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        boolean direct = !(cm instanceof IndexColorModel) && (bands == 1 || bands == 2 || bands == 3 || bands == 4)
                && cm.getColorSpace().isCS_sRGB() == (bands >= 3) && cm.getComponentSize().length == bands;
        if (direct) {
            // read stored sample values: avoids Java's colour conversion of grey images (linear-grey gamma)
            int bits = cm.getComponentSize(0);
            int[] s = new int[bands];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    r.getPixel(x, y, s);
                    int rr;
                    int gg;
                    int bb;
                    if (bands <= 2) {
                        rr = gg = bb = to8(s[0], bits);
                    } else {
                        rr = to8(s[0], bits);
                        gg = to8(s[1], bits);
                        bb = to8(s[2], bits);
                    }
                    px[y * w + x] = (rr << 16) | (gg << 8) | bb;
                    if (alpha != null) alpha[y * w + x] = to8(s[bands - 1], cm.getComponentSize(bands - 1));
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y);
                    px[y * w + x] = argb & 0xffffff;
                    if (alpha != null) alpha[y * w + x] = argb >>> 24;
                }
            }
        }
        return new RgbImage(w, h, px, indexed ? null : alpha, indexed);
    }

    private static int to8(int v, int bits) {
        if (bits == 8) return v;
        if (bits > 8) return v >>> (bits - 8);
        int max = (1 << bits) - 1;
        return (int) Math.round(v * 255.0 / max);
    }

    private static int clamp(int v) {
        return Math.max(0, Math.min(255, v));
    }
}
