package dev.styleclip.studio.service;

import dev.styleclip.edit.Latent;
import java.util.Set;
import dev.styleclip.edit.WGroups;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the view models ask of the compute side. Every call returns at once; the listener is called later on the FX
 * thread (a test double may call it at once). Results carry {@link Pixels} and {@link Latents}, never NDArrays.
 */
public interface StudioBackend extends AutoCloseable {

    /** Receives the outcome of one task (on the FX thread). */
    interface Listener<R> {
        default void frame(Frame f) {
        }

        void done(R result);

        void failed(Throwable error);

        default void cancelled() {
        }
    }

    /** A running task: cancel, pause and resume are safe from any thread. */
    interface Task {
        void cancel();

        void pause();

        void resume();

        boolean isPaused();

        Task NONE = new Task() {
            public void cancel() {
            }

            public void pause() {
            }

            public void resume() {
            }

            public boolean isPaused() {
                return false;
            }
        };
    }

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

    /**
     * The source latent with an edit stack on top (W-space steps in order, then StyleSpace offsets: see
     * {@link dev.styleclip.edit.recipe.RecipeRenderer}). {@code metricsPrompt}: when not null, the result carries the
     * CLIP score for that text and the identity similarity and LPIPS to the unedited source.
     */
    record StackRequest(Latent base, List<RecipeStep> steps, GenerateRequest source, String metricsPrompt) {
        public StackRequest {
            steps = List.copyOf(steps);
        }
    }

    /** A global direction in StyleSpace: neutral → target text, strength α, disentanglement threshold β. */
    record DirectionRequest(String neutral, String target, double alpha, double beta) {
    }

    /** Whether the channel effects of global directions are ready for the installed generator + CLIP. */
    record DirectionsInfo(boolean prepared, Path folder, String description) {
    }

    /** Photo → latent: the photo, the face (index, or 8 clicked numbers), method and its effort. */
    record InvertRequest(Path photo, int faceIndex, double[] points, PhotoInversion.Method method, int steps, int iterations) {
    }

    /** An inverted photo: the aligned face, the generator's reconstruction, its latent and how faithful it is. */
    record Inverted(Pixels aligned, Pixels reconstruction, Latent ws, PhotoInversion.Method method, double lpips,
                    double idSimilarity, long elapsedMs) {
    }

    /** Where to sample: the seed's z (numpy's legacy generator, as gen_images.py), ψ, and the SG3 input transform. */
    record GenerateRequest(long seed, double psi, double translateX, double translateY, double rotateDeg) {
    }

    /** A face found in a photo: detector score and box in photo pixels. */
    record FaceBox(double score, double x, double y, double width, double height) {
    }

    /** A photo read for import, with the faces found (empty when none or when the face networks are missing). */
    record PhotoFaces(Path file, Pixels photo, List<FaceBox> faces, String note) {
    }

    /** The editing methods of the studio. */
    enum EditMethod {
        OPTIMIZE_W("optimise w"), OPTIMIZE_Z("optimise z"), MAPPER("latent mapper"), GLOBAL_DIRECTION("global direction");

        private final String label;

        EditMethod(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One text edit to run. {@code layers}: coarse / medium / fine switched on. */
    record EditRequest(String prompt, EditMethod method, Latent start, GenerateRequest source, double lambdaL2,
                       double lambdaId, double lr, int steps, String schedule, Set<WGroups.Group> groups) {
    }

    /**
     * The outcome of an edit: final image and latent, and the scores of the final frame. {@code warning}: why the run
     * stopped early (NaN/Inf: the last good step was kept), else null.
     */
    record EditResult(EditRequest request, Pixels image, Latent ws, Map<String, Double> metrics, String warning) {
        public EditResult(EditRequest request, Pixels image, Latent ws, Map<String, Double> metrics) {
            this(request, image, ws, metrics, null);
        }
    }

    /**
     * A latent mapper to train for one prompt into {@code folder} ({@code mapper.safetensors}, {@code checkpoint.json}):
     * a folder that holds a checkpoint is resumed (same prompt, steps per epoch, batch and seed). Groups: coarse /
     * medium / fine mapped. {@code psi} / {@code seed}: truncation of the sampled w and the seed of weights and batches.
     */
    record MapperTrainRequest(String prompt, Path folder, int epochs, int stepsPerEpoch, int batch, double lr,
                              double lambdaL2, double lambdaId, Set<WGroups.Group> groups,
                              double plateauFactor, int plateauPatience, double psi, long seed) {
    }

    /**
     * A finished mapper training: the mapper file, epochs done, last epoch's mean loss and lr, whether it resumed a
     * checkpoint, and which networks it ran on ({@code networks}: one line, naming demo networks; {@code demo}: any).
     */
    record MapperTrainResult(MapperTrainRequest request, Path mapperFile, int epochsDone, double lastLoss, double lr,
                             boolean resumed, String networks, boolean demo) {
    }

    String deviceName();

    /** The generator in use: its file name, or {@code "demo network"}. */
    String generatorLabel();

    boolean demo();

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

    Task edit(EditRequest request, Listener<EditResult> listener);

    /** Renders a source latent with an edit stack (and scores it when asked). */
    Task renderStack(StackRequest request, Listener<Rendered> listener);

    /** Global directions: whether they are prepared for the installed generator + CLIP. */
    DirectionsInfo directionsInfo();

    /** Measures the channel effects of global directions over {@code images} faces (long; resumable; cached). */
    Task prepareDirections(int images, dev.styleclip.edit.directions.Precision precision, Listener<Path> listener);

    /** Takes the channel effects published by stylegan3-editing from a folder instead of measuring them. */
    Task importDirections(Path folder, Listener<Path> listener);

    /** Turns a neutral/target text pair into a StyleSpace edit step. */
    Task direction(DirectionRequest request, Listener<RecipeStep.Direction> listener);

    /** Whether a ReStyle encoder checkpoint is installed (then it is the default inversion). */
    boolean encoderAvailable();

    /**
     * The generators to choose from: the installed pickles, then the demo networks in the published architectures
     * (random weights: for trying the app and its memory plans at real sizes).
     */
    default List<GeneratorSource> generators() {
        return DemoNetworks.ARCHITECTURES.stream().map(GeneratorSource::demo).toList();
    }

    /** The generator of the following jobs. */
    default GeneratorSource generator() {
        return GeneratorSource.demo(DemoNetworks.DEFAULT);
    }

    /** Makes {@code source} the generator of every following job (null: the catalog's default). */
    default void chooseGenerator(GeneratorSource source) {
    }

    /** Sets the memory budget jobs plan against, in bytes (0: automatic, a safe share of what is free). */
    default void setMemoryBudget(long bytes) {
    }

    /**
     * What a run of this method would need in memory now ("needs about 3.2 GiB of 19.8 GiB; …"), computed on the
     * compute thread from the generator's architecture; fails with the refusal's message when it cannot fit.
     */
    default Task memoryEstimate(EditMethod method, Listener<String> listener) {
        listener.done("");
        return Task.NONE;
    }

    /** Whether face-api's networks are installed (the face check next to the ArcFace score). */
    default boolean faceApiAvailable() {
        return false;
    }

    /**
     * face-api's opinion on the source and current pictures: "same person (descriptor distance …)", expression, age
     * and gender of each (one line, see {@link dev.styleclip.model.face.FaceCheck}).
     */
    default Task faceCheck(Pixels before, Pixels after, Listener<String> listener) {
        listener.failed(new UnsupportedOperationException("face-api's networks are not installed"));
        return Task.NONE;
    }

    /** Aligns a face of a photo and inverts it into the generator's latent space, streaming frames. */
    Task invert(InvertRequest request, Listener<Inverted> listener);

    /**
     * Trains a latent mapper on the compute thread. Frames: one per step (losses "total", "clip", "l2", "id", lr,
     * metric "epoch") and one per epoch (loss "epoch_loss", the sample grid as preview: originals on top, edits at the
     * training strength below, message "epoch k/N checkpoint written"); every frame reaches the listener, in order.
     */
    default Task trainMapper(MapperTrainRequest request, Listener<MapperTrainResult> listener) {
        listener.failed(new UnsupportedOperationException("mapper training is not available in this build"));
        return Task.NONE;
    }

    @Override
    void close();
}
