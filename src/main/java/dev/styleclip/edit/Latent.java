package dev.styleclip.edit;

import java.util.Arrays;

/**
 * A W+ latent on the Java side (never an NDArray): {@code numWs × wDim} float32 values in C order, batch 1. The app's
 * one latent type: what latent files hold ({@link LatentFile}), what jobs start from and return, what the studio keeps
 * in its history. Immutable (the array is owned by this object) and always finite: a NaN or infinite latent renders
 * black and poisons every edit made from it, so none is ever made.
 */
public record Latent(int numWs, int wDim, float[] values) {

    /** A latent would hold NaN or ±Inf (an optimisation that diverged, a damaged file, an absurd strength). */
    public static final class NonFiniteException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NonFiniteException() {
            super("the latent holds values that are not finite numbers (NaN or infinity)");
        }
    }

    public Latent {
        if (numWs <= 0 || wDim <= 0 || values.length != numWs * wDim) {
            throw new IllegalArgumentException("latent " + numWs + "x" + wDim + " with " + values.length + " values");
        }
        for (float v : values) {
            if (!Float.isFinite(v)) throw new NonFiniteException();
        }
    }

    /** this + s · delta. */
    public Latent plus(Latent delta, double s) {
        check(delta);
        float[] v = values.clone();
        for (int i = 0; i < v.length; i++) v[i] += (float) (s * delta.values[i]);
        return new Latent(numWs, wDim, v);
    }

    /** this − other. */
    public Latent minus(Latent other) {
        check(other);
        float[] v = values.clone();
        for (int i = 0; i < v.length; i++) v[i] -= other.values[i];
        return new Latent(numWs, wDim, v);
    }

    public boolean sameShape(Latent o) {
        return o != null && o.numWs == numWs && o.wDim == wDim;
    }

    private void check(Latent o) {
        if (!sameShape(o)) throw new IllegalArgumentException("latent shapes differ: " + numWs + "x" + wDim + " vs "
                + (o == null ? "none" : o.numWs + "x" + o.wDim));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Latent l && l.numWs == numWs && l.wDim == wDim && Arrays.equals(l.values, values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * numWs + wDim) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Latent[" + numWs + "x" + wDim + "]";
    }
}
