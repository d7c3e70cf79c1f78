package dev.styleclip.studio.service;

import dev.styleclip.edit.directions.Precision;
import dev.styleclip.edit.recipe.RecipeStep;

import java.nio.file.Path;

/** Global directions: whether the channel effects are ready, preparing or importing them, a text pair as a step. */
public interface DirectionsPort extends StudioPort {

    /** A global direction in StyleSpace: neutral → target text, strength α, disentanglement threshold β. */
    record DirectionRequest(String neutral, String target, double alpha, double beta) {
    }

    /** Whether the channel effects of global directions are ready for the installed generator + CLIP. */
    record DirectionsInfo(boolean prepared, Path folder, String description) {
    }

    /** Global directions: whether they are prepared for the generator in use + the installed CLIP. */
    DirectionsInfo directionsInfo();

    /** Measures the channel effects of global directions over {@code images} faces (long; resumable; cached). */
    Task prepareDirections(int images, Precision precision, Listener<Path> listener);

    /** Takes the channel effects published by stylegan3-editing from a folder instead of measuring them. */
    Task importDirections(Path folder, Listener<Path> listener);

    /** Turns a neutral/target text pair into a StyleSpace edit step. */
    Task direction(DirectionRequest request, Listener<RecipeStep.Direction> listener);
}
