package dev.styleclip.studio.service;

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
     * compute thread from the generator's architecture; fails with the refusal's message when it cannot fit.
     */
    Task memoryEstimate(EditMethod method, Listener<String> listener);

    /** Whether face-api's networks are installed (the face check next to the ArcFace score). */
    boolean faceApiAvailable();

    /**
     * face-api's opinion on the source and current pictures: "same person (descriptor distance …)", expression, age
     * and gender of each (one line, see {@link dev.styleclip.model.face.FaceCheck}).
     */
    Task faceCheck(Pixels before, Pixels after, Listener<String> listener);
}
