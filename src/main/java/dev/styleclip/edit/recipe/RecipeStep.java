package dev.styleclip.edit.recipe;

import dev.styleclip.edit.EditRegions;

import java.nio.file.Path;
import java.util.Map;

/**
 * One edit of a stack, applied in order by {@link RecipeRenderer}: a W+ offset from latent optimisation (scaled by the
 * strength), a trained latent mapper (w + λ_delta·M(w)), or a StyleSpace global direction (s + α·direction, applied after
 * all W+ steps). A step can be switched off without losing it; its settings (prompt, λs …) and metrics travel with it.
 */
public sealed interface RecipeStep {
    /** "optimisation", "mapper" or "direction": the kind's name in recipe and session files. */
    static String kind(RecipeStep s) {
        if (s instanceof Mapper) return "mapper";
        if (s instanceof Direction) return "direction";
        return "optimisation";
    }

    String label();

    double strength();

    boolean enabled();

    Map<String, Object> settings();

    Map<String, Double> metrics();

    RecipeStep withStrength(double s);

    RecipeStep withEnabled(boolean e);

    /**
     * An offset [1, numWs, wDim] added to w, scaled by the strength. {@code regions}: the parts of the face the
     * optimisation that found it was allowed to change (null: all of it) — the mask a paste-back of its result uses.
     */
    record LatentDelta(String label, int numWs, int wDim, float[] delta, double strength, boolean enabled,
                       Map<String, Object> settings, Map<String, Double> metrics, EditRegions regions) implements RecipeStep {
        public LatentDelta {
            if (delta.length != (long) numWs * wDim) {
                throw new IllegalArgumentException("a W+ offset of " + delta.length + " values is not " + numWs + "x" + wDim);
            }
        }

        /** An offset found without regions. */
        public LatentDelta(String label, int numWs, int wDim, float[] delta, double strength, boolean enabled,
                           Map<String, Object> settings, Map<String, Double> metrics) {
            this(label, numWs, wDim, delta, strength, enabled, settings, metrics, null);
        }

        public RecipeStep withStrength(double s) {
            return new LatentDelta(label, numWs, wDim, delta, s, enabled, settings, metrics, regions);
        }

        public RecipeStep withEnabled(boolean e) {
            return new LatentDelta(label, numWs, wDim, delta, strength, e, settings, metrics, regions);
        }
    }

    /** A trained mapper: its {@code .safetensors} file or train-mapper folder; the strength is λ_delta. */
    record Mapper(String label, Path file, double strength, boolean enabled,
                  Map<String, Object> settings, Map<String, Double> metrics) implements RecipeStep {
        public RecipeStep withStrength(double s) {
            return new Mapper(label, file, s, enabled, settings, metrics);
        }

        public RecipeStep withEnabled(boolean e) {
            return new Mapper(label, file, strength, e, settings, metrics);
        }
    }

    /** A StyleSpace direction [C] (all layers' style channels, concatenated); the strength is α. */
    record Direction(String label, float[] direction, double strength, boolean enabled,
                     Map<String, Object> settings, Map<String, Double> metrics) implements RecipeStep {
        public RecipeStep withStrength(double s) {
            return new Direction(label, direction, s, enabled, settings, metrics);
        }

        public RecipeStep withEnabled(boolean e) {
            return new Direction(label, direction, strength, e, settings, metrics);
        }
    }
}
