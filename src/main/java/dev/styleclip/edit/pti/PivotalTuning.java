package dev.styleclip.edit.pti;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.Projection;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.model.stylegan3.SynthesisWeights;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.Nd;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.Pixels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pivotal Tuning Inversion (Roich et al. 2021, {@code danielroich/PTI}; for StyleGAN3 as stylegan3-editing's
 * {@code run_pti_images.py}): the latent an inversion found is frozen as the pivot, and the generator's synthesis
 * weights — every layer's conv weight and bias and affine weight and bias, all but the Fourier-feature input — are tuned
 * so that G(pivot) reproduces the aligned photo. Each step:
 * <ul>
 *   <li>reconstruction: {@code λ_L2 · mean((G(pivot) − photo)²) + λ_LPIPS · LPIPS(G(pivot), photo)};</li>
 *   <li>stop, before any update, once the LPIPS distance is at most {@link Settings#lpipsStop} (PTI's
 *       {@code LPIPS_value_threshold});</li>
 *   <li>PTI's locality regulariser (on by default; PTI applies it every step with one sample): z ~ N(0, I) drawn as
 *       numpy's {@code RandomState(seed).randn(1, z_dim)} draws it, w = mapping(z, ψ = 0.5) of the original generator,
 *       w_r = pivot + α·(w − pivot)/‖w − pivot‖ (the norm over all num_ws × w_dim values, α = 30), and
 *       {@code 0.1 · mean((G_orig(w_r) − G(w_r))²) + 0.1 · LPIPS(G_orig(w_r), G(w_r))}, so that the network stays as it
 *       was away from the pivot and edits keep working;</li>
 *   <li>one Adam step (PyTorch's, lr 3e-4) on every weight with the sum of both terms' gradients.</li>
 * </ul>
 * The two terms back-propagate one after the other (their gradients add up in the weights' leaves), so the step's peak
 * is one forward + backward of the generator, as an edit step. LPIPS sees images area-averaged to
 * {@link Settings#lossSize} (256², as NVIDIA's projector; PTI's reference runs LPIPS at the full 1024², which would
 * take several GB more); the L2 terms use the full image. At 256² and below this is the reference exactly.
 *
 * <p>The tuned weights live in a tunable copy of the generator in the job's memory; the generator given (the model
 * cache's, shared with other jobs, and the regulariser's G_orig) is never changed. One {@link Frame} per step (losses
 * l2, lpips, locality, total; the learning rate; a preview every {@link Settings#previewEvery} steps); cancellable and
 * pausable between steps. A NaN or infinite loss or gradient stops the run before it touches the weights: the result
 * then holds the weights of the last good step and says why it stopped. The result holds no NDArray.
 */
public final class PivotalTuning implements Job<PivotalTuning.Result> {

    /**
     * The settings of one run. Defaults ({@link #defaults}) are PTI's: 350 steps, Adam lr 3e-4, stop at LPIPS ≤ 0.06,
     * λ_L2 = λ_LPIPS = 1, the locality regulariser on with α = 30, ψ = 0.5 and weights 0.1 / 0.1.
     *
     * @param seed         of the regulariser's z draws (numpy's RandomState)
     * @param lossSize     side LPIPS sees (larger images are area-averaged to it); 0 = the generator's size
     * @param previewEvery a preview picture every N steps (and the first and last); 0 = none
     */
    public record Settings(int steps, double lr, double lpipsStop, double l2Weight, double lpipsWeight, boolean locality,
                           double localityAlpha, double localityPsi, double localityL2Weight, double localityLpipsWeight,
                           long seed, int lossSize, int previewEvery) {
        public static final int DEFAULT_STEPS = 350;
        public static final double DEFAULT_LR = 3e-4;
        public static final double DEFAULT_LPIPS_STOP = 0.06;
        /** The most steps a run may take (PTI's 350 is plenty; a typo of a few zeros is not a plan). */
        public static final int MAX_STEPS = 100_000;

        public Settings {
            if (steps < 1 || steps > MAX_STEPS) throw new IllegalArgumentException("steps must be between 1 and " + MAX_STEPS + ", got " + steps);
            if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("the learning rate must be > 0, got " + lr);
            if (!(lpipsStop >= 0) || !Double.isFinite(lpipsStop)) throw new IllegalArgumentException("the LPIPS stop must be >= 0, got " + lpipsStop);
            requireWeight("L2 weight", l2Weight);
            requireWeight("LPIPS weight", lpipsWeight);
            requireWeight("locality L2 weight", localityL2Weight);
            requireWeight("locality LPIPS weight", localityLpipsWeight);
            if (l2Weight == 0 && lpipsWeight == 0) throw new IllegalArgumentException("the L2 and LPIPS weights cannot both be 0");
            if (!(localityAlpha > 0) || !Double.isFinite(localityAlpha)) throw new IllegalArgumentException("the locality distance must be > 0, got " + localityAlpha);
            if (!Double.isFinite(localityPsi)) throw new IllegalArgumentException("the locality truncation must be finite");
            if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("the seed must be in 0..4294967295, got " + seed);
            if (lossSize != 0 && (lossSize < 16 || lossSize > 4096)) throw new IllegalArgumentException("the LPIPS size must be 0 (full) or 16..4096, got " + lossSize);
            if (previewEvery < 0) throw new IllegalArgumentException("the preview interval must be >= 0, got " + previewEvery);
        }

        private static void requireWeight(String what, double v) {
            if (!(v >= 0) || !Double.isFinite(v)) throw new IllegalArgumentException("the " + what + " must be >= 0, got " + v);
        }

        /** PTI's defaults. */
        public static Settings defaults() {
            return new Settings(DEFAULT_STEPS, DEFAULT_LR, DEFAULT_LPIPS_STOP, 1, 1, true, 30, 0.5, 0.1, 0.1, 0, 256, 10);
        }

        public Settings withSteps(int n) {
            return new Settings(n, lr, lpipsStop, l2Weight, lpipsWeight, locality, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, seed, lossSize, previewEvery);
        }

        public Settings withLr(double x) {
            return new Settings(steps, x, lpipsStop, l2Weight, lpipsWeight, locality, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, seed, lossSize, previewEvery);
        }

        public Settings withLpipsStop(double x) {
            return new Settings(steps, lr, x, l2Weight, lpipsWeight, locality, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, seed, lossSize, previewEvery);
        }

        public Settings withLocality(boolean on) {
            return new Settings(steps, lr, lpipsStop, l2Weight, lpipsWeight, on, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, seed, lossSize, previewEvery);
        }

        public Settings withSeed(long s) {
            return new Settings(steps, lr, lpipsStop, l2Weight, lpipsWeight, locality, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, s, lossSize, previewEvery);
        }

        public Settings withLossSize(int size) {
            return new Settings(steps, lr, lpipsStop, l2Weight, lpipsWeight, locality, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, seed, size, previewEvery);
        }

        public Settings withPreviewEvery(int n) {
            return new Settings(steps, lr, lpipsStop, l2Weight, lpipsWeight, locality, localityAlpha, localityPsi, localityL2Weight,
                    localityLpipsWeight, seed, lossSize, n);
        }

        /** As plain values for reports and file metadata. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("steps", steps);
            m.put("lr", lr);
            m.put("lpips_stop", lpipsStop);
            m.put("l2_weight", l2Weight);
            m.put("lpips_weight", lpipsWeight);
            m.put("locality", locality);
            if (locality) {
                m.put("locality_alpha", localityAlpha);
                m.put("locality_psi", localityPsi);
                m.put("locality_l2_weight", localityL2Weight);
                m.put("locality_lpips_weight", localityLpipsWeight);
                m.put("seed", seed);
            }
            m.put("lpips_size", lossSize);
            return m;
        }
    }

    /**
     * The losses of one step, measured before its update: reconstruction L2 and LPIPS, the regulariser's weighted sum
     * (NaN when off, and on the step that stopped the run) and the weighted total.
     */
    public record StepRecord(int step, double l2, double lpips, double locality, double total) {
    }

    /** How a run ended. */
    public enum Outcome {
        /** Every step ran. */
        STEPS_DONE,
        /** The LPIPS distance reached the stop value (that step made no update). */
        LPIPS_REACHED,
        /** A loss or gradient was not finite; the weights are the last good step's. */
        DIVERGED
    }

    /**
     * The outcome (no NDArrays): the tuned synthesis weights (as the network file names them; see
     * {@link StyleGan3Generator#withSynthesisWeights}; on the grid their float32 differences from the base reproduce to
     * the bit, {@link TunedWeightsFile#reproducible}), the steps, the pivot's picture before and after with the final L2
     * and LPIPS distances to the photo.
     */
    public record Result(List<Tensor> weights, List<StepRecord> history, Outcome outcome, String message, RgbImage before,
                         RgbImage after, double l2After, double lpipsAfter, String memoryPlan, long elapsedMs) {
        public Result {
            weights = List.copyOf(weights);
            history = List.copyOf(history);
        }

        public int stepsDone() {
            return history.size();
        }
    }

    /**
     * Per-step hook for tests and tracing, on the compute thread after the step's update: the weights as they are now
     * and the step's gradients (arrays valid only inside the call).
     */
    @FunctionalInterface
    public interface StepTrace {
        void onStep(StepRecord record, SynthesisWeights weights, SynthesisWeights.Tracking gradients);
    }

    private final StyleGan3Generator base;
    private final Lpips lpips;
    private final Latent pivot;
    private final float[] target;
    private final Settings settings;
    private final StepTrace trace;

    /**
     * @param base   the generator to tune a copy of (not changed)
     * @param pivot  the inversion's latent, W+ of the generator's shape
     * @param target the aligned photo at the generator's resolution
     */
    public PivotalTuning(StyleGan3Generator base, Lpips lpips, Latent pivot, RgbImage target, Settings settings) {
        this(base, lpips, pivot, target, settings, null);
    }

    /** With a per-step hook (may be null). */
    public PivotalTuning(StyleGan3Generator base, Lpips lpips, Latent pivot, RgbImage target, Settings settings,
                         StepTrace trace) {
        int r = base.resolution();
        if (pivot.numWs() != base.numWs() || pivot.wDim() != base.wDim()) {
            throw new IllegalArgumentException("the pivot latent is [1, " + pivot.numWs() + ", " + pivot.wDim()
                    + "] but the generator needs [1, " + base.numWs() + ", " + base.wDim() + "]");
        }
        if (target.width() != r || target.height() != r) {
            throw new IllegalArgumentException("the target must be the aligned face at the generator's size " + r + "x" + r
                    + ", got " + target.width() + "x" + target.height());
        }
        int lossSide = settings.lossSize() == 0 ? r : Math.min(r, settings.lossSize());
        if (lossSide < lpips.minInputSize()) {
            throw new IllegalArgumentException("LPIPS needs images of at least " + lpips.minInputSize() + " px, the loss images are "
                    + lossSide + " px");
        }
        this.base = base;
        this.lpips = lpips;
        this.pivot = pivot;
        this.target = Projection.photoToChw(target.plain().rgb(), r);
        this.settings = settings;
        this.trace = trace;
    }

    public Settings settings() {
        return settings;
    }

    /** What one step measured (losses) and, for previews, its picture. */
    private record StepOutcome(StepRecord record, boolean reached, Pixels picture) {
    }

    @Override
    public Result run(JobContext ctx) throws Exception {
        NDManager jm = ctx.manager();
        int r = base.resolution();
        int total = settings.steps();
        MemoryPlanner.Plan mem = MemoryPlanner.plan(ctx, MemoryPlanner.Task.PTI_STEP, 1, base, List.of(lpips));
        StyleGan3Generator.Options gen = StyleGan3Generator.Options.with(mem.synthesis());
        ctx.emit(Frame.status(ctx.jobName(), 0, total, ctx.elapsedMs(), "copying the generator's weights to tune; memory: "
                + mem.summary()));
        try (StyleGan3Generator tuned = base.tunableCopy(jm)) {
            SynthesisWeights weights = tuned.tunableWeights();
            Map<String, Adam> adams = new LinkedHashMap<>();
            for (String n : weights.names()) adams.put(n, new Adam(weights.parameter(n), jm));
            NDArray photo = Nd.constant(jm, target, new Shape(1, 3, r, r));
            NumpyRandom zRandom = new NumpyRandom(settings.seed());
            List<StepRecord> history = new ArrayList<>();
            Outcome outcome = Outcome.STEPS_DONE;
            String message = null;
            Pixels before = null;
            try (Lpips.Target photoTarget = lpips.target(lossImage(photo))) {
                for (int i = 0; i < total; i++) {
                    final int step = i + 1;
                    // drawn every step, as PTI draws its sample before it checks the stop
                    double[] z = settings.locality() ? zRandom.randn(base.zDim()) : null;
                    boolean preview = step == 1 || step == total
                            || (settings.previewEvery() > 0 && step % settings.previewEvery() == 0);
                    StepOutcome o;
                    try {
                        o = ctx.step(sm -> step(ctx, step, sm, tuned, weights, adams, photo, photoTarget, z, gen, preview));
                    } catch (DivergedException e) {
                        outcome = Outcome.DIVERGED;
                        message = e.getMessage();
                        break;
                    }
                    if (before == null) before = o.picture();
                    history.add(o.record());
                    Map<String, Double> losses = losses(o.record());
                    ctx.emit(new Frame(ctx.jobName(), step, total, losses, o.reached() ? Double.NaN : settings.lr(), Map.of(),
                            o.picture(), ctx.elapsedMs(), o.reached() ? "LPIPS reached " + settings.lpipsStop() : null));
                    if (o.reached()) {
                        outcome = Outcome.LPIPS_REACHED;
                        message = String.format(java.util.Locale.ROOT, "stopped at step %d: LPIPS %.4f <= %s", step,
                                o.record().lpips(), settings.lpipsStop());
                        break;
                    }
                }
                // the weights on the grid their stored differences reproduce to the bit (TunedWeightsFile): a change
                // of half an ulp of a weight's change, where any
                TensorStore stored = base.tensors();
                for (String n : weights.names()) {
                    NDArray p = weights.parameter(n);
                    p.set(TunedWeightsFile.reproducible(stored.get(n).toFloatArray(), p.toFloatArray()));
                }
                // the final weights' picture and distances (the last step measured the weights before its update)
                double[] after = new double[2];
                Pixels afterPicture = ctx.step(sm -> {
                    NDArray img = tuned.synthesis(pivotWs(sm), gen);
                    after[0] = img.sub(photo).square().mean().getFloat();
                    after[1] = lpips.distance(lossImage(img), photoTarget).sum().getFloat();
                    return Projection.pixels(img);
                });
                if (before == null) before = afterPicture; // diverged in the first step: nothing changed
                List<Tensor> result = weights.snapshot();
                ctx.emit(new Frame(ctx.jobName(), history.size(), total, Map.of("l2", after[0], "lpips", after[1]), Double.NaN,
                        Map.of(), afterPicture, ctx.elapsedMs(), message != null ? message : "done"));
                return new Result(result, history, outcome, message, before.toRgbImage(), afterPicture.toRgbImage(), after[0],
                        after[1], mem.summary(), ctx.elapsedMs());
            }
        }
    }

    /** One step: the reconstruction term (and the stop test), the regulariser, the update. */
    private StepOutcome step(JobContext ctx, int step, NDManager sm, StyleGan3Generator tuned, SynthesisWeights weights,
                             Map<String, Adam> adams, NDArray photo, Lpips.Target photoTarget, double[] z,
                             StyleGan3Generator.Options gen, boolean preview) {
        // the step's arrays (the generator keeps its results in its input's manager) live in the step's manager
        NDArray pivotWs = pivotWs(sm);
        try (SynthesisWeights.Tracking tracking = weights.track(sm)) {
            double l2, lp;
            Pixels picture;
            try (Gradients rec = Gradients.record()) {
                NDArray img = tuned.synthesis(pivotWs, gen);
                NDArray l2Loss = img.sub(photo).square().mean();
                NDArray lpLoss = lpips.distance(lossImage(img), photoTarget).sum();
                l2 = l2Loss.getFloat();
                lp = lpLoss.getFloat();
                ctx.requireFinite(step, "l2", l2);
                ctx.requireFinite(step, "lpips", lp);
                picture = preview ? Projection.pixels(img.stopGradient()) : null;
                double recon = settings.l2Weight() * l2 + settings.lpipsWeight() * lp;
                if (lp <= settings.lpipsStop()) return new StepOutcome(new StepRecord(step, l2, lp, Double.NaN, recon), true, picture);
                rec.backward(Nd.mul(l2Loss, (float) settings.l2Weight()).add(Nd.mul(lpLoss, (float) settings.lpipsWeight())));
            }
            double locality = Double.NaN;
            if (settings.locality()) {
                NDArray wr = localitySample(base, z, pivotWs, settings.localityPsi(), settings.localityAlpha(), sm);
                // the original generator at w_r: a constant target (nothing of it requires a gradient)
                NDArray original = Gradients.withoutGraph(() -> base.synthesis(wr, gen));
                try (Lpips.Target originalTarget = lpips.target(lossImage(original)); Gradients rec = Gradients.record()) {
                    NDArray img = tuned.synthesis(wr, gen);
                    NDArray l2Loss = img.sub(original).square().mean();
                    NDArray lpLoss = lpips.distance(lossImage(img), originalTarget).sum();
                    NDArray loss = Nd.mul(l2Loss, (float) settings.localityL2Weight())
                            .add(Nd.mul(lpLoss, (float) settings.localityLpipsWeight()));
                    locality = loss.getFloat();
                    ctx.requireFinite(step, "locality", locality);
                    rec.backward(loss);
                }
            }
            for (String n : weights.names()) {
                float worst = tracking.gradient(n).abs().max().getFloat();
                if (!Float.isFinite(worst)) throw new DivergedException(ctx.jobName(), step, "gradient of " + n, worst);
            }
            for (Map.Entry<String, Adam> e : adams.entrySet()) {
                e.getValue().step(weights.parameter(e.getKey()), tracking.gradient(e.getKey()), settings.lr(), sm);
            }
            double total = settings.l2Weight() * l2 + settings.lpipsWeight() * lp + (settings.locality() ? locality : 0);
            StepRecord record = new StepRecord(step, l2, lp, locality, total);
            if (trace != null) trace.onStep(record, weights, tracking);
            return new StepOutcome(record, false, picture);
        }
    }

    /**
     * PTI's regulariser sample: w = mapping(z, ψ) of the (original) generator, w_r = pivot + α·(w − pivot)/‖w − pivot‖
     * with the norm over every value, [1, num_ws, w_dim] in {@code m}.
     */
    static NDArray localitySample(StyleGan3Generator g, double[] z, NDArray pivotWs, double psi, double alpha, NDManager m) {
        float[] zf = new float[z.length];
        for (int i = 0; i < z.length; i++) zf[i] = (float) z[i];
        NDArray w = Gradients.withoutGraph(() -> g.mapping(Nd.constant(m, zf, new Shape(1, zf.length)), psi, null));
        NDArray direction = w.sub(pivotWs);
        // moved + pivot (the reference's pivot + moved: the same sum), so that the result lands in m
        return Nd.mul(direction, (float) alpha).div(direction.norm()).add(pivotWs);
    }

    /** The frozen pivot as an array of {@code m}. */
    private NDArray pivotWs(NDManager m) {
        return Nd.constant(m, pivot.values(), new Shape(1, pivot.numWs(), pivot.wDim()));
    }

    private NDArray lossImage(NDArray img) {
        return Projection.lossImage(img, settings.lossSize());
    }

    private static Map<String, Double> losses(StepRecord r) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("total", r.total());
        m.put("l2", r.l2());
        m.put("lpips", r.lpips());
        if (!Double.isNaN(r.locality())) m.put("locality", r.locality());
        return m;
    }
}
