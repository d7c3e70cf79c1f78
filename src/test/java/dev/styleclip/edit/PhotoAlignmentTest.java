package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.face.FaceApiAlign;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The faces a photo offers for an inversion, with the installed face-api networks and the public test photos. */
class PhotoAlignmentTest {
    private static final Path IMAGES = Paths.get("src", "test", "resources", "golden", "faces", "images").toAbsolutePath();
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = Engines.pytorch().newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    @Test
    void theFacesToPickFromAreTheFacesTheAlignmentTakes() throws Exception {
        Path photo = IMAGES.resolve("two_faces.png");
        PhotoAlignment.Faces found = PhotoAlignment.facesForInversion(manager, FaceApi.defaultDir(), photo);
        assertEquals(2, found.faces().size());
        assertTrue(found.faces().get(0).detection().box().area() >= found.faces().get(1).detection().box().area(), "largest first");
        RgbImage read = Images.read(photo);
        assertEquals(read.width(), found.photo().width());
        assertEquals(read.height(), found.photo().height());
        // the second face picked here is the second face aligned there (same detector, same order)
        RgbImage aligned = PhotoAlignment.alignForInversion(manager, FaceApi.defaultDir(), photo, 1, null, 64);
        RgbImage fromPick = FaceApiAlign.align(read, found.faces().get(1), FfhqAlign.Variant.FFHQ, 64).image();
        assertArrayEquals(fromPick.rgb(), aligned.rgb());
        RgbImage first = FaceApiAlign.align(read, found.faces().get(0), FfhqAlign.Variant.FFHQ, 64).image();
        assertFalse(Arrays.equals(first.rgb(), aligned.rgb()), "and not the first one");
    }

    @Test
    void aPhotoWithoutAFoundFaceIsStillReadForClickedPoints(@TempDir Path tmp) throws Exception {
        RgbImage grey = RgbImage.blank(300, 200);
        Arrays.fill(grey.rgb(), (byte) 128);
        Path file = tmp.resolve("grey.png");
        Images.writePng(grey, file);
        PhotoAlignment.Faces none = PhotoAlignment.facesForInversion(manager, FaceApi.defaultDir(), file);
        assertTrue(none.faces().isEmpty());
        assertEquals(300, none.photo().width());
        assertEquals(200, none.photo().height());

        PhotoAlignment.Faces noFaceApi = PhotoAlignment.facesForInversion(manager, null, IMAGES.resolve("two_faces.png"));
        assertTrue(noFaceApi.faces().isEmpty(), "face-api not installed: no faces, the photo all the same");
        assertEquals(Images.read(IMAGES.resolve("two_faces.png")).width(), noFaceApi.photo().width());
    }
}
