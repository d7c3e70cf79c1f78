package dev.styleclip.runtime;

import dev.styleclip.image.RgbImage;

import java.awt.image.BufferedImage;

/**
 * An immutable ARGB picture that crosses from the compute thread to the UI (never an NDArray).
 * The array is owned by this object: producers hand over a fresh array and consumers must not modify it.
 */
public record Pixels(int width, int height, int[] argb) {
    public Pixels {
        if (width <= 0 || height <= 0 || argb.length != width * height) {
            throw new IllegalArgumentException("pixels " + width + "x" + height + " with " + argb.length + " values");
        }
    }

    public int get(int x, int y) {
        return argb[y * width + x];
    }

    /** A decoded or computed picture as the UI shows it (opaque: alpha is dropped, as the networks see it). */
    public static Pixels of(RgbImage img) {
        int[] p = img.toPackedRgb();
        for (int i = 0; i < p.length; i++) p[i] |= 0xff000000;
        return new Pixels(img.width(), img.height(), p);
    }

    /** A rendered picture as the UI shows it (opaque). */
    public static Pixels of(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) argb[i] |= 0xff000000;
        return new Pixels(w, h, argb);
    }

    /** The picture's colours as the networks take them (alpha dropped). */
    public RgbImage toRgbImage() {
        return RgbImage.fromPackedRgb(width, height, argb);
    }
}
