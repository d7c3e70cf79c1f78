package dev.styleclip.studio.service;

import java.util.Arrays;

/**
 * A W+ latent on the Java side (never an NDArray): {@code numWs × wDim} float32 values, row-major.
 * Immutable: the array is owned by this object.
 */
public record Latents(int numWs, int wDim, float[] values) {
    public Latents {
        if (numWs <= 0 || wDim <= 0 || values.length != numWs * wDim) {
            throw new IllegalArgumentException("latents " + numWs + "x" + wDim + " with " + values.length + " values");
        }
    }

    /** this + s * delta. */
    public Latents plus(Latents delta, double s) {
        check(delta);
        float[] v = values.clone();
        for (int i = 0; i < v.length; i++) v[i] += (float) (s * delta.values[i]);
        return new Latents(numWs, wDim, v);
    }

    /** this - other. */
    public Latents minus(Latents other) {
        check(other);
        float[] v = values.clone();
        for (int i = 0; i < v.length; i++) v[i] -= other.values[i];
        return new Latents(numWs, wDim, v);
    }

    public boolean sameShape(Latents o) {
        return o != null && o.numWs == numWs && o.wDim == wDim;
    }

    private void check(Latents o) {
        if (!sameShape(o)) throw new IllegalArgumentException("latent shapes differ: " + numWs + "x" + wDim + " vs "
                + (o == null ? "none" : o.numWs + "x" + o.wDim));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Latents l && l.numWs == numWs && l.wDim == wDim && Arrays.equals(l.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * numWs + wDim) + Arrays.hashCode(values);
    }
}
