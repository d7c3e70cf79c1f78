package dev.styleclip.model.clip;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the golden sets' own PNGs with their alpha channel and palette kept, as PIL hands them to CLIP's preprocessing
 * (the app reads photos through {@code image.Images}, which drops both).
 */
final class TestImages {
    private TestImages() {
    }

    static RgbImage read(Path file) throws IOException {
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException(file + ": not an image");
        return RgbImage.of(img);
    }
}
