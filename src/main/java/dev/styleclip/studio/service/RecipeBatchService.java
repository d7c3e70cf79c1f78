package dev.styleclip.studio.service;

import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.recipe.RecipeBatch;
import javafx.application.Platform;

import java.util.List;
import java.util.function.Consumer;

/**
 * File ▸ Apply recipe to folder as a job: {@link RecipeBatch} with the generator in use and the models folder's networks
 * for photos (as the Source tab's Invert finds them). Each outcome crosses to the FX thread on its own: the bridge
 * coalesces frames, and no row of the result list may be lost.
 */
final class RecipeBatchService implements RecipeBatchPort {
    private final ComputeBridge bridge;
    private final StudioNetworks networks;

    RecipeBatchService(ComputeBridge bridge, StudioNetworks networks) {
        this.bridge = bridge;
        this.networks = networks;
    }

    @Override
    public Task applyRecipe(RecipeBatchRequest r, Consumer<RecipeBatch.Outcome> each, Listener<List<RecipeBatch.Outcome>> listener) {
        // no preview pictures: nobody watches a batch's reconstructions go by
        PhotoInversion.Settings inversion = new PhotoInversion.Settings(r.method(), r.steps() > 0 ? r.steps() : null, null,
                false, 10_000, 0);
        RecipeBatch.Request request = new RecipeBatch.Request(r.recipe(), r.recipeFile(), r.inputs(), r.output(), r.force(),
                inversion, networks.photoNetworks());
        return bridge.task(BATCH_JOB, RecipeBatch.job(request, (index, count, outcome) -> Platform.runLater(() -> each.accept(outcome))),
                listener);
    }
}
