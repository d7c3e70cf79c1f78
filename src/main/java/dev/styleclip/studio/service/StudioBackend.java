package dev.styleclip.studio.service;

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

    /** An image from the generator with the latent that made it. */
    record Rendered(Pixels image, Latents ws, String generator, boolean demo) {
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
    record EditRequest(String prompt, EditMethod method, Latents start, GenerateRequest source, double lambdaL2,
                       double lambdaId, double lr, int steps, String schedule, boolean coarse, boolean medium, boolean fine) {
    }

    /**
     * The outcome of an edit: final image and latent, and the scores of the final frame. {@code warning}: why the run
     * stopped early (NaN/Inf: the last good step was kept), else null.
     */
    record EditResult(EditRequest request, Pixels image, Latents ws, Map<String, Double> metrics, String warning) {
        public EditResult(EditRequest request, Pixels image, Latents ws, Map<String, Double> metrics) {
            this(request, image, ws, metrics, null);
        }
    }

    String deviceName();

    /** The generator in use: its file name, or {@code "demo network"}. */
    String generatorLabel();

    boolean demo();

    Task generate(GenerateRequest request, Listener<Rendered> listener);

    /** Renders a latent with the input transform of {@code source} (null: identity). */
    Task synthesize(Latents ws, GenerateRequest source, Listener<Rendered> listener);

    /** Reads a photo and finds its faces (scores, boxes). */
    Task detectFaces(Path photo, Listener<PhotoFaces> listener);

    /**
     * FFHQ-aligns a face of a photo at the generator's resolution: the detected face {@code faceIndex}, or, when
     * {@code points} is given, from 8 numbers (left eye x,y, right eye, left mouth corner, right mouth corner).
     */
    Task align(Path photo, int faceIndex, double[] points, Listener<Pixels> listener);

    /** Whether an edit method's engine is available in this build. */
    boolean editAvailable(EditMethod method);

    /** Why a method is not available (a tooltip), or null. */
    default String editUnavailableReason(EditMethod method) {
        return editAvailable(method) ? null : method.label() + " is not available in this build yet";
    }

    Task edit(EditRequest request, Listener<EditResult> listener);

    @Override
    void close();
}
