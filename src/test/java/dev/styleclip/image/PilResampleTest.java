package dev.styleclip.image;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The properties of the one Pillow-exact resampler that hold whatever Pillow's numbers (those are checked bit for bit
 * by {@code ClipPreprocessTest}, {@code ClipGoldenTest}, {@code AlignGoldenTest} and the encoder goldens).
 */
class PilResampleTest {

    private static RgbImage random(int w, int h, long seed) {
        byte[] rgb = new byte[w * h * 3];
        new Random(seed).nextBytes(rgb);
        return new RgbImage(w, h, rgb);
    }

    @Test
    void constantImagesStayConstantWithEveryFilter() {
        RgbImage c = RgbImage.blank(37, 23);
        for (int i = 0; i < c.rgb().length; i += 3) {
            c.rgb()[i] = 12;
            c.rgb()[i + 1] = (byte) 200;
            c.rgb()[i + 2] = (byte) 255;
        }
        for (RgbImage r : new RgbImage[]{PilResample.resizeBicubic(c, 11, 50), PilResample.resizeBilinear(c, 11, 50),
            PilResample.resizeLanczos(c, 11, 50), PilResample.resizeNearest(c, 11, 50)}) {
            assertEquals(11, r.width());
            assertEquals(50, r.height());
            for (int i = 0; i < r.width() * r.height(); i++) assertEquals(0x0cc8ff, r.packed(i % 11, i / 11));
        }
    }

    @Test
    void bicubicOfTheSameSizeIsAPlainCopy() {
        RgbImage img = random(5, 4, 1);
        RgbImage withAlpha = new RgbImage(5, 4, img.rgb(), new byte[20], true);
        RgbImage same = PilResample.resizeBicubic(withAlpha, 5, 4);
        assertNotSame(img.rgb(), same.rgb());
        assertArrayEquals(img.rgb(), same.rgb());
        assertNull(same.alpha());
        assertFalse(same.indexed());
    }

    @Test
    void paletteImagesAreResizedNearest() {
        RgbImage img = random(9, 7, 2);
        RgbImage pal = new RgbImage(9, 7, img.rgb(), null, true);
        assertArrayEquals(PilResample.resizeNearest(img, 4, 13).rgb(), PilResample.resizeBicubic(pal, 4, 13).rgb());
        // source index floor((i + 0.5) * in / out): 9 -> 4 takes columns 1, 3, 5, 7
        RgbImage row = PilResample.resizeNearest(img, 4, 7);
        for (int x = 0; x < 4; x++) assertEquals(img.packed(2 * x + 1, 3), row.packed(x, 3));
    }

    @Test
    void alphaIsPremultipliedSoTransparentPixelsBecomeBlack() {
        RgbImage img = random(8, 8, 3);
        RgbImage transparent = PilResample.resizeBicubic(new RgbImage(8, 8, img.rgb(), new byte[64], false), 5, 3);
        assertArrayEquals(new byte[5 * 3 * 3], transparent.rgb());
        assertNull(transparent.alpha());
        // half transparent on the left, opaque on the right: the opaque side resizes as if there were no alpha
        byte[] alpha = new byte[64];
        for (int i = 0; i < 64; i++) alpha[i] = (byte) (i % 8 < 4 ? 0 : 255);
        RgbImage half = PilResample.resizeBicubic(new RgbImage(8, 8, img.rgb(), alpha, false), 8, 4);
        RgbImage plain = PilResample.resizeBicubic(img, 8, 4);
        for (int y = 0; y < 4; y++) {
            assertEquals(0, half.packed(0, y));
            assertEquals(plain.packed(7, y), half.packed(7, y));
        }
    }

    @Test
    void greyStaysGreyAndChannelsResizeIndependently() {
        RgbImage img = random(13, 11, 4);
        byte[] grey = img.rgb().clone();
        for (int i = 0; i < grey.length; i += 3) grey[i + 1] = grey[i + 2] = grey[i];
        RgbImage r = PilResample.resizeBicubic(new RgbImage(13, 11, grey), 6, 17);
        for (int i = 0; i < r.rgb().length; i += 3) {
            assertEquals(r.rgb()[i], r.rgb()[i + 1]);
            assertEquals(r.rgb()[i], r.rgb()[i + 2]);
        }
        byte[] red = Arrays.copyOf(img.rgb(), img.rgb().length);
        for (int i = 0; i < red.length; i += 3) red[i + 1] = red[i + 2] = 0;
        RgbImage a = PilResample.resizeLanczos(img, 6, 17);
        RgbImage b = PilResample.resizeLanczos(new RgbImage(13, 11, red), 6, 17);
        for (int i = 0; i < a.rgb().length; i += 3) assertEquals(a.rgb()[i], b.rgb()[i]);
    }
}
