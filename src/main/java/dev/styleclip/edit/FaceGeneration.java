package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A face from a seed, as NVIDIA's gen_images.py makes it (z from the seed, mapping with truncation ψ, synthesis with the
 * user's translate / rotate), or the picture of a latent the user already has: the studio's Generate and Render and the
 * {@code generate} command. The generator comes from the compute thread's model cache and the synthesis plan from the
 * job's memory budget, planned once per instance so a command that renders many seeds plans once.
 */
public final class FaceGeneration {
    /** The truncation ψ a seed's face gets unless the user picks another: the studio's and the CLI's. */
    public static final double DEFAULT_PSI = 0.7;


    /**
     * @param truncCutoff truncate only the first n ws (null: all)
     * @param transform   the user's input transform ({@link InputTransform#make}), or null for the generator's stored one
     */
    public record Request(long seed, double psi, Integer truncCutoff, double[][] transform) {
    }

    /** The picture and the latent [1, num_ws, w_dim] it was synthesised from. */
    public record Result(BufferedImage image, Latent ws) {
    }

    private final StyleGan3Generator generator;
    private final MemoryPlanner.Plan plan;

    private FaceGeneration(StyleGan3Generator generator, MemoryPlanner.Plan plan) {
        this.generator = generator;
        this.plan = plan;
    }

    /** The generator of {@code source} and its memory plan for one image under the job's budget. */
    public static FaceGeneration load(JobContext ctx, GeneratorSource source) throws Exception {
        StyleGan3Generator g = EditNetworks.generator(ctx, source);
        return new FaceGeneration(g, MemoryPlanner.plan(ctx, MemoryPlanner.Task.GENERATE, 1, g, List.of()));
    }

    /** The job of one seed (what the studio's Generate runs). */
    public static Job<Result> job(GeneratorSource source, Request request) {
        return ctx -> load(ctx, source).generate(ctx, request);
    }

    /** The job that renders a latent (what the studio's Render runs after the transform changed). */
    public static Job<Result> renderJob(GeneratorSource source, Latent ws, double[][] transform) {
        return ctx -> load(ctx, source).render(ctx, ws, transform);
    }

    public StyleGan3Generator generator() {
        return generator;
    }

    public MemoryPlanner.Plan plan() {
        return plan;
    }

    /** One seed's face; its arrays live in one step's scope. */
    public Result generate(JobContext ctx, Request r) throws Exception {
        StyleGan3Generator.Options o = options(generator, plan, r.transform());
        return ctx.step(sm -> {
            NDArray ws = generator.mapping(generator.seedZ(sm, r.seed()), r.psi(), r.truncCutoff());
            NDArray img = generator.synthesis(ws, o);
            return new Result(GeneratorImages.toImage(img, 0), new Latent(generator.numWs(), generator.wDim(), ws.toFloatArray()));
        });
    }

    /** The picture of {@code ws}, which must be of this generator's shape. */
    public Result render(JobContext ctx, Latent ws, double[][] transform) throws Exception {
        checkShape(generator, ws);
        StyleGan3Generator.Options o = options(generator, plan, transform);
        return ctx.step(sm -> new Result(GeneratorImages.toImage(generator.synthesis(array(sm, ws), o), 0), ws));
    }

    /** {@code ws} as a [1, num_ws, w_dim] array of {@code m}. */
    public static NDArray array(NDManager m, Latent ws) {
        return m.create(ws.values(), new Shape(1, ws.numWs(), ws.wDim()));
    }

    /** The plan's options with the inverse of the user's transform (synthesis maps output to input coordinates). */
    public static StyleGan3Generator.Options options(StyleGan3Generator g, MemoryPlanner.Plan plan, double[][] transform) {
        StyleGan3Generator.Options o = StyleGan3Generator.Options.with(plan.synthesis());
        return transform == null ? o : o.transform(InputTransform.inverse(transform));
    }

    /** Refuses a latent made for another generator, before any work. */
    public static void checkShape(StyleGan3Generator g, Latent ws) {
        if (ws.numWs() != g.numWs() || ws.wDim() != g.wDim()) {
            throw new IllegalArgumentException("the latent is " + ws.numWs() + "x" + ws.wDim() + " but the generator takes "
                    + g.numWs() + "x" + g.wDim() + " (was it made with another generator?)");
        }
    }
}
