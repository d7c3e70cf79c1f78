package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.ImageFileException;
import dev.styleclip.image.Images;
import dev.styleclip.image.NoFaceException;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.face.FaceApiAlign;

import java.nio.file.Path;
import java.util.List;

/**
 * A photo's face, FFHQ-aligned at the generator's size: the step before every inversion of a photo, the same in the
 * studio (Source tab), {@code align} and {@code apply-recipe} ({@code invert} takes a face aligned already). The face
 * is face-api's number {@code face} (largest first), or given by four clicked points (eye centres, outer mouth
 * corners) when face-api is not installed or picks the wrong one.
 */
public final class PhotoAlignment {
    /** The detector of every inversion's alignment (and so of the paste-back that undoes it): SSD, the accurate one. */
    static final FaceApi.Detector FOR_INVERSION = FaceApi.Detector.SSD;

    private PhotoAlignment() {
    }

    /**
     * A photo as the user picks a face in it: the picture and the faces face-api finds, largest first — empty when
     * it finds none or is not installed, and then the face is given by clicked points.
     */
    public record Faces(RgbImage photo, List<FaceApi.Face> faces) {
        public Faces {
            faces = List.copyOf(faces);
        }
    }

    /**
     * The faces face-api finds, largest first, with their landmarks.
     *
     * @throws NoFaceException when it finds none
     */
    public static List<FaceApi.Face> faces(NDManager manager, Path faceApiDir, RgbImage photo, FaceApi.Detector detector,
                                           String photoName) throws ModelFileException, NoFaceException {
        try (FaceApi api = FaceApi.open(faceApiDir, manager)) {
            return FaceApiAlign.findFaces(api, photo, detector, photoName);
        }
    }

    /**
     * The aligned face: from {@code points} (8 numbers) when given, else face-api's face number {@code face} (0 = the
     * largest) found with {@code detector} in the networks of {@code faceApiDir} (null: not installed).
     */
    public static FfhqAlign.Result align(NDManager manager, Path faceApiDir, RgbImage photo, String photoName,
                                         FaceApi.Detector detector, int face, double[] points, FfhqAlign.Variant variant,
                                         int size) throws ModelFileException, NoFaceException {
        if (points != null) return fromPoints(photo, points, variant, size);
        return FaceApiAlign.align(photo, face(manager, faceApiDir, photo, photoName, detector, face), variant, size);
    }

    /** Face number {@code face} (0 = the largest) of the faces found in {@code photo} ({@link #faces}), aligned. */
    public static FfhqAlign.Result align(RgbImage photo, List<FaceApi.Face> faces, int face, FfhqAlign.Variant variant, int size) {
        return FaceApiAlign.align(photo, pick(faces, face), variant, size);
    }

    /** The face given by four points (eye centres, outer mouth corners: 8 numbers in photo pixels), aligned. */
    public static FfhqAlign.Result fromPoints(RgbImage photo, double[] points, FfhqAlign.Variant variant, int size) {
        return FaceApiAlign.alignFromPoints(photo, points, variant, size);
    }

    /**
     * Face-api's face number {@code face} (0 = the largest) found with {@code detector} in the networks of
     * {@code faceApiDir} (null: not installed).
     */
    public static FaceApi.Face face(NDManager manager, Path faceApiDir, RgbImage photo, String photoName, FaceApi.Detector detector,
                                    int face) throws ModelFileException, NoFaceException {
        requireFaceApi(faceApiDir);
        return pick(faces(manager, faceApiDir, photo, detector, photoName), face);
    }

    /** Fails with the one message for a face asked for by number when face-api is not installed ({@code faceApiDir} null). */
    static void requireFaceApi(Path faceApiDir) {
        if (faceApiDir == null) {
            throw new IllegalStateException("face-api networks are not installed: click the eyes and mouth corners instead");
        }
    }

    /** Face number {@code face} (0 = the first) of {@code faces}, or the message that says how many there are. */
    public static <T> T pick(List<T> faces, int face) {
        if (face < 0 || face >= faces.size()) {
            throw new IllegalArgumentException("face " + (face + 1) + " not found: the photo has " + faces.size() + " face(s)");
        }
        return faces.get(face);
    }

    /**
     * A photo file's face as every inversion takes it: SSD detection (the accurate detector), the original FFHQ rule,
     * at the size of the generator that inverts it.
     */
    public static RgbImage alignForInversion(NDManager manager, Path faceApiDir, Path photo, int face, double[] points, int size)
            throws ImageFileException, ModelFileException, NoFaceException {
        return align(manager, faceApiDir, Images.read(photo), photo.getFileName().toString(), FOR_INVERSION, face, points,
                FfhqAlign.Variant.FFHQ, size).image();
    }

    /**
     * A photo file and the faces to pick from for {@link #alignForInversion}: found by the same detector, so face k
     * here is face k there. A photo in which face-api finds no face (or with face-api not installed: {@code faceApiDir}
     * null) is still read, with no faces, for the user to click the face's points.
     */
    public static Faces facesForInversion(NDManager manager, Path faceApiDir, Path photo) throws ImageFileException, ModelFileException {
        RgbImage img = Images.read(photo);
        if (faceApiDir == null) return new Faces(img, List.of());
        try {
            return new Faces(img, faces(manager, faceApiDir, img, FOR_INVERSION, photo.getFileName().toString()));
        } catch (NoFaceException e) {
            return new Faces(img, List.of());
        }
    }
}
