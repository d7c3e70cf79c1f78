package dev.styleclip.model.face;

import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.NoFaceException;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;

import java.util.List;

/** Photo import: find the faces of a photo (largest first) and FFHQ-align one of them from its 68 landmarks. */
public final class FaceApiAlign {
    private FaceApiAlign() {
    }

    /**
     * All faces with landmarks, largest detection box first.
     *
     * @throws NoFaceException when the detector finds none
     */
    public static List<FaceApi.Face> findFaces(FaceApi api, RgbImage img, FaceApi.Detector detector, String photoName)
            throws ModelFileException, NoFaceException {
        List<FaceApi.Face> faces = api.findFaces(img, detector);
        if (faces.isEmpty()) throw new NoFaceException(photoName);
        return faces;
    }

    /** FFHQ-aligns a detected face. */
    public static FfhqAlign.Result align(RgbImage img, FaceApi.Face face, FfhqAlign.Variant variant, int size) {
        return FfhqAlign.align(img, FfhqAlign.quadFromLandmarks(face.landmarks().positions(), variant), size);
    }

    /** FFHQ-aligns from four user points: eye centres (left, right) and outer mouth corners (left, right), x/y each. */
    public static FfhqAlign.Result alignFromPoints(RgbImage img, double[] points8, FfhqAlign.Variant variant, int size) {
        return FfhqAlign.align(img, quadFromPoints(points8, variant), size);
    }

    /** The alignment square of four user points: eye centres (left, right) and outer mouth corners (left, right), x/y each. */
    public static FfhqAlign.Quad quadFromPoints(double[] points8, FfhqAlign.Variant variant) {
        if (points8.length != 8) throw new IllegalArgumentException("need 8 numbers (LX,LY,RX,RY,MLX,MLY,MRX,MRY), got " + points8.length);
        return FfhqAlign.quadFromPoints(new double[]{points8[0], points8[1]}, new double[]{points8[2], points8[3]},
                new double[]{points8[4], points8[5]}, new double[]{points8[6], points8[7]}, variant);
    }
}
