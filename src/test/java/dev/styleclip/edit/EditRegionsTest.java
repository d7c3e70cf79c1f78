package dev.styleclip.edit;

import dev.styleclip.image.AlphaMask;
import dev.styleclip.image.FaceRegion;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which side of the regions' edge an edit keeps, the defaults per size, and the values recipes store. */
class EditRegionsTest {
    static final int S = 256;
    static final double[][] FACE = FaceLandmarks.meanFace(S, "test").points();

    /** The mouth's centre (between the inner lips) and a corner of the picture, in pixels. */
    static final int[] MOUTH = {(int) Math.round((FACE[62][0] + FACE[66][0]) / 2), (int) Math.round((FACE[62][1] + FACE[66][1]) / 2)};

    @Test
    void editOnlyKeepsOutsideTheRegionsAndKeepKeepsThem() {
        AlphaMask editMouth = EditRegions.of(EditRegions.Mode.EDIT_ONLY, Set.of(FaceRegion.MOUTH)).keepMask(FACE, S);
        assertEquals(0f, editMouth.at(MOUTH[0], MOUTH[1]), "the mouth may change");
        assertEquals(1f, editMouth.at(2, 2), "the corner is kept");
        int eyeX = (int) Math.round(FACE[37][0]), eyeY = (int) Math.round((FACE[37][1] + FACE[41][1]) / 2);
        assertEquals(1f, editMouth.at(eyeX, eyeY), "the eyes are kept");

        EditRegions keep = EditRegions.of(EditRegions.Mode.KEEP, EnumSet.of(FaceRegion.BACKGROUND, FaceRegion.EYES));
        AlphaMask kept = keep.keepMask(FACE, S);
        assertEquals(1f, kept.at(2, 2), "the background is kept");
        assertEquals(1f, kept.at(eyeX, eyeY), "so are the eyes");
        assertEquals(0f, kept.at(MOUTH[0], MOUTH[1]), "the mouth may change");
        // the overlay tints the chosen regions in both modes
        assertEquals(1f, keep.chosenMask(FACE, S).at(2, 2));
        assertEquals(editMouth.at(2, 2), 1 - EditRegions.of(EditRegions.Mode.EDIT_ONLY, Set.of(FaceRegion.MOUTH)).chosenMask(FACE, S).at(2, 2));
    }

    @Test
    void growAndFeatherDefaultToPasteBacksShareOfTheSide() {
        EditRegions r = EditRegions.of(EditRegions.Mode.EDIT_ONLY, Set.of(FaceRegion.MOUTH));
        assertEquals(0.02 * 1024, r.growAt(1024), 1e-9);
        assertEquals(0.04 * 256, r.featherAt(256), 1e-9);
        assertEquals(EditRegions.DEFAULT_KEEP_WEIGHT, r.keepWeight());
        assertTrue(r.holds());
        EditRegions set = r.withEdge(-3, 0);
        assertEquals(-3, set.growAt(1024));
        assertEquals(0, set.featherAt(1024));
        // a grown mouth reaches pixels the plain one does not
        double[][] lm = FACE;
        int below = (int) Math.round(FACE[57][1]) + 4;
        assertEquals(1f, r.withEdge(0, 0).keepMask(lm, S).at(MOUTH[0], below));
        assertEquals(0f, r.withEdge(8, 0).keepMask(lm, S).at(MOUTH[0], below));
        assertTrue(!r.withKeepWeight(0).holds());
    }

    @Test
    void theStoredValuesReadBack() {
        EditRegions r = new EditRegions(EditRegions.Mode.KEEP, EnumSet.of(FaceRegion.EYES, FaceRegion.BACKGROUND), 4, 6, 0.5);
        Map<String, Object> m = r.toMap();
        assertEquals(Map.of("mode", "keep", "regions", List.of("eyes", "background"), "grow", 4.0, "feather", 6.0, "keep_weight", 0.5), m);
        assertEquals(r, EditRegions.fromMap(m));
        EditRegions defaults = EditRegions.of(EditRegions.Mode.EDIT_ONLY, Set.of(FaceRegion.NOSE));
        assertEquals(defaults.toMap(), EditRegions.fromMap(defaults.toMap()).toMap(), "NaN grow and feather: left out, read back as defaults");
        assertEquals("keep eyes, background", r.describe());
        assertEquals("edit only nose", defaults.describe());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EditRegions.fromMap(Map.of("mode", "region", "regions", List.of("lips"))));
        assertEquals("unknown face region 'lips' (choose from mouth, eyes, brows, nose, face, background)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EditRegions.fromMap(Map.of("mode", "blur", "regions", List.of("eyes"))));
        assertThrows(IllegalArgumentException.class, () -> EditRegions.fromMap(Map.of("mode", "keep", "regions", List.of("eyes"), "grow", "x")));
        assertThrows(IllegalArgumentException.class, () -> new EditRegions(EditRegions.Mode.KEEP, Set.of(FaceRegion.EYES), 0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> r.withKeepWeight(Double.NaN));
    }
}
