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
    private PhotoAlignment() {
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
        if (points != null) return FaceApiAlign.alignFromPoints(photo, points, variant, size);
        if (faceApiDir == null) {
            throw new IllegalStateException("face-api networks are not installed: click the eyes and mouth corners instead");
        }
        List<FaceApi.Face> faces = faces(manager, faceApiDir, photo, detector, photoName);
        if (face < 0 || face >= faces.size()) {
            throw new IllegalArgumentException("face " + (face + 1) + " not found: the photo has " + faces.size() + " face(s)");
        }
        return FaceApiAlign.align(photo, faces.get(face), variant, size);
    }

    /**
     * A photo file's face as every inversion takes it: SSD detection (the accurate detector), the original FFHQ rule,
     * at the size of the generator that inverts it.
     */
    public static RgbImage alignForInversion(NDManager manager, Path faceApiDir, Path photo, int face, double[] points, int size)
            throws ImageFileException, ModelFileException, NoFaceException {
        return align(manager, faceApiDir, Images.read(photo), photo.getFileName().toString(), FaceApi.Detector.SSD, face, points,
                FfhqAlign.Variant.FFHQ, size).image();
    }
}
