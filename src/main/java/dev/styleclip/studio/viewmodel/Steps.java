package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.WGroups;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.studio.service.EditPort.EditRequest;
import dev.styleclip.studio.service.EditPort.EditResult;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How the studio makes, names and bounds the steps of an edit stack. */
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

    /** "1 edit", "3 edits (1 off)": the steps a picture shows, and those switched off. */
    public static String count(List<RecipeStep> edits) {
        long off = edits.stream().filter(e -> !e.enabled()).count();
        long on = edits.size() - off;
        return on + (on == 1 ? " edit" : " edits") + (off > 0 ? " (" + off + " off)" : "");
    }

    /** One line: kind, label, strength, on/off. */
    public static String describe(RecipeStep s) {
        return String.format(Locale.ROOT, "%s “%s” %s %.2f%s", kind(s), s.label(), strengthName(s), s.strength(),
                s.enabled() ? "" : " (off)");
    }

    /** An optimisation result as a stack step: its W+ offset from the start latent, at strength 1. */
    static RecipeStep of(EditResult res) {
        Latent d = res.ws().minus(res.request().start());
        return new RecipeStep.LatentDelta(res.request().prompt(), d.numWs(), d.wDim(), d.values(), 1.0, true,
                settings(res.request()), res.metrics(), res.request().regions());
    }

    /** An optimisation's settings as a step records them (the recipe file's keys). */
    static Map<String, Object> settings(EditRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", r.prompt());
        m.put("method", r.method().name());
        m.put("lambda_l2", r.lambdaL2());
        m.put("lambda_id", r.lambdaId());
        m.put("lr", r.lr());
        m.put("steps", r.steps());
        m.put("schedule", r.schedule());
        // the file format's keys, one switch per group
        for (WGroups.Group g : WGroups.Group.values()) m.put(g.id(), r.groups().contains(g));
        return m;
    }
}
