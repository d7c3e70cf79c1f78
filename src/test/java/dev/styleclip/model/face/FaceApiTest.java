package dev.styleclip.model.face;

import ai.djl.ndarray.NDManager;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.Images;
import dev.styleclip.image.NoFaceException;
import dev.styleclip.image.RgbImage;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Photo-import behaviour on top of the golden-checked nets: ordering, no face, same-person distance, memory. */
class FaceApiTest {
    /** The public face photos shipped in test resources (not golden.root: these tests name files). */
    static final Path FACES = java.nio.file.Paths.get("src", "test", "resources", "golden", "faces").toAbsolutePath();

    static NDManager manager;
    static FaceApi api;

    @BeforeAll
    static void load() throws Exception {
        manager = Engines.pytorch().newBaseManager();
        api = FaceApi.open(FaceApi.defaultDir(), manager);
    }

    @AfterAll
    static void close() {
        api.close();
        manager.close();
    }

    static RgbImage photo(String name) throws Exception {
        return Images.read(FACES.resolve("images").resolve(name + ".png"));
    }

    @Test
    void severalFacesLargestFirst() throws Exception {
        for (FaceApi.Detector d : FaceApi.Detector.values()) {
            List<FaceApi.Face> faces = FaceApiAlign.findFaces(api, photo("two_faces"), d, "two_faces.png");
            assertEquals(2, faces.size(), d.name());
            assertTrue(faces.get(0).detection().box().area() >= faces.get(1).detection().box().area(), d.name());
        }
    }

    @Test
    void noFace() throws Exception {
        RgbImage grey = RgbImage.blank(300, 200);
        Arrays.fill(grey.rgb(), (byte) 128);
        NoFaceException e = assertThrows(NoFaceException.class, () -> FaceApiAlign.findFaces(api, grey, FaceApi.Detector.SSD, "grey.png"));
        assertEquals("grey.png: no face found — try a frontal photo", e.getMessage());
        // the cat: the tiny detector finds nothing; SSD (faithfully) reports its false positive
        assertThrows(NoFaceException.class, () -> FaceApiAlign.findFaces(api, photo("no_face_chelsea"), FaceApi.Detector.TINY, "cat"));
        assertEquals(1, api.findFaces(photo("no_face_chelsea"), FaceApi.Detector.SSD).size());
    }

    @Test
    void samePersonByDescriptorDistance() throws Exception {
        RgbImage astro = photo("astronaut");
        FaceApi.Face a = api.detectAllFaces(astro, FaceApi.Detector.SSD, true).get(0);
        FaceApi.Face b = api.detectAllFaces(astro, FaceApi.Detector.TINY, true).get(0);
        assertTrue(FaceRecognitionNet.samePerson(a.descriptor().values(), b.descriptor().values()),
                "same photo, two detectors: " + FaceRecognitionNet.distance(a.descriptor().values(), b.descriptor().values()));
        List<FaceApi.Face> two = api.detectAllFaces(photo("two_faces"), FaceApi.Detector.SSD, true);
        assertFalse(FaceRecognitionNet.samePerson(two.get(0).descriptor().values(), two.get(1).descriptor().values()));
    }

    @Test
    void alignedFaceIsSquareAtAnySize() throws Exception {
        RgbImage img = photo("luciano");
        FaceApi.Face f = api.findFaces(img, FaceApi.Detector.SSD).get(0);
        for (int size : new int[]{64, 300, 1024}) {
            FfhqAlign.Result r = FaceApiAlign.align(img, f, FfhqAlign.Variant.SG3E, size);
            assertEquals(size, r.image().width());
            assertEquals(size, r.image().height());
        }
    }

    @Test
    void memoryStaysFlat() throws Exception {
        RgbImage img = photo("luciano");
        for (int i = 0; i < 3; i++) api.detectAllFaces(img, FaceApi.Detector.SSD, true);
        long before = countArrays();
        for (int i = 0; i < 5; i++) api.detectAllFaces(img, FaceApi.Detector.SSD, true);
        assertTrue(before > 100, "counts the weights too: " + before);
        assertEquals(before, countArrays(), "no NDArray left behind per call");
    }

    /** Arrays held by the test's manager and all its sub-managers (the nets' weights plus anything leaked). */
    private static long countArrays() {
        return manager.getManagedArrays().size();
    }
}
