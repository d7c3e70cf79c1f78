package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.encoder.EncoderPreprocess;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Inversion of one aligned photo by a ReStyle encoder ({@link RestyleInversion}): the photo is resized to the encoder's
 * input (Pillow bilinear, as the encoders' {@code transform_inference}), then the iterative refinement runs; one
 * {@link Frame} per iteration with the reconstruction as preview and, when the networks are given, its LPIPS distance
 * and identity similarity to the photo (both measured at the decoder resolution, the photo resized there with the same
 * bilinear filter). Cancellable between iterations. The result is the last latent, {@code [1, n_styles, w_dim]}.
 */
public final class EncoderInversion implements Job<EncoderInversion.Result> {

    /** @param latents one {@code [n_styles · w_dim]} latent per iteration; the last is the result */
    public record Result(float[] w, int numWs, int wDim, List<float[]> latents, double lpips, double idSimilarity,
                         long elapsedMs) {
        public long[] shape() {
            return new long[]{1, numWs, wDim};
        }
    }

    private final RestyleInversion inversion;
    private final RgbImage photo;
    private final int iterations;
    private final Lpips lpips;
    private final IdentityLoss identity;

    /**
     * @param iterations ReStyle iterations (≤ 0: the checkpoint's default)
     * @param lpips      may be null (no LPIPS metric)
     * @param identity   may be null (no identity metric)
     */
    public EncoderInversion(RestyleInversion inversion, RgbImage photo, int iterations, Lpips lpips, IdentityLoss identity) {
        this.inversion = inversion;
        this.photo = photo;
        this.iterations = iterations > 0 ? iterations : inversion.defaultIterations();
        this.lpips = lpips;
        this.identity = identity;
    }

    @Override
    public Result run(JobContext ctx) throws Exception {
        int s = inversion.inputSize();
        int r = inversion.decoder().resolution();
        int numWs = inversion.encoder().nStyles();
        int wDim = inversion.encoder().wDim();
        NDManager jm = ctx.manager();
        NDArray x = EncoderPreprocess.input(List.of(photo), s, jm);
        NDArray atRes = EncoderPreprocess.input(List.of(photo), r, jm);
        NDArray target = lpips == null ? null : Lpips.lossSized(atRes);
        NDArray idTarget = identity == null ? null : identity.features(atRes);
        Lpips.Target lt = target == null ? null : lpips.target(target);
        List<float[]> latents = new ArrayList<>();
        double[] last = {Double.NaN, Double.NaN};
        List<MemoryFootprint> others = new ArrayList<>(List.of(inversion.encoder()));
        if (lpips != null) others.add(lpips);
        if (identity != null) others.add(identity);
        MemoryPlanner.Plan mem = MemoryPlanner.plan(ctx, MemoryPlanner.Task.ENCODER_INVERSION, 1, inversion.decoder(), others);
        ctx.emit(Frame.status(ctx.jobName(), 0, iterations, ctx.elapsedMs(), "encoding with " + inversion.encoder().kind().label()
                + "; memory: " + mem.summary()));
        try {
            // the loop itself is one call; cancellation and frames happen per iteration inside the listener
            ctx.step(sm -> {
                NDArray xs = x.duplicate();
                xs.attach(sm);
                inversion.invert(xs, iterations, null, mem.synthesis(), (k, out, latent, image, fb) -> {
                    ctx.checkCancelled();
                    latents.add(latent.toFloatArray());
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    if (lt != null) {
                        double d = lpips.distance(Lpips.lossSized(image), lt).sum().getFloat();
                        metrics.put("lpips", d);
                        last[0] = d;
                    }
                    if (idTarget != null) {
                        NDArray f = identity.features(image);
                        double sim = f.mul(idTarget).sum().getFloat();
                        metrics.put("id_similarity", sim);
                        last[1] = sim;
                    }
                    ctx.emit(new Frame(ctx.jobName(), k, iterations, Map.of(), Double.NaN, metrics, Projection.pixels(image),
                            ctx.elapsedMs(), "iteration " + k + "/" + iterations));
                }, null);
                return null;
            });
        } finally {
            if (lt != null) lt.close();
        }
        float[] w = latents.get(latents.size() - 1);
        return new Result(w, numWs, wDim, latents, last[0], last[1], ctx.elapsedMs());
    }

}
