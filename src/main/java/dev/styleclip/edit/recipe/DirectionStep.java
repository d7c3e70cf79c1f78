package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.directions.DirectionsPrepareJob;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A StyleCLIP global-direction step from a text pair: how much each StyleSpace channel moves CLIP's image embedding
 * along neutral → target (the relevance, from the prepared channel effects), then, per threshold β, the direction of
 * the channels that pass it. The studio's Global direction adds it to the edit stack; {@code directions apply}
 * measures once and renders a grid over several β and α. It lives with the edit stack because its product is a stack
 * step ({@code edit.directions} cannot see {@code edit.recipe}: the stack renders directions).
 */
public final class DirectionStep {
    /** The method name recipes store for this kind of step (the studio's {@code EditMethod.GLOBAL_DIRECTION}). */
    public static final String METHOD = "GLOBAL_DIRECTION";

    /** @param alpha the step's strength, @param beta the relevance threshold */
    public record Request(String neutral, String target, double alpha, double beta) {
    }

    private final String neutral;
    private final String target;
    private final float[] relevance;
    private final float[] sStd;
    private final int channels;

    private DirectionStep(String neutral, String target, float[] relevance, float[] sStd, int channels) {
        this.neutral = neutral;
        this.target = target;
        this.relevance = relevance;
        this.sStd = sStd;
        this.channels = channels;
    }

    /** The relevance of every channel for neutral → target; temporaries in {@code m}. */
    public static DirectionStep measure(StyleGan3Generator g, ClipModel clip, DirectionsPrepareJob.Prepared prepared, Path file,
                                        String neutral, String target, NDManager m) {
        float[] rel = GlobalDirections.relevance(g, clip, prepared, file, neutral, target, m);
        return new DirectionStep(neutral, target, rel, prepared.sStd(), GlobalDirections.channelCount(g));
    }

    /**
     * The studio's job: the networks and the prepared channel effects of {@code prepared} from the model cache (keyed
     * by the file's modification time, so a new preparation is read again), then one step.
     */
    public static Job<RecipeStep.Direction> job(EditNetworks.Files files, Path prepared, Request r) {
        return ctx -> {
            EditNetworks nets = EditNetworks.load(ctx.models(), files);
            DirectionsPrepareJob.Prepared p = prepared(ctx, prepared);
            return ctx.step(sm -> measure(nets.generator(), nets.clip(), p, prepared, r.neutral(), r.target(), sm)
                    .step(r.alpha(), r.beta()));
        };
    }

    private static DirectionsPrepareJob.Prepared prepared(JobContext ctx, Path file) throws Exception {
        return ctx.models().get("directions", file.toAbsolutePath() + "@" + Files.getLastModifiedTime(file).toMillis(),
                DirectionsPrepareJob.Prepared.class, () -> DirectionsPrepareJob.load(file));
    }

    public int channels() {
        return channels;
    }

    /** The channels whose relevance passes {@code beta}, scaled by their spread. */
    public GlobalDirections.Direction direction(double beta) {
        return GlobalDirections.direction(relevance, sStd, beta);
    }

    /** The edit-stack step at strength {@code alpha}, with the settings a recipe records. */
    public RecipeStep.Direction step(double alpha, double beta) {
        GlobalDirections.Direction d = direction(beta);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("method", METHOD);
        settings.put("neutral", neutral);
        settings.put("target", target);
        settings.put("beta", beta);
        settings.put("active_channels", d.activeChannels());
        settings.put("channels", channels);
        return new RecipeStep.Direction(neutral + " → " + target, d.direction(), alpha, true, settings, Map.of());
    }
}
