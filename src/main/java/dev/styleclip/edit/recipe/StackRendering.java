package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDArray;
import dev.styleclip.edit.ClipLoss;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.Metrics;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;

/**
 * A latent rendered with an edit stack: the studio's picture after every change of the stack, and each input of
 * {@code apply-recipe}. The W+ steps give the edited latent, the StyleSpace directions are added on top for the picture
 * only ({@link RecipeRenderer}); the unedited picture comes along when asked for, and with a metrics prompt the edit is
 * scored against it (CLIP, ID, LPIPS: {@link Metrics}), which loads those networks only then.
 */
public final class StackRendering {
    private StackRendering() {
    }

    /**
     * @param transform     the user's input transform ({@code InputTransform.make}), or null for the generator's stored one
     * @param metricsPrompt the text to score the edit against, or null / blank for no metrics
     * @param withSource    also return the unedited picture
     */
    public record Request(Latent base, List<RecipeStep> steps, double[][] transform, String metricsPrompt, boolean withSource) {
        boolean metrics() {
            return metricsPrompt != null && !metricsPrompt.isBlank();
        }
    }

    /**
     * @param edited  the latent after the W+ steps (directions live in StyleSpace and do not change it)
     * @param source  the unedited picture (null unless asked for)
     * @param metrics empty without a metrics prompt
     */
    public record Result(BufferedImage image, Latent edited, BufferedImage source, Map<String, Double> metrics) {
    }

    /** The job; {@code files} names the generator, and the scoring networks when the request asks for metrics. */
    public static Job<Result> job(EditNetworks.Files files, Request request) {
        return ctx -> render(ctx, files, request);
    }

    /** Renders within the running job: the checks and the plan first, then one step for all the arrays. */
    public static Result render(JobContext ctx, EditNetworks.Files files, Request r) throws Exception {
        StyleGan3Generator g = EditNetworks.generator(ctx, files.generator());
        Latent base = r.base();
        FaceGeneration.checkShape(g, base);
        RecipeRenderer.check(ctx, g, r.steps());
        StyleGan3Generator.Options o = FaceGeneration.options(g, MemoryPlanner.plan(ctx, MemoryPlanner.Task.GENERATE, 1, g,
                List.of()), r.transform());
        // only the directions are left to add after applyW; rendering those alone keeps the mappers from running twice
        List<RecipeStep> styleSteps = r.steps().stream().filter(s -> s instanceof RecipeStep.Direction).toList();
        return ctx.step(sm -> {
            NDArray w0 = FaceGeneration.array(sm, base);
            NDArray w = RecipeRenderer.applyW(ctx, g, r.steps(), w0);
            NDArray img = styleSteps.isEmpty() ? g.synthesis(w, o) : RecipeRenderer.render(ctx, g, styleSteps, w, o);
            NDArray source = r.withSource() || r.metrics() ? g.synthesis(w0, o) : null;
            Map<String, Double> metrics = Map.of();
            if (r.metrics()) {
                EditNetworks nets = EditNetworks.load(ctx.models(), files);
                metrics = Metrics.of(nets, ClipLoss.of(nets, r.metricsPrompt()), img, source).asMap();
            }
            return new Result(GeneratorImages.toImage(img, 0), new Latent(base.numWs(), base.wDim(), w.toFloatArray()),
                    r.withSource() ? GeneratorImages.toImage(source, 0) : null, metrics);
        });
    }
}
