package dev.styleclip.model.stylegan3;

import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.Format;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.runtime.models.ContentCheck;
import dev.styleclip.runtime.models.ModelEntry;

/**
 * The installer's check of a generator pickle ({@code META-INF/services}): its {@code G_ema} must be a StyleGAN3
 * generator that {@link StyleGan3Generator#check} accepts, so a file that reads but would not build is refused before
 * it lands in the models folder.
 */
public final class GeneratorFileCheck implements ContentCheck {

    @Override
    public void check(ModelEntry entry, Checkpoint file) throws ModelFileException {
        if (entry.role() != ModelRole.GENERATOR || file.format() != Format.STYLEGAN_PICKLE) return;
        if (!file.objects().containsKey("G_ema")) throw new ModelFileException(file.file(), "holds no G_ema network");
        StyleGan3Generator.check(file.object("G_ema"));
    }
}
