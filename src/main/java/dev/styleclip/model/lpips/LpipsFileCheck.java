package dev.styleclip.model.lpips;

import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.runtime.models.ContentCheck;
import dev.styleclip.runtime.models.ModelEntry;

/**
 * The installer's check of LPIPS's two files ({@code META-INF/services}): the VGG16 trunk is built with the bundled lin
 * layers, the lin layers with a trunk of VGG16's real widths (random weights: only the shapes meet), so either file of
 * another network, or of other widths, is refused before it lands.
 */
public final class LpipsFileCheck implements ContentCheck {

    @Override
    public void check(ModelEntry entry, Checkpoint file) throws ModelFileException {
        ModelRole role = entry.role();
        if (role == ModelRole.VGG16) {
            try (Lpips ignored = Lpips.load(file.main(), Lpips.bundledLin())) {
                // built: a 3-channel conv trunk whose taps the published lin layers accept
            }
        } else if (role == ModelRole.LPIPS) {
            try (Lpips ignored = Lpips.load(Lpips.syntheticVgg16(Lpips.VGG16_WIDTHS, 0L), file.main())) {
                // built: one lin layer per VGG16 tap, of its width
            }
        }
    }
}
