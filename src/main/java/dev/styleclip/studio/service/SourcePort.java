package dev.styleclip.studio.service;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.runtime.Pixels;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The Source tab's port: the generator in use, faces from seeds and latents, photos found, aligned and inverted. */
public interface SourcePort extends StudioPort {

    /**
     * An image from the generator with the W+ latent that made it (for an edit stack: the latent after its W-space
     * steps) and, when asked for, its scores against the source ({@code clip_score}, {@code id_similarity},
     * {@code lpips}; else empty).
     */
    record Rendered(Pixels image, Latent ws, String generator, boolean demo, Map<String, Double> metrics) {
        public Rendered {
            metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        }

        public Rendered(Pixels image, Latent ws, String generator, boolean demo) {
            this(image, ws, generator, demo, Map.of());
        }
    }

    /** Where to sample: the seed's z (numpy's legacy generator, as gen_images.py), ψ, and the SG3 input transform. */
    record GenerateRequest(long seed, double psi, double translateX, double translateY, double rotateDeg) {
        /** The input transform {@code r} asks for; none without one (a latent from a file is rendered untransformed). */
        static double[][] transformOf(GenerateRequest r) {
            return r == null ? InputTransform.identity() : InputTransform.make(r.translateX(), r.translateY(), r.rotateDeg());
        }
    }

    /**
     * A face found in a photo: detector score, box and its 68 landmarks ({@code landmarks[i] = {x, y}}, iBUG order;
     * empty when not known), in photo pixels.
     */
    record FaceBox(double score, double x, double y, double width, double height, double[][] landmarks) {
        public FaceBox {
            landmarks = landmarks == null ? new double[0][] : landmarks;
        }
    }

    /** A photo read for import, with the faces found (empty when none or when the face networks are missing). */
    record PhotoFaces(Path file, Pixels photo, List<FaceBox> faces, String note) {
    }

    /** Photo → latent: the photo, the face (index, or 8 clicked numbers), method and its effort. */
    record InvertRequest(Path photo, int faceIndex, double[] points, PhotoInversion.Method method, int steps, int iterations) {
    }

    /** An inverted photo: the aligned face, the generator's reconstruction, its latent and how faithful it is. */
    record Inverted(Pixels aligned, Pixels reconstruction, Latent ws, PhotoInversion.Method method, double lpips,
                    double idSimilarity, long elapsedMs) {
    }

    /** The generator in use: its file name, or {@code "demo network"}. */
    String generatorLabel();

    boolean demo();

    /**
     * The generators to choose from: the installed pickles, then the demo networks in the published architectures
     * (random weights: for trying the app and its memory plans at real sizes).
     */
    List<GeneratorSource> generators();

    /**
     * The side of the pictures of the generator in use, in pixels, read from its architecture without building it
     * (the defaults of the long runs follow it); 0 when its file cannot be read (the next job says why).
     */
    int generatorResolution();

    /** The generator of the following jobs. */
    GeneratorSource generator();

    /** Makes {@code source} the generator of every following job (null: the catalog's default). */
    void chooseGenerator(GeneratorSource source);

    /** Whether a ReStyle encoder checkpoint is installed (then it is the default inversion). */
    boolean encoderAvailable();

    Task generate(GenerateRequest request, Listener<Rendered> listener);

    /** Renders a latent with the input transform of {@code source} (null: identity). */
    Task synthesize(Latent ws, GenerateRequest source, Listener<Rendered> listener);

    /** Reads a photo and finds its faces (scores, boxes). */
    Task detectFaces(Path photo, Listener<PhotoFaces> listener);

    /**
     * FFHQ-aligns a face of a photo at the generator's resolution: the detected face {@code faceIndex}, or, when
     * {@code points} is given, from 8 numbers (left eye x,y, right eye, left mouth corner, right mouth corner).
     */
    Task align(Path photo, int faceIndex, double[] points, Listener<Pixels> listener);

    /** Aligns a face of a photo and inverts it into the generator's latent space, streaming frames. */
    Task invert(InvertRequest request, Listener<Inverted> listener);
}
