package dev.styleclip.model.clip;

import dev.styleclip.image.RgbImage;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Preprocessing of PNG modes beyond the golden RGB images, against Pillow 9.4 results stored as PNGs. */
class ClipPreprocessTest {

    private static Path resource(String name) throws URISyntaxException {
        return Paths.get(ClipPreprocessTest.class.getResource("pil/" + name).toURI());
    }

    @Test
    void matchesPillowForAlphaGreyAndPaletteImages() throws Exception {
        String[][] cases = {{"rgba", "alpha"}, {"la", "alpha"}, {"gray", ""}, {"pal", "indexed"}, {"pal2", "indexed"}, {"rgb", ""}};
        for (String[] c : cases) {
            RgbImage img = TestImages.read(resource(c[0] + ".png"));
            assertEquals(c[1].equals("alpha"), img.hasAlpha(), c[0]);
            assertEquals(c[1].equals("indexed"), img.indexed(), c[0]);
            RgbImage expected = TestImages.read(resource(c[0] + ".clip32.png"));
            RgbImage got = ClipPreprocess.resizeAndCrop(img, 32);
            assertArrayEquals(expected.rgb(), got.rgb(), c[0]);
        }
    }

    @Test
    void geometryFollowsTorchvision() {
        assertArrayEquals(new int[]{32, 77}, ClipPreprocess.resizedSize(30, 73, 32));
        assertArrayEquals(new int[]{42, 32}, ClipPreprocess.resizedSize(40, 30, 32));
        assertArrayEquals(new int[]{0, 22}, ClipPreprocess.cropOffsets(32, 77, 32)); // round(22.5) = 22 (half to even)
        assertArrayEquals(new int[]{2, 0}, ClipPreprocess.cropOffsets(37, 32, 32)); // round(2.5) = 2
        assertArrayEquals(new int[]{4, 0}, ClipPreprocess.cropOffsets(39, 32, 32)); // round(3.5) = 4
        float[] px = ClipPreprocess.preprocess(RgbImage.fromPackedRgb(1, 1, new int[]{0xffffff}), 4);
        assertEquals(3 * 16, px.length);
        assertTrue(Math.abs(px[0] - (1f - ClipPreprocess.MEAN[0]) / ClipPreprocess.STD[0]) < 1e-6);
    }
}
