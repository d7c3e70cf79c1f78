package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.runtime.Pixels;

import java.util.List;

/**
 * One state of the document, immutable, as the undo history keeps it: the source (settings, latent, picture), the
 * edit stack, the current picture made from them and the latent after the stack's W-space steps (both kept so undo
 * needs no recomputation).
 *
 * @param base     the source latent (null for an aligned photo not yet inverted)
 * @param edits    the edit stack, applied in order (see {@link dev.styleclip.edit.recipe.RecipeRenderer})
 * @param composed the W+ latent after the stack's W-space steps (the start of the next optimisation; what "Export
 *                 latent" writes); equals {@code base} without such steps
 */
public record Snapshot(SourceState source, Latent base, Pixels baseImage, List<RecipeStep> edits, Pixels current,
                       Latent composed, String action) {
    public Snapshot {
        edits = List.copyOf(edits);
        if (composed == null) composed = base;
    }

    /** A state without edits: the source alone. */
    public static Snapshot source(SourceState source, Latent base, Pixels image, String action) {
        return new Snapshot(source, base, image, List.of(), image, base, action);
    }

    /** The same source with another stack, picture and composed latent. */
    public Snapshot withEdits(List<RecipeStep> edits, Pixels current, Latent composed, String action) {
        return new Snapshot(source, base, baseImage, edits, current, composed, action);
    }

    /** Whether the stack holds a StyleSpace step that is switched on (then the picture is not synthesis(composed)). */
    public boolean hasStyleEdits() {
        return edits.stream().anyMatch(e -> e.enabled() && e instanceof RecipeStep.Direction);
    }
}
