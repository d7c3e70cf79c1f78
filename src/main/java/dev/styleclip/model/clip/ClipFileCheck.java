package dev.styleclip.model.clip;

import dev.styleclip.runtime.models.ModelRole;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.runtime.models.ContentCheck;
import dev.styleclip.runtime.models.ModelEntry;

/**
 * The installer's check of a CLIP archive ({@code META-INF/services}): the model is built from the file exactly as the
 * studio will build it and released at once, so a TorchScript archive of another network, a ResNet CLIP or a state dict
 * with a tensor of the wrong shape is refused before it lands in the models folder.
 */
public final class ClipFileCheck implements ContentCheck {

    @Override
    public void check(ModelEntry entry, Checkpoint file) throws ModelFileException {
        if (entry.role() != ModelRole.CLIP) return;
        try (NDManager m = NDManager.newBaseManager(); ClipModel ignored = ClipModel.load(file.main(), m)) {
            // built: every tensor the inferred architecture needs is there, with its shape
        }
    }
}
