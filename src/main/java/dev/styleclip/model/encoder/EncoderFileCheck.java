package dev.styleclip.model.encoder;

import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.runtime.models.ContentCheck;
import dev.styleclip.runtime.models.ModelEntry;

/**
 * The installer's check of a ReStyle checkpoint ({@code META-INF/services}): its options must name an encoder kind we
 * build, and the encoder is built from the file as inversion will build it, then released. The decoder is judged at
 * use, against the generator the user pairs it with (a checkpoint trained on another generator is legitimate there).
 */
public final class EncoderFileCheck implements ContentCheck {

    @Override
    public void check(ModelEntry entry, Checkpoint file) throws ModelFileException {
        if (entry.role() != ModelRole.ENCODER) return;
        try (RestyleEncoder ignored = RestyleEncoder.load(file.main(), RestyleInversion.kind(file))) {
            // built: backbone and style heads fit each other
        }
    }
}
