package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.image.AlphaMask;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.image.FaceRegions;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.ImageFileException;
import dev.styleclip.image.Images;
import dev.styleclip.image.NoFaceException;
import dev.styleclip.image.PasteBack;
import dev.styleclip.image.QuadMap;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.face.FaceApiAlign;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The user's action "my edited face, back in my photo": a photo's faces located once (face-api's SSD detector and 68
 * landmarks, or four clicked points, the FFHQ rule — the alignment every inversion of a photo uses, see
 * {@link PhotoAlignment#alignForInversion}), and each face's edited aligned image pasted in turn into the same photo
 * ({@link PasteBack}), at the photo's size and upright (EXIF orientation applied as {@link Images#read} does).
 *
 * <p>A caller that aligns now and pastes later keeps the {@link PlacedFace}: {@link #locate} once, {@link PlacedFace#align}
 * for the inversion, {@link #paste} with the edited image, and no second detection.
 */
public final class PhotoPaste {
    private PhotoPaste() {
    }

    /**
     * Where a face lies in its photo: the square of its FFHQ alignment and its 68 landmarks in the photo's pixels.
     * {@code estimated}: the face was given by four points, so the landmarks are the FFHQ mean face placed by the square
     * ({@link FaceRegions#template}), good for a paste mask, rough for small regions such as the eyes.
     */
    public record PlacedFace(FfhqAlign.Quad quad, double[][] landmarks, boolean estimated) {
        public PlacedFace {
            Objects.requireNonNull(quad, "quad");
            if (landmarks == null || landmarks.length != FaceRegions.LANDMARKS) {
                throw new IllegalArgumentException("need " + FaceRegions.LANDMARKS + " landmarks");
            }
        }

        /** A face face-api found (its landmarks, the FFHQ rule). */
        public static PlacedFace of(FaceApi.Face face) {
            double[][] lm = face.landmarks().positions();
            return new PlacedFace(FfhqAlign.quadFromLandmarks(lm, FfhqAlign.Variant.FFHQ), lm, false);
        }

        /** A face given by its alignment square only (four clicked points): landmarks estimated. */
        public static PlacedFace of(FfhqAlign.Quad quad) {
            return new PlacedFace(quad, FaceRegions.template(QuadMap.of(quad)), true);
        }

        /** The aligned face at {@code size} pixels, the picture an inversion starts from. */
        public FfhqAlign.Result align(RgbImage photo, int size) {
            return FfhqAlign.align(photo, quad, size);
        }

        /** The map between the photo and the face aligned at {@code size} pixels. */
        public QuadMap map(int size) {
            return QuadMap.of(quad, size);
        }

        /** The landmarks in the face aligned (or generated) at {@code size} pixels. */
        public double[][] alignedLandmarks(int size) {
            return map(size).pointsToAligned(landmarks, size);
        }

        /** A region mask over the face aligned (or generated) at {@code size} pixels; grow and feather in its pixels. */
        public AlphaMask alignedMask(int size, Set<FaceRegion> regions, double grow, double feather) {
            return FaceRegions.mask(alignedLandmarks(size), size, size, regions, grow, feather);
        }
    }

    /** One face to paste: face-api's face number {@code face} (0 = the largest) or, when given, 8 {@code points}; its edit. */
    public record EditedFace(int face, double[] points, RgbImage edited) {
        public EditedFace {
            Objects.requireNonNull(edited, "edited");
        }
    }

    /** The whole photo with every face pasted, each face's place and what its paste did, in the order given. */
    public record Pasted(RgbImage photo, List<PlacedFace> faces, List<PasteBack.Result> results) {
    }

    /**
     * Face number {@code face} (0 = the largest) as face-api's SSD detector and landmarks find it in the networks of
     * {@code faceApiDir}, or the face of the 8 {@code points} when given (eye centres, outer mouth corners).
     */
    public static PlacedFace locate(NDManager manager, Path faceApiDir, RgbImage photo, String photoName, int face, double[] points)
            throws ModelFileException, NoFaceException {
        if (points != null) return fromPoints(points);
        return PlacedFace.of(PhotoAlignment.face(manager, faceApiDir, photo, photoName, PhotoAlignment.FOR_INVERSION, face));
    }

    /** Every face face-api finds, largest first. */
    public static List<PlacedFace> locateAll(NDManager manager, Path faceApiDir, RgbImage photo, String photoName)
            throws ModelFileException, NoFaceException {
        PhotoAlignment.requireFaceApi(faceApiDir);
        List<PlacedFace> out = new ArrayList<>();
        for (FaceApi.Face f : PhotoAlignment.faces(manager, faceApiDir, photo, PhotoAlignment.FOR_INVERSION, photoName)) out.add(PlacedFace.of(f));
        return out;
    }

    /** Pastes each edited image into the photo in turn (a later face over an earlier one where their masks meet). */
    public static Pasted paste(RgbImage photo, List<PlacedFace> faces, List<RgbImage> edited, PasteBack.Options options) {
        if (faces.size() != edited.size()) {
            throw new IllegalArgumentException(faces.size() + " face(s) but " + edited.size() + " edited image(s)");
        }
        RgbImage current = photo;
        List<PasteBack.Result> results = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            PlacedFace f = faces.get(i);
            RgbImage e = edited.get(i);
            PasteBack.Result r = PasteBack.paste(current, e, f.map(e.width()), f.landmarks(), options);
            results.add(r);
            current = r.image();
        }
        return new Pasted(current, List.copyOf(faces), results);
    }

    /**
     * The whole job from files: the photo read upright, its faces detected once (only when some face is asked for by
     * number), each edited image pasted in turn.
     */
    public static Pasted pasteFile(NDManager manager, Path faceApiDir, Path photoFile, List<EditedFace> edits, PasteBack.Options options)
            throws ImageFileException, ModelFileException {
        if (edits.isEmpty()) throw new IllegalArgumentException("no edited face to paste");
        RgbImage photo = Images.read(photoFile);
        String name = photoFile.getFileName() == null ? photoFile.toString() : photoFile.getFileName().toString();
        List<PlacedFace> found = null;
        List<PlacedFace> faces = new ArrayList<>();
        List<RgbImage> edited = new ArrayList<>();
        for (EditedFace e : edits) {
            if (e.points() != null) faces.add(fromPoints(e.points()));
            else {
                if (found == null) found = locateAll(manager, faceApiDir, photo, name);
                faces.add(PhotoAlignment.pick(found, e.face()));
            }
            edited.add(e.edited());
        }
        return paste(photo, faces, edited, options);
    }

    private static PlacedFace fromPoints(double[] points) {
        return PlacedFace.of(FaceApiAlign.quadFromPoints(points, FfhqAlign.Variant.FFHQ));
    }
}
