package dev.styleclip.runtime;

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
}
