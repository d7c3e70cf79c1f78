package dev.styleclip.studio.service;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.directions.Precision;
import dev.styleclip.edit.recipe.DirectionStep;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.runtime.models.ModelRole;

import java.nio.file.Path;

/**
 * The global directions' tasks as jobs: preparing or importing the channel effects of the generator in use + CLIP
 * ({@link InstalledDirections}) and turning a text pair into a stack step ({@link DirectionStep}).
 */
final class DirectionsService implements DirectionsPort {
    private final ComputeBridge bridge;
    private final StudioNetworks networks;

    DirectionsService(ComputeBridge bridge, StudioNetworks networks) {
        this.bridge = bridge;
        this.networks = networks;
    }

    /** The directions of the generator in use (a chosen demo architecture has its own) with the installed CLIP. */
    private InstalledDirections installed() {
        return new InstalledDirections(networks.generator(), networks.file(ModelRole.CLIP));
    }

    @Override
    public DirectionsInfo directionsInfo() {
        return installed().info();
    }

    @Override
    public Task prepareDirections(int images, Precision precision, Listener<Path> listener) {
        return bridge.task("prepare global directions", installed().prepare(networks.editFiles(), images, precision), listener);
    }

    @Override
    public Task importDirections(Path folder, Listener<Path> listener) {
        return bridge.task("import global directions", installed().importPublished(folder), listener);
    }

    @Override
    public Task direction(DirectionRequest r, Listener<RecipeStep.Direction> listener) {
        EditNetworks.Files files = networks.editFiles();
        InstalledDirections installed = installed();
        DirectionStep.Request request = new DirectionStep.Request(r.neutral(), r.target(), r.alpha(), r.beta());
        return bridge.task("global direction", ctx -> DirectionStep.job(files, installed.requireResult(), request).run(ctx), listener);
    }
}
