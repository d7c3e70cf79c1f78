package dev.styleclip.edit;

import dev.styleclip.image.FaceRegions;
import dev.styleclip.image.QuadMap;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.runtime.JobContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The 68 landmarks of the face being edited, in the pixels of its {@code size}² aligned (or generated) picture — where
 * region masks ({@link EditRegions}) are drawn from — and where they came from:
 * <ul>
 *   <li>{@link Origin#PHOTO}: a photo's face, its landmarks carried into the aligned square
 *       ({@link PhotoPaste.PlacedFace#alignedLandmarks}); the most faithful, and the mask paste-back uses;</li>
 *   <li>{@link Origin#DETECTED}: face-api's 68 landmarks found on the picture itself (a generated face, or an
 *       inversion's reconstruction when the photo's own are not at hand), with the detector every inversion uses;</li>
 *   <li>{@link Origin#MEAN_FACE}: the FFHQ mean face ({@link FaceRegions#template}) — StyleGAN's faces are
 *       FFHQ-aligned by construction, so its regions sit within a few percent of the side of the real ones — when
 *       face-api is not installed, finds no face, or the generator is a demo network that draws patterns.</li>
 * </ul>
 * {@link #note} says which, in one line for the run's messages.
 */
public record FaceLandmarks(double[][] points, int size, Origin origin, String note) {

    /** Where the landmarks came from. */
    public enum Origin {
        PHOTO, DETECTED, MEAN_FACE
    }

    public FaceLandmarks {
        if (points == null || points.length != FaceRegions.LANDMARKS) throw new IllegalArgumentException("need " + FaceRegions.LANDMARKS + " landmarks");
        if (size <= 0) throw new IllegalArgumentException("the picture's size must be positive, got " + size);
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(note, "note");
    }

    /** How a job finds the landmarks of its start picture (on the compute thread). */
    @FunctionalInterface
    public interface Finder {
        /**
         * @param picture   the face as the generator draws it at the start of the edit
         * @param demoImage whether a demo generator drew it (random weights: a pattern, never a face)
         */
        FaceLandmarks find(JobContext ctx, RgbImage picture, boolean demoImage) throws Exception;
    }

    /** A photo's face at the {@code size} of the generator that edits it. */
    public static FaceLandmarks of(PhotoPaste.PlacedFace face, int size) {
        return new FaceLandmarks(face.alignedLandmarks(size), size, Origin.PHOTO,
                face.estimated() ? "regions from the FFHQ mean face placed by the four clicked points"
                        : "regions from the photo's 68 landmarks");
    }

    /** The FFHQ mean face in a {@code size}² aligned picture; {@code why} says why it stands in. */
    public static FaceLandmarks meanFace(int size, String why) {
        QuadMap square = new QuadMap(new double[]{0, 0}, new double[]{size, 0}, new double[]{0, size});
        return new FaceLandmarks(FaceRegions.template(square), size, Origin.MEAN_FACE,
                "regions from the FFHQ mean face (" + why + ")");
    }

    /** face-api's landmarks of the largest face in {@code picture}, else the mean face saying that none was found. */
    public static FaceLandmarks detect(FaceApi api, RgbImage picture) throws Exception {
        if (picture.width() != picture.height()) throw new IllegalArgumentException("an aligned picture is square, got " + picture.width() + "x" + picture.height());
        List<FaceApi.Face> faces = api.findFaces(picture, PhotoAlignment.FOR_INVERSION);
        if (faces.isEmpty()) return meanFace(picture.width(), "face-api found no face in the picture");
        return new FaceLandmarks(faces.get(0).landmarks().positions(), picture.width(), Origin.DETECTED,
                "regions from face-api's 68 landmarks of the picture");
    }

    /** Always these landmarks (a photo's face known to the caller). */
    public static Finder given(FaceLandmarks landmarks) {
        Objects.requireNonNull(landmarks, "landmarks");
        return (ctx, picture, demo) -> {
            if (picture.width() != landmarks.size()) {
                throw new IllegalArgumentException("the landmarks belong to a " + landmarks.size() + "² picture, the generator draws "
                        + picture.width() + "²");
            }
            return landmarks;
        };
    }

    /**
     * Detection on the picture with face-api's networks in {@code faceApiDir} (from the model cache); the mean face when
     * that is null (not installed) or the picture is a demo generator's.
     */
    public static Finder detecting(Path faceApiDir) {
        return (ctx, picture, demo) -> {
            if (demo) return meanFace(picture.width(), "a demo generator draws patterns, not faces");
            if (faceApiDir == null) return meanFace(picture.width(), "face-api is not installed");
            return detect(EditNetworks.faceApi(ctx, faceApiDir), picture);
        };
    }
}
