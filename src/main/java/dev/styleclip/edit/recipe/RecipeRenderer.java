package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.io.Safetensors;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.JobContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Applies an edit stack on the compute thread. The W+ steps run in order (offset: w + s·delta; mapper: w + λ·M(w)),
 * then the enabled StyleSpace directions are summed onto W2S(w): S = W2S(w) + Σ α·direction, and the image is
 * synthesised from S. Steps that are switched off are skipped. Mappers are loaded once per file into the model cache.
 */
public final class RecipeRenderer {
    private RecipeRenderer() {
    }

    /** Fails with a clear message when a step cannot run on this generator (shape, missing or foreign mapper). */
    public static void check(JobContext ctx, StyleGan3Generator g, List<RecipeStep> steps) throws Exception {
        int i = 0;
        for (RecipeStep s : steps) {
            i++;
            String where = "edit " + i + " “" + s.label() + "”";
            if (!Double.isFinite(s.strength())) throw new IllegalArgumentException(where + ": the strength is not finite");
            if (s instanceof RecipeStep.LatentDelta d) {
                if (d.numWs() != g.numWs() || d.wDim() != g.wDim()) {
                    throw new IllegalArgumentException(where + ": its W+ offset is " + d.numWs() + "x" + d.wDim()
                            + " but the generator's latent is " + g.numWs() + "x" + g.wDim() + " (made with another generator?)");
                }
                checkReach(where, "W+ offset", d.delta(), s.strength());
            } else if (s instanceof RecipeStep.Direction d) {
                int c = GlobalDirections.channelCount(g);
                if (d.direction().length != c) {
                    throw new IllegalArgumentException(where + ": its StyleSpace direction has " + d.direction().length
                            + " channels but the generator has " + c + " (made with another generator?)");
                }
                checkReach(where, "StyleSpace direction", d.direction(), s.strength());
            } else if (s instanceof RecipeStep.Mapper m && s.enabled()) {
                mapper(ctx, g, m);
            }
        }
    }

    /**
     * The most an edit may move one latent or style coordinate. Real edits move them by units to tens (w and styles
     * are of order 1–10); anything beyond is a damaged or hostile recipe, and would render NaN or a black image.
     */
    static final double MAX_REACH = 1e4;

    private static void checkReach(String where, String what, float[] values, double strength) {
        double max = 0;
        for (float v : values) {
            if (!Float.isFinite(v)) throw new IllegalArgumentException(where + ": its " + what + " holds values that are not finite");
            max = Math.max(max, Math.abs(v));
        }
        double reach = max * Math.abs(strength);
        if (!(reach <= MAX_REACH)) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "%s: strength %.3g moves the %s by up to %.3g (more than %.0f): the recipe is damaged or the strength absurd",
                    where, strength, what, reach, MAX_REACH));
        }
    }

    /** The W+ latent after the enabled W+ steps (directions are left for {@link #render}); in {@code ws}' manager. */
    public static NDArray applyW(JobContext ctx, StyleGan3Generator g, List<RecipeStep> steps, NDArray ws) throws Exception {
        NDManager caller = ws.getManager();
        NDArray w = ws;
        for (RecipeStep s : steps) {
            if (!s.enabled()) continue;
            if (s instanceof RecipeStep.LatentDelta d) {
                NDArray delta = caller.create(d.delta(), new Shape(1, d.numWs(), d.wDim())).toType(ws.getDataType(), false);
                w = w.add(delta.mul(s.strength()));
            } else if (s instanceof RecipeStep.Mapper m) {
                LevelsMapper lm = mapper(ctx, g, m);
                w = lm.edit(w.toType(ai.djl.ndarray.types.DataType.FLOAT32, false), s.strength()).toType(ws.getDataType(), false);
            }
        }
        return w == ws ? ws.duplicate() : w;
    }

    /** The image [N, 3, H, W] of {@code ws} edited by the whole stack; in {@code ws}' manager. */
    public static NDArray render(JobContext ctx, StyleGan3Generator g, List<RecipeStep> steps, NDArray ws,
                                 StyleGan3Generator.Options options) throws Exception {
        NDArray w = applyW(ctx, g, steps, ws);
        float[] sum = null;
        for (RecipeStep s : steps) {
            if (s.enabled() && s instanceof RecipeStep.Direction d) {
                if (sum == null) sum = new float[d.direction().length];
                if (d.direction().length != sum.length) throw new IllegalArgumentException("the directions differ in length");
                float a = (float) s.strength();
                for (int j = 0; j < sum.length; j++) sum[j] += a * d.direction()[j];
            }
        }
        if (sum == null) return g.synthesis(w, options);
        NDArray flat = GlobalDirections.w2s(g, w);
        if (flat.getShape().get(1) != sum.length) {
            throw new IllegalArgumentException("a StyleSpace direction has " + sum.length + " channels but the generator has "
                    + flat.getShape().get(1));
        }
        NDArray edited = flat.add(ws.getManager().create(sum, new Shape(1, sum.length)).toType(flat.getDataType(), false));
        return GlobalDirections.synthesize(g, edited, options);
    }

    /** The step's mapper, from the model cache (keyed by file and modification time). */
    static LevelsMapper mapper(JobContext ctx, StyleGan3Generator g, RecipeStep.Mapper m) throws Exception {
        Path file = Files.isDirectory(m.file()) ? m.file().resolve(MapperTrainingJob.MAPPER_FILE) : m.file();
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("mapper “" + m.label() + "”: " + file + " is missing (moved or deleted?)");
        }
        Path abs = file.toAbsolutePath().normalize();
        String key = abs + "@" + Files.getLastModifiedTime(abs).toMillis() + "#" + g.numWs();
        LevelsMapper lm = ctx.models().get("mapper", key, LevelsMapper.class,
                () -> LevelsMapper.load(Safetensors.read(abs), g.numWs(), NDManager.newBaseManager(ctx.device())));
        if (lm.wDim() != g.wDim()) {
            throw new IllegalArgumentException("mapper “" + m.label() + "” (" + abs.getFileName() + ") is for w_dim " + lm.wDim()
                    + " but the generator has " + g.wDim());
        }
        return lm;
    }
}
