package dev.styleclip.model.clip;

import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the golden sets' own PNGs with their alpha channel and palette kept, as PIL hands them to CLIP's preprocessing
 * (the app reads photos through {@code Images.read}, which composites alpha and looks palettes up).
 */
final class TestImages {
    private TestImages() {
    }

    static RgbImage read(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException(file + ": not an image");
        return Images.withAlpha(img);
    }
}
