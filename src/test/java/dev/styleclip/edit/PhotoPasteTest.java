package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.image.AlphaMask;
import dev.styleclip.image.ExifJpeg;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.image.FaceRegions;
import dev.styleclip.image.GoldenFace;
import dev.styleclip.image.Images;
import dev.styleclip.image.NoFaceException;
import dev.styleclip.image.PasteBack;
import dev.styleclip.image.PhotoDiff;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The paste-back use case on the golden photos with the real face-api networks (SSD detector, 68 landmarks). */
class PhotoPasteTest {
    static final Path IMAGES = Path.of("src", "test", "resources", "golden", "faces", "images").toAbsolutePath();
    static NDManager manager;
    static Path faceApi;

    @BeforeAll
    static void open() {
        manager = Engines.pytorch().newBaseManager();
        faceApi = FaceApi.defaultDir();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    static RgbImage negative(RgbImage img) {
        RgbImage n = new RgbImage(img.width(), img.height(), img.rgb().clone());
        for (int i = 0; i < n.rgb().length; i++) n.rgb()[i] = (byte) (255 - (img.rgb()[i] & 0xff));
        return n;
    }

    static AlphaMask faceMask(RgbImage photo, PhotoPaste.PlacedFace f, PasteBack.Result r) {
        return FaceRegions.mask(f.landmarks(), photo.width(), photo.height(), EnumSet.of(FaceRegion.FACE), r.grow(), r.feather());
    }

    @Test
    void twoFacesAreEachPastedIntoTheSamePhoto() throws Exception {
        Path file = IMAGES.resolve("two_faces.png");
        RgbImage photo = Images.read(file);
        List<PhotoPaste.PlacedFace> faces = PhotoPaste.locateAll(manager, faceApi, photo, "two_faces.png");
        assertEquals(2, faces.size());
        // the same landmarks as face-api's golden run
        double[][] golden = GoldenFace.load("two_faces_f1").landmarks();
        for (int i = 0; i < 68; i++) assertEquals(golden[i][0], faces.get(1).landmarks()[i][0], 0.5, "landmark " + i);
        assertFalse(faces.get(0).estimated());
        // the regions over the aligned (or generated) face, as a preservation term or an overlay takes them
        double[][] inAligned = faces.get(0).alignedLandmarks(256);
        AlphaMask mouth = faces.get(0).alignedMask(256, EnumSet.of(FaceRegion.MOUTH), 0, 0);
        assertEquals(1f, mouth.at((int) Math.round((inAligned[62][0] + inAligned[66][0]) / 2), (int) Math.round((inAligned[62][1] + inAligned[66][1]) / 2)));
        assertEquals(0f, mouth.at((int) Math.round(inAligned[30][0]), (int) Math.round(inAligned[30][1])), "the nose tip is no mouth");
        assertEquals(1f, faces.get(0).alignedMask(256, EnumSet.of(FaceRegion.BACKGROUND), 2, 4).at(1, 1), "the corner is background");

        // each face aligned once, edited (here: its negative) and pasted, without a second detection
        List<RgbImage> edits = List.of(negative(faces.get(0).align(photo, 256).image()), negative(faces.get(1).align(photo, 512).image()));
        PhotoPaste.Pasted p = PhotoPaste.paste(photo, faces, edits, PasteBack.Options.DEFAULT.withMatchColour(false));
        assertEquals(photo.width(), p.photo().width());
        assertEquals(photo.height(), p.photo().height());
        AlphaMask m0 = faceMask(photo, faces.get(0), p.results().get(0)), m1 = faceMask(photo, faces.get(1), p.results().get(1));
        float[] either = new float[m0.alpha().length];
        for (int i = 0; i < either.length; i++) either[i] = Math.max(m0.alpha()[i], m1.alpha()[i]);
        PhotoDiff outside = PhotoDiff.of(photo, p.photo(), new AlphaMask(photo.width(), photo.height(), either));
        assertEquals(0, outside.changedOutside(), "pixels outside both faces changed");
        assertTrue(PhotoDiff.of(photo, p.photo(), m0).meanInside() > 60, "face 1 is its negative");
        assertTrue(PhotoDiff.of(photo, p.photo(), m1).meanInside() > 60, "face 2 is its negative");

        // the file job finds the same faces and gives the same picture
        PhotoPaste.Pasted again = PhotoPaste.pasteFile(manager, faceApi, file, List.of(new PhotoPaste.EditedFace(0, null, edits.get(0)),
                new PhotoPaste.EditedFace(1, null, edits.get(1))), PasteBack.Options.DEFAULT.withMatchColour(false));
        assertEquals(p.photo().sha256(), again.photo().sha256());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PhotoPaste.pasteFile(manager, faceApi, file,
                List.of(new PhotoPaste.EditedFace(2, null, edits.get(0))), PasteBack.Options.DEFAULT));
        assertEquals("face 3 not found: the photo has 2 face(s)", e.getMessage());
    }

    @Test
    void anExifRotatedPhotoIsPastedBackUpright(@TempDir Path tmp) throws Exception {
        RgbImage upright = Images.read(IMAGES.resolve("grace_hopper.png")); // 512 × 600
        // stored turned a quarter to the left, with the tag that says "turn right to view" (what a phone writes)
        ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
        Images.write(Images.applyExifOrientation(upright, 8), "jpeg", jpeg);
        Path file = Files.write(tmp.resolve("turned.jpg"), ExifJpeg.withOrientation(jpeg.toByteArray(), 6));
        RgbImage read = Images.read(file);
        assertEquals(512, read.width());
        assertEquals(600, read.height());

        PhotoPaste.PlacedFace face = PhotoPaste.locate(manager, faceApi, read, "turned.jpg", 0, null);
        RgbImage aligned = face.align(read, 1024).image();
        PhotoPaste.Pasted p = PhotoPaste.pasteFile(manager, faceApi, file, List.of(new PhotoPaste.EditedFace(0, null, aligned)),
                PasteBack.Options.DEFAULT);
        assertEquals(512, p.photo().width());
        assertEquals(600, p.photo().height());
        PhotoDiff d = PhotoDiff.of(read, p.photo(), faceMask(read, face, p.results().get(0)));
        assertEquals(0, d.changedOutside());
        assertTrue(d.meanInside() < 3.3, "the unedited face pasted back: mean abs diff " + d.meanInside());
        // upright: the whole picture is the original's (up to the JPEG's loss), which a turned one would not be
        double sum = 0;
        for (int i = 0; i < upright.rgb().length; i++) sum += Math.abs((upright.rgb()[i] & 0xff) - (p.photo().rgb()[i] & 0xff));
        assertTrue(sum / upright.rgb().length < 3, "mean abs diff to the upright original " + sum / upright.rgb().length);
    }

    @Test
    void fourPointsNeedNoFaceApi() throws Exception {
        GoldenFace g = GoldenFace.load("astronaut_f0");
        double[][] lm = g.landmarks();
        double[] eyeL = mean(lm, 36, 42), eyeR = mean(lm, 42, 48);
        double[] points = {eyeL[0], eyeL[1], eyeR[0], eyeR[1], lm[48][0], lm[48][1], lm[54][0], lm[54][1]};
        PhotoPaste.PlacedFace byPoints = PhotoPaste.locate(null, null, g.photo(), "astronaut.png", 0, points);
        assertTrue(byPoints.estimated());
        for (int i = 0; i < 4; i++) assertEquals(g.quad().quad()[i][0], byPoints.quad().quad()[i][0], 1e-9, "the same square");
        RgbImage aligned = byPoints.align(g.photo(), 256).image();
        PhotoPaste.Pasted p = PhotoPaste.pasteFile(null, null, IMAGES.resolve("astronaut.png"),
                List.of(new PhotoPaste.EditedFace(0, points, aligned)), PasteBack.Options.DEFAULT);
        PhotoDiff d = PhotoDiff.of(g.photo(), p.photo(), faceMask(g.photo(), byPoints, p.results().get(0)));
        assertEquals(0, d.changedOutside());
        assertTrue(d.inside() > 5000 && d.meanInside() < 3.3, "estimated mask: " + d);
        // the estimated face region covers the real landmarks' face
        AlphaMask real = FaceRegions.mask(lm, g.photo().width(), g.photo().height(), EnumSet.of(FaceRegion.FACE), -0.03 * byPoints.map(256).side(), 0);
        AlphaMask estimated = faceMask(g.photo(), byPoints, p.results().get(0));
        int missed = 0, covered = 0;
        for (int i = 0; i < real.alpha().length; i++) {
            if (real.alpha()[i] < 1) continue;
            covered++;
            if (estimated.alpha()[i] == 0) missed++;
        }
        assertTrue(missed < 0.02 * covered, missed + " of " + covered + " face pixels outside the estimated mask");
    }

    @Test
    void aPhotoWithoutFacesGetsOneMessage(@TempDir Path tmp) throws Exception {
        RgbImage grey = RgbImage.blank(320, 240);
        java.util.Arrays.fill(grey.rgb(), (byte) 128);
        Path file = tmp.resolve("blank.png");
        Images.writePng(grey, file);
        NoFaceException e = assertThrows(NoFaceException.class, () -> PhotoPaste.pasteFile(manager, faceApi, file,
                List.of(new PhotoPaste.EditedFace(0, null, RgbImage.blank(64, 64))), PasteBack.Options.DEFAULT));
        assertEquals("blank.png: no face found — try a frontal photo", e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class, () -> PhotoPaste.locate(manager, null, grey, "blank.png", 0, null));
        assertTrue(none.getMessage().contains("face-api networks are not installed"), none.getMessage());
    }

    static double[] mean(double[][] p, int from, int to) {
        double x = 0, y = 0;
        for (int i = from; i < to; i++) {
            x += p[i][0];
            y += p[i][1];
        }
        return new double[]{x / (to - from), y / (to - from)};
    }
}
