package dev.styleclip.studio.service;

import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeBatch;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** File ▸ Apply recipe to folder: a recipe run over a folder of photos and latents ({@link RecipeBatch}). */
public interface RecipeBatchPort extends StudioPort {
    /** The batch's job name: its own frames carry it ({@link RecipeBatch#isBatchFrame}), an input's work it and the input's name. */
    String BATCH_JOB = "apply recipe";

    /**
     * @param recipeFile where the recipe was read from (null: the studio's edit stack), named in the reports
     * @param force      redo the inputs whose results exist
     * @param method     how photos become latents, {@code steps} its projection steps (0: the method's default)
     */
    record RecipeBatchRequest(Recipe recipe, Path recipeFile, Path inputs, Path output, boolean force,
                              PhotoInversion.Method method, int steps) {
    }

    /**
     * Runs the recipe over the folder with the generator in use and the installed networks. Each input's outcome
     * reaches {@code each} on the FX thread as it ends, in order and before the listener hears the end (a cancelled
     * batch too: its outcomes so far came); frames are {@link RecipeBatch}'s.
     */
    Task applyRecipe(RecipeBatchRequest request, Consumer<RecipeBatch.Outcome> each, Listener<List<RecipeBatch.Outcome>> listener);
}
