package dev.styleclip.model.arcface;

import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.runtime.models.ContentCheck;
import dev.styleclip.runtime.models.ModelEntry;

/**
 * The installer's check of the identity network ({@code META-INF/services}): the IR-SE backbone is built from the file
 * and must be one the identity loss accepts (3 input channels, an embedding layer), then released.
 */
public final class IdentityFileCheck implements ContentCheck {

    @Override
    public void check(ModelEntry entry, Checkpoint file) throws ModelFileException {
        if (entry.role() != ModelRole.IDENTITY) return;
        try (IrSeBackbone net = IrSeBackbone.load(file.main())) {
            if (!net.hasOutputLayer()) throw new ModelFileException(file.file(), "is an IR-SE backbone without the embedding layer the identity loss needs");
            if (net.inputChannels() != 3) throw new ModelFileException(file.file(), "is an IR-SE backbone on " + net.inputChannels() + " channels, not an RGB face network");
        }
    }
}
