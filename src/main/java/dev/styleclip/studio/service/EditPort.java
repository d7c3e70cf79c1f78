package dev.styleclip.studio.service;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.WGroups;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.SourcePort.GenerateRequest;
import dev.styleclip.studio.service.SourcePort.Rendered;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The Edit tab's port: optimisation runs, rendering an edit stack, what a run would need, face-api's check. */
public interface EditPort extends StudioPort {

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

    /**
     * One text edit to run. {@code groups}: coarse / medium / fine switched on; {@code regions}: the parts of the face
     * it may change, with λ_keep (null: all of it).
     */
    record EditRequest(String prompt, EditMethod method, Latent start, GenerateRequest source, double lambdaL2,
                       double lambdaId, double lr, int steps, String schedule, Set<WGroups.Group> groups, EditRegions regions) {
        /** An edit of the whole face. */
        public EditRequest(String prompt, EditMethod method, Latent start, GenerateRequest source, double lambdaL2,
                           double lambdaId, double lr, int steps, String schedule, Set<WGroups.Group> groups) {
            this(prompt, method, start, source, lambdaL2, lambdaId, lr, steps, schedule, groups, null);
        }

        /** The same edit with other weights and prompt (a compare grid's cell). */
        public EditRequest with(String p, double l2, double id) {
            return new EditRequest(p, method, start, source, l2, id, lr, steps, schedule, groups, regions);
        }
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
     * The source latent with an edit stack on top (W-space steps in order, then StyleSpace offsets: see
     * {@link dev.styleclip.edit.recipe.RecipeRenderer}). {@code metricsPrompt}: when not null, the result carries the
     * CLIP score for that text and the identity similarity and LPIPS to the unedited source.
     */
    record StackRequest(Latent base, List<RecipeStep> steps, GenerateRequest source, String metricsPrompt) {
        public StackRequest {
            steps = List.copyOf(steps);
        }
    }

    Task edit(EditRequest request, Listener<EditResult> listener);

    /** Renders a source latent with an edit stack (and scores it when asked). */
    Task renderStack(StackRequest request, Listener<Rendered> listener);

    /**
     * What a run of this method would need in memory now ("needs about 3.2 GiB of 19.8 GiB; …"), computed on the
     * compute thread from the generator's architecture ({@code regions}: with the keep term's LPIPS pass); fails with
     * the refusal's message when it cannot fit.
     */
    Task memoryEstimate(EditMethod method, boolean regions, Listener<String> listener);

    /**
     * The landmarks a region-limited run would draw its regions from on {@code picture} (a face as the generator draws
     * it): face-api's when installed and it finds a face, else the FFHQ mean face, with the note saying which — the
     * live view's region overlay.
     */
    Task faceLandmarks(Pixels picture, Listener<FaceLandmarks> listener);

    /** Whether face-api's networks are installed (the face check next to the ArcFace score). */
    boolean faceApiAvailable();

    /**
     * face-api's opinion on the source and current pictures: "same person (descriptor distance …)", expression, age
     * and gender of each (one line, see {@link dev.styleclip.model.face.FaceCheck}).
     */
    Task faceCheck(Pixels before, Pixels after, Listener<String> listener);
}
