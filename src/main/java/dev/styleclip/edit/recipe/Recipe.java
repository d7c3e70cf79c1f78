package dev.styleclip.edit.recipe;

import java.util.List;

/**
 * An edit stack on its own, to run over other faces ({@code ./styleclip apply-recipe}, the studio's Open recipe).
 *
 * @param generator the generator the stack was made with (its file or "demo"; informative, may be null)
 * @param steps     the steps in order
 */
public record Recipe(String generator, List<RecipeStep> steps) {
    public Recipe {
        steps = List.copyOf(steps);
    }
}
