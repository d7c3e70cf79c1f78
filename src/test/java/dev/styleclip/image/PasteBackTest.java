package dev.styleclip.image;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Paste-back on the golden faces (their photos and face-api landmarks): the unedited aligned face pasted back is the
 * photo again inside the mask, within a bound that a misplaced warp exceeds, and the photo's own bytes outside it.
 */
class PasteBackTest {
    /**
     * Mean absolute difference (0–255, over the pixels the mask covers fully) allowed for an unedited face pasted back
     * from an aligned image at least as large as the face is in the photo. Measured 1.5–3.0 on the golden faces at 1024²
     * (the alignment's bilinear sampling blurs a little); the same paste through a square half a photo pixel off in x
     * and y (the classic pixel-centre mistake) measures 3.2–7.5, and 3% of the side off 20–38.
     */
    static final double IDENTITY_BOUND = 3.3;
    /** The same for an aligned image smaller than the face (a 256² face of a 637-pixel one loses detail): measured up to 4.1. */
    static final double REDUCED_BOUND = 4.5;

    /** The mask a paste used (the same rule: its grow and feather, the photo's landmarks). */
    static AlphaMask maskOf(GoldenFace f, Set<FaceRegion> regions, PasteBack.Result r) {
        return FaceRegions.mask(f.landmarks(), f.photo().width(), f.photo().height(), regions, r.grow(), r.feather());
    }

    @Test
    void theUneditedFacePastedBackIsThePhotoAgain() {
        for (String name : GoldenFace.names()) {
            GoldenFace f = GoldenFace.load(name);
            for (int size : new int[]{1024, 256}) {
                RgbImage aligned = f.align(size).image();
                QuadMap map = QuadMap.of(f.quad(), size);
                PasteBack.Result r = PasteBack.paste(f.photo(), aligned, map, f.landmarks(), PasteBack.Options.DEFAULT);
                PhotoDiff c = PhotoDiff.of(f.photo(), r.image(), maskOf(f, EnumSet.of(FaceRegion.FACE), r));
                assertEquals(0, c.changedOutside(), name + " " + size + ": pixels outside the mask changed");
                assertTrue(c.inside() > 1000, name + ": mask covers " + c.inside());
                assertTrue(r.changedPixels() > 0, name + ": nothing pasted");
                boolean reduced = size < map.side();
                assertTrue(c.meanInside() < (reduced ? REDUCED_BOUND : IDENTITY_BOUND), name + " " + size + ": mean abs diff " + c.meanInside());

                // the same paste through a square half a photo pixel off, and 3% of its side off: the measure sees both
                if (!reduced) {
                    double halfPixel = meanInsideThrough(f, aligned, new QuadMap(new double[]{map.origin()[0] + 0.5, map.origin()[1] + 0.5},
                            map.right(), map.down()));
                    assertTrue(halfPixel > c.meanInside() + 1, name + " " + size + ": half a pixel off differs by " + halfPixel);
                }
                double moved = meanInsideThrough(f, aligned, new QuadMap(new double[]{map.origin()[0] + 0.03 * map.side(), map.origin()[1]},
                        map.right(), map.down()));
                assertTrue(moved > 2 * REDUCED_BOUND, name + " " + size + ": 3% off differs by only " + moved);
            }
        }
    }

    static double meanInsideThrough(GoldenFace f, RgbImage aligned, QuadMap map) {
        PasteBack.Result r = PasteBack.paste(f.photo(), aligned, map, f.landmarks(), PasteBack.Options.DEFAULT);
        return PhotoDiff.of(f.photo(), r.image(), maskOf(f, EnumSet.of(FaceRegion.FACE), r)).meanInside();
    }

    @Test
    void aFaceCutByThePhotoBorderPastesUpToTheBorder() {
        GoldenFace f = GoldenFace.load("astronaut_f0");
        // the photo cut through the face: its left third lies beyond the new left border
        int x0 = (int) (f.landmarks()[0][0] + (f.landmarks()[16][0] - f.landmarks()[0][0]) / 3);
        RgbImage cut = f.photo().crop(x0, 0, f.photo().width() - x0, f.photo().height());
        double[][] lm = new double[68][];
        for (int i = 0; i < 68; i++) lm[i] = new double[]{f.landmarks()[i][0] - x0, f.landmarks()[i][1]};
        GoldenFace g = new GoldenFace("astronaut cut", cut, lm);
        QuadMap map = QuadMap.of(g.quad(), 512);
        assertTrue(map.toPhoto(0, 0)[0] < 0 && map.toPhoto(0, 1)[0] < 0, "the square runs off the photo");
        FfhqAlign.Result aligned = g.align(512);
        assertTrue(aligned.plan().padApplied(), "the alignment pads beyond the border");
        PasteBack.Result r = PasteBack.paste(cut, aligned.image(), map, lm, PasteBack.Options.DEFAULT);
        AlphaMask mask = maskOf(g, EnumSet.of(FaceRegion.FACE), r);
        PhotoDiff c = PhotoDiff.of(cut, r.image(), mask);
        assertEquals(0, c.changedOutside());
        assertTrue(c.meanInside() < 2 * IDENTITY_BOUND, "mean abs diff " + c.meanInside());
        // FFHQ's pad step blurs the photo within a third of the pad of its border; beyond that, the identity bound
        int blurred = (int) Math.ceil(aligned.plan().padLtrb()[0] / 3.0) + 2;
        double sum = 0;
        int n = 0;
        for (int y = 0; y < cut.height(); y++) {
            for (int x = blurred; x < cut.width(); x++) {
                if (mask.at(x, y) < 1) continue;
                for (int ch = 0; ch < 3; ch++) sum += Math.abs(cut.get(x, y, ch) - r.image().get(x, y, ch)) / 3.0;
                n++;
            }
        }
        assertTrue(n > 1000 && sum / n < IDENTITY_BOUND, "beyond the pad's blur: mean abs diff " + sum / n + " over " + n);
        int fullAtBorder = 0;
        for (int y = 0; y < cut.height(); y++) if (mask.at(0, y) == 1f) fullAtBorder++;
        assertTrue(fullAtBorder > 40, "the mask is full strength at the border on " + fullAtBorder + " rows");
    }

    @Test
    void aColourCastOfTheReconstructionIsMatchedAwayAtTheSeam() {
        GoldenFace f = GoldenFace.load("luciano_f0");
        RgbImage aligned = f.align(256).image();
        int[] cast = {25, -10, 15};
        RgbImage tinted = RgbImage.blank(256, 256);
        for (int i = 0; i < tinted.rgb().length; i++) {
            tinted.rgb()[i] = (byte) Math.max(0, Math.min(255, (aligned.rgb()[i] & 0xff) + cast[i % 3]));
        }
        QuadMap map = QuadMap.of(f.quad(), 256);
        PasteBack.Result matched = PasteBack.paste(f.photo(), tinted, map, f.landmarks(), PasteBack.Options.DEFAULT);
        PasteBack.Result raw = PasteBack.paste(f.photo(), tinted, map, f.landmarks(), PasteBack.Options.DEFAULT.withMatchColour(false));
        AlphaMask mask = maskOf(f, EnumSet.of(FaceRegion.FACE), matched);
        double withMatch = PhotoDiff.of(f.photo(), matched.image(), mask).meanInside();
        double without = PhotoDiff.of(f.photo(), raw.image(), mask).meanInside();
        assertTrue(without > 14, "the cast shows without matching: " + without);
        assertTrue(withMatch < IDENTITY_BOUND, "matched: " + withMatch);
        assertEquals(0, raw.colour().bandPixels());
        assertTrue(matched.colour().bandPixels() > 500, matched.colour().bandPixels() + " band pixels");
        for (int c = 0; c < 3; c++) assertEquals(1.0, matched.colour().gain()[c], 0.05, "gain " + c);
    }

    @Test
    void anEditInsideTheFaceSurvivesTheColourMatching() {
        GoldenFace f = GoldenFace.load("grace_hopper_f0");
        int size = 256;
        RgbImage aligned = f.align(size).image();
        QuadMap map = QuadMap.of(f.quad(), size);
        // the edit darkens the middle of the face (the face mask shrunk by a tenth of the picture), not its rim
        AlphaMask middle = FaceRegions.mask(map.pointsToAligned(f.landmarks(), size), size, size, EnumSet.of(FaceRegion.FACE), -0.1 * size, 0);
        RgbImage edited = new RgbImage(size, size, aligned.rgb().clone());
        for (int i = 0; i < size * size; i++) {
            if (middle.alpha()[i] < 1) continue;
            for (int c = 0; c < 3; c++) edited.rgb()[3 * i + c] = (byte) Math.max(0, (aligned.rgb()[3 * i + c] & 0xff) - 40);
        }
        PasteBack.Result r = PasteBack.paste(f.photo(), edited, map, f.landmarks(), PasteBack.Options.DEFAULT);
        for (int c = 0; c < 3; c++) {
            assertEquals(0, r.colour().offset()[c], 4, "offset " + c);
            assertEquals(1, r.colour().gain()[c], 0.05, "gain " + c);
        }
        double[] centre = map.toPhoto(0.5, 0.55);
        int cx = (int) centre[0], cy = (int) centre[1];
        double darker = 0;
        for (int c = 0; c < 3; c++) darker += f.photo().get(cx, cy, c) - r.image().get(cx, cy, c);
        assertTrue(darker / 3 > 30, "the face's middle is darker by " + darker / 3);
    }

    @Test
    void aRegionPasteChangesThatRegionOnly() {
        GoldenFace f = GoldenFace.load("douglass_f0");
        RgbImage aligned = f.align(256).image();
        RgbImage negative = new RgbImage(256, 256, aligned.rgb().clone());
        for (int i = 0; i < negative.rgb().length; i++) negative.rgb()[i] = (byte) (255 - (aligned.rgb()[i] & 0xff));
        Set<FaceRegion> regions = EnumSet.of(FaceRegion.MOUTH, FaceRegion.EYES);
        PasteBack.Options o = PasteBack.Options.DEFAULT.withRegions(regions).withGrow(3).withFeather(4).withMatchColour(false);
        PasteBack.Result r = PasteBack.paste(f.photo(), negative, QuadMap.of(f.quad(), 256), f.landmarks(), o);
        assertEquals(3, r.grow());
        assertEquals(4, r.feather());
        PhotoDiff c = PhotoDiff.of(f.photo(), r.image(), maskOf(f, regions, r));
        assertEquals(0, c.changedOutside());
        assertTrue(c.meanInside() > 40, "the mouth and eyes are the negative's: " + c.meanInside());
        assertTrue(c.inside() < 0.2 * r.changedPixels() + 0.02 * f.photo().width() * f.photo().height(), "a small region: " + c.inside());
    }

    @Test
    void badOptionsGetOneMessage() {
        GoldenFace f = GoldenFace.load("luciano_f0");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasteBack.Options.DEFAULT.withFeather(-2)).getMessage()
                .contains("feather"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PasteBack.Options.DEFAULT.withRegions(Set.of())).getMessage()
                .contains("no face region"));
        RgbImage notSquare = RgbImage.blank(200, 100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PasteBack.paste(f.photo(), notSquare, QuadMap.of(f.quad(), 200), f.landmarks(), PasteBack.Options.DEFAULT));
        assertEquals("the edited face is 200x100: an aligned face is square", e.getMessage());
    }
}
