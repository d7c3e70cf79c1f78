package dev.styleclip.studio.service;

import dev.styleclip.edit.WGroups;

import java.nio.file.Path;
import java.util.Set;

/** The Mapper tab's port: training a latent mapper (resumable from its folder's checkpoint). */
public interface MapperPort extends StudioPort {

    /**
     * A latent mapper to train for one prompt into {@code folder} ({@code mapper.safetensors}, {@code checkpoint.json}):
     * a folder that holds a checkpoint is resumed (same prompt, steps per epoch, batch and seed). Groups: coarse /
     * medium / fine mapped. {@code psi} / {@code seed}: truncation of the sampled w and the seed of weights and batches.
     */
    record MapperTrainRequest(String prompt, Path folder, int epochs, int stepsPerEpoch, int batch, double lr,
                              double lambdaL2, double lambdaId, Set<WGroups.Group> groups,
                              double plateauFactor, int plateauPatience, double psi, long seed) {
    }

    /**
     * A finished mapper training: the mapper file, epochs done, last epoch's mean loss and lr, whether it resumed a
     * checkpoint, and which networks it ran on ({@code networks}: one line, naming demo networks; {@code demo}: any).
     */
    record MapperTrainResult(MapperTrainRequest request, Path mapperFile, int epochsDone, double lastLoss, double lr,
                             boolean resumed, String networks, boolean demo) {
    }

    /**
     * Trains a latent mapper on the compute thread. Frames: one per step (losses "total", "clip", "l2", "id", lr,
     * metric "epoch") and one per epoch (loss "epoch_loss", the sample grid as preview: originals on top, edits at the
     * training strength below, message "epoch k/N checkpoint written"); every frame reaches the listener, in order.
     */
    Task trainMapper(MapperTrainRequest request, Listener<MapperTrainResult> listener);
}
