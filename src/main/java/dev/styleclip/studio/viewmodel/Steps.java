package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.recipe.RecipeStep;

import java.util.Locale;

/** How the studio names and bounds the steps of an edit stack. */
public final class Steps {
    private Steps() {
    }

    /** "optimisation", "mapper" or "direction". */
    public static String kind(RecipeStep s) {
        return RecipeStep.kind(s);
    }

    /** The name of a step's strength: scale of the W+ offset, λ_delta of a mapper, α of a direction. */
    public static String strengthName(RecipeStep s) {
        if (s instanceof RecipeStep.Mapper) return "λ_delta";
        if (s instanceof RecipeStep.Direction) return "α";
        return "×";
    }

    /** The strength slider's range for a step (the value itself is always inside). */
    public static double[] sliderRange(RecipeStep s) {
        double[] r = s instanceof RecipeStep.Mapper ? new double[]{0, 1}
                : s instanceof RecipeStep.Direction ? new double[]{-10, 10} : new double[]{-1, 2};
        return new double[]{Math.min(r[0], s.strength()), Math.max(r[1], s.strength())};
    }

    /** One line: kind, label, strength, on/off. */
    public static String describe(RecipeStep s) {
        return String.format(Locale.ROOT, "%s “%s” %s %.2f%s", kind(s), s.label(), strengthName(s), s.strength(),
                s.enabled() ? "" : " (off)");
    }
}
