package dev.styleclip.image;

import java.util.Objects;

/**
 * A soft mask over an image: {@code alpha} holds {@code height × width} weights in [0, 1], row-major (1 = the pixel
 * belongs to the region, 0 = it does not, in between on a feathered edge).
 */
public record AlphaMask(int width, int height, float[] alpha) {
    public AlphaMask {
        Objects.requireNonNull(alpha, "alpha");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("mask size must be positive: " + width + "x" + height);
        if ((long) width * height != alpha.length) {
            throw new IllegalArgumentException("alpha has " + alpha.length + " values, expected " + (long) width * height);
        }
    }

    /** The weight at pixel (x, y). */
    public float at(int x, int y) {
        return alpha[y * width + x];
    }
}
