package dev.styleclip.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Test helper: what a paste did to a photo, seen through its mask: the mean absolute difference (0–255, per channel)
 * over the pixels the mask covers fully, how many pixels it leaves out (mask 0) changed, and how many it covers.
 */
public record PhotoDiff(double meanInside, int changedOutside, int inside) {

    public static PhotoDiff of(RgbImage photo, RgbImage pasted, AlphaMask mask) {
        assertEquals(photo.width(), pasted.width(), "width");
        assertEquals(photo.height(), pasted.height(), "height");
        double sum = 0;
        int inside = 0, changedOutside = 0;
        for (int y = 0; y < photo.height(); y++) {
            for (int x = 0; x < photo.width(); x++) {
                float a = mask.at(x, y);
                boolean same = true;
                double d = 0;
                for (int c = 0; c < 3; c++) {
                    int p = photo.get(x, y, c), q = pasted.get(x, y, c);
                    same &= p == q;
                    d += Math.abs(p - q);
                }
                if (a == 0 && !same) changedOutside++;
                if (a == 1) {
                    sum += d / 3;
                    inside++;
                }
            }
        }
        return new PhotoDiff(inside == 0 ? 0 : sum / inside, changedOutside, inside);
    }
}
