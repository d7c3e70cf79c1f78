package dev.styleclip.edit;

import dev.styleclip.image.GoldenFace;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the landmarks of the face being edited come from, with the real face-api networks the tests install. */
class FaceLandmarksTest {
    static ComputeService service;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static FaceLandmarks find(FaceLandmarks.Finder f, RgbImage picture, boolean demo) throws Exception {
        return service.run("landmarks", ctx -> f.find(ctx, picture, demo), null);
    }

    /** Mean distance between two sets of 68 points. */
    private static double distance(double[][] a, double[][] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d += Math.hypot(a[i][0] - b[i][0], a[i][1] - b[i][1]);
        return d / a.length;
    }

    @Test
    void aFaceIsDetectedAndAPatternFallsBackToTheMeanFace() throws Exception {
        GoldenFace face = GoldenFace.load(GoldenFace.names().get(0));
        PhotoPaste.PlacedFace placed = new PhotoPaste.PlacedFace(face.quad(), face.landmarks(), false);
        RgbImage aligned = placed.align(face.photo(), 256).image();
        FaceLandmarks fromPhoto = FaceLandmarks.of(placed, 256);
        assertEquals(FaceLandmarks.Origin.PHOTO, fromPhoto.origin());
        assertEquals("regions from the photo's 68 landmarks", fromPhoto.note());

        // face-api on the aligned picture finds the face the photo's landmarks describe, a few pixels apart
        FaceLandmarks detected = find(FaceLandmarks.detecting(FaceApi.defaultDir()), aligned, false);
        assertEquals(FaceLandmarks.Origin.DETECTED, detected.origin());
        assertEquals(256, detected.size());
        double d = distance(detected.points(), fromPhoto.points());
        assertTrue(d < 4, "detected and carried landmarks agree within 4 px on average: " + d);
        // and the mean face is farther from this real face than the detection is
        assertTrue(distance(FaceLandmarks.meanFace(256, "x").points(), fromPhoto.points()) > d);

        // a demo generator's pattern, a picture with no face, face-api not installed: the mean face, saying why
        FaceLandmarks demo = find(FaceLandmarks.detecting(FaceApi.defaultDir()), aligned, true);
        assertEquals(FaceLandmarks.Origin.MEAN_FACE, demo.origin());
        assertEquals("regions from the FFHQ mean face (a demo generator draws patterns, not faces)", demo.note());
        FaceLandmarks blank = find(FaceLandmarks.detecting(FaceApi.defaultDir()), RgbImage.blank(256, 256), false);
        assertEquals(FaceLandmarks.Origin.MEAN_FACE, blank.origin());
        assertEquals("regions from the FFHQ mean face (face-api found no face in the picture)", blank.note());
        FaceLandmarks none = find(FaceLandmarks.detecting(null), aligned, false);
        assertEquals("regions from the FFHQ mean face (face-api is not installed)", none.note());

        // a photo's landmarks belong to one size
        assertEquals(fromPhoto, find(FaceLandmarks.given(fromPhoto), aligned, true));
        Exception e = assertThrows(Exception.class, () -> find(FaceLandmarks.given(fromPhoto), RgbImage.blank(64, 64), false));
        assertTrue(String.valueOf(e.getMessage()).contains("the landmarks belong to a 256² picture, the generator draws 64²"), e.getMessage());
    }
}
