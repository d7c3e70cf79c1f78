package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.edit.optim.LrSchedule;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.nn.Nd;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.Pixels;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * StyleCLIP latent optimisation ({@code optimization/run_optimization.py}, edit mode) as a {@link Job}: starting from a
 * latent w₀ (a seed's {@code mapping(z, ψ)} or a loaded {@code .npz}), minimise
 * {@code CLIP(G(w), prompt) + λ_L2 · L2(w, w₀) + λ_ID · (1 − cos(ArcFace(G(w₀)), ArcFace(G(w))))} with Adam, plus, for a
 * region-limited edit ({@link Settings#regions}), {@code λ_keep · keep(G(w), G(w₀))}: L2 + LPIPS where the edit should
 * not reach ({@link KeepLoss}; the mask from the start picture's landmarks, {@link FaceLandmarks}).
 *
 * <ul>
 *   <li>Space W+: the variable is the ws of the free groups ({@link WGroups}; all of them = StyleCLIP's default), the
 *       other ws stay at w₀. Space Z: the variable is z, {@code ws = mapping(z, ψ = 1)} inside the graph (seed starts
 *       only; as the reference, ψ of the start then only shapes the source image w₀ / G(w₀) of the ID term).</li>
 *   <li>L2: sum of squares (StyleCLIP) or mean (the seed report's MSE), over the variable.</li>
 *   <li>Learning rate: StyleCLIP's cosine ramp, StepLR (scheduler stepped after every step) or constant.</li>
 * </ul>
 * Every step emits a {@link Frame} (losses, lr, CLIP score, identity similarity, preview). Each step's temporaries live in
 * the context's per-step manager; the latent and Adam's moments in the job manager, so memory stays flat. A NaN/Inf loss
 * or gradient stops the run early: the result then holds the last good latent and {@link Result#stoppedEarly()}.
 *
 * <p>GC safety (DJL 0.36, PyTorch engine): every operand of the graph — here and in the networks — is torch-owned
 * ({@link Nd} scalars and constants instead of {@code x.mul(2f)} / {@code manager.create(float[])}, whose
 * {@code from_blob} buffers a garbage collection between forward and backward could free; see docs/stack.md), so a
 * non-finite loss or gradient is a real divergence and is not retried.
 */
public final class LatentOptimization implements Job<LatentOptimization.Result> {

    public enum Space {
        W_PLUS("w+"), Z("z");
        private final String id;

        Space(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public static Space parse(String s) {
            String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "w+", "wplus", "w_plus" -> W_PLUS;
                case "z" -> Z;
                default -> throw new IllegalArgumentException("unknown latent space '" + s + "': use w+ or z");
            };
        }
    }

    public enum L2Form {
        SUM, MEAN;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static L2Form parse(String s) {
            String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "sum" -> SUM;
                case "mean", "mse" -> MEAN;
                default -> throw new IllegalArgumentException("unknown L2 form '" + s + "': use sum or mean");
            };
        }
    }

    public enum ScheduleKind {
        COSINE, STEP, CONSTANT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static ScheduleKind parse(String s) {
            String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "cosine", "get_lr" -> COSINE;
                case "step", "steplr" -> STEP;
                case "constant" -> CONSTANT;
                default -> throw new IllegalArgumentException("unknown schedule '" + s + "': use cosine, step or constant");
            };
        }
    }

    /**
     * The settings of one run (immutable, validated). Defaults ({@link #defaults}) follow the seed report: 300 steps, Adam
     * lr 0.01, StepLR(50, 0.5), λ_L2 = λ_ID = 0.001, L2 as a mean, W+ with all groups free.
     *
     * @param nominalSteps the cosine ramp's T (0 = steps)
     * @param previewSize  side of the preview pictures in frames (0 = the generator's size, -1 = no previews)
     * @param regions      the parts of the face the edit may change, with λ_keep (null: the whole picture, no keep term)
     */
    public record Settings(String prompt, Space space, Set<WGroups.Group> groups, int steps, double lr, double lambdaL2,
                           double lambdaId, L2Form l2Form, ScheduleKind schedule, int stepSize, double gamma,
                           int nominalSteps, double rampUp, double rampDown, int previewSize, EditRegions regions) {
        public static final int DEFAULT_STEPS = 300;
        public static final double DEFAULT_LR = 0.01;
        public static final double DEFAULT_LAMBDA = 0.001;
        /** The upper end of the seed report's useful λ range. */
        public static final double MAX_SUGGESTED_LAMBDA = 0.7;

        public Settings {
            prompt = ClipTokenizer.requirePrompt(prompt);
            if (space == null) throw new IllegalArgumentException("no latent space given: use w+ or z");
            groups = groups == null || groups.isEmpty() ? Collections.unmodifiableSet(EnumSet.allOf(WGroups.Group.class))
                    : Collections.unmodifiableSet(EnumSet.copyOf(groups));
            if (space == Space.Z && groups.size() != WGroups.Group.values().length) {
                throw new IllegalArgumentException("style groups apply to w+ only; the z space always optimises the whole z");
            }
            if (steps < 1) throw new IllegalArgumentException("steps must be at least 1, got " + steps);
            if (!(lr > 0) || !Double.isFinite(lr)) throw new IllegalArgumentException("the learning rate must be > 0, got " + lr);
            if (!(lambdaL2 >= 0) || !Double.isFinite(lambdaL2)) throw new IllegalArgumentException("the L2 weight must be >= 0, got " + lambdaL2);
            if (!(lambdaId >= 0) || !Double.isFinite(lambdaId)) throw new IllegalArgumentException("the ID weight must be >= 0, got " + lambdaId);
            if (l2Form == null) throw new IllegalArgumentException("no L2 form given: use sum or mean");
            if (schedule == null) throw new IllegalArgumentException("no schedule given: use cosine, step or constant");
            if (stepSize < 1) throw new IllegalArgumentException("the StepLR step size must be at least 1, got " + stepSize);
            if (!(gamma > 0) || gamma > 1) throw new IllegalArgumentException("the StepLR gamma must be in (0, 1], got " + gamma);
            if (nominalSteps < 0) throw new IllegalArgumentException("the nominal step count must be >= 0, got " + nominalSteps);
            if (!(rampUp > 0) || !(rampDown > 0)) throw new IllegalArgumentException("the cosine ramps must be > 0");
            if (previewSize < -1 || previewSize > 4096) throw new IllegalArgumentException("preview size must be -1 (none), 0 (generator size) or 1..4096");
        }

        /** Settings without regions (the whole picture may change). */
        public Settings(String prompt, Space space, Set<WGroups.Group> groups, int steps, double lr, double lambdaL2,
                        double lambdaId, L2Form l2Form, ScheduleKind schedule, int stepSize, double gamma,
                        int nominalSteps, double rampUp, double rampDown, int previewSize) {
            this(prompt, space, groups, steps, lr, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp,
                    rampDown, previewSize, null);
        }

        /** The seed report's defaults for a prompt. */
        public static Settings defaults(String prompt) {
            return new Settings(prompt, Space.W_PLUS, null, DEFAULT_STEPS, DEFAULT_LR, DEFAULT_LAMBDA, DEFAULT_LAMBDA,
                    L2Form.MEAN, ScheduleKind.STEP, 50, 0.5, 0, 0.05, 0.25, 0);
        }

        public Settings withPrompt(String p) {
            return new Settings(p, space, groups, steps, lr, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        public Settings withSpace(Space s, Set<WGroups.Group> g) {
            return new Settings(prompt, s, g, steps, lr, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        public Settings withSteps(int n) {
            return new Settings(prompt, space, groups, n, lr, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        public Settings withLr(double x) {
            return new Settings(prompt, space, groups, steps, x, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        public Settings withWeights(double l2, double id) {
            return new Settings(prompt, space, groups, steps, lr, l2, id, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        public Settings withL2Form(L2Form f) {
            return new Settings(prompt, space, groups, steps, lr, lambdaL2, lambdaId, f, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        /** Schedule with its parameters (step size / γ for StepLR; T, ramp-up, ramp-down for cosine). */
        public Settings withSchedule(ScheduleKind k, int stepSize, double gamma, int nominalSteps, double rampUp, double rampDown) {
            return new Settings(prompt, space, groups, steps, lr, lambdaL2, lambdaId, l2Form, k, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, regions);
        }

        public Settings withSchedule(ScheduleKind k) {
            return withSchedule(k, stepSize, gamma, nominalSteps, rampUp, rampDown);
        }

        /** The parts of the face the edit may change (null: all of it). */
        public Settings withRegions(EditRegions r) {
            return new Settings(prompt, space, groups, steps, lr, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, previewSize, r);
        }

        /** λ_keep: the preservation term's weight (0 without regions). */
        public double lambdaKeep() {
            return regions == null ? 0 : regions.keepWeight();
        }

        public Settings withPreviewSize(int size) {
            return new Settings(prompt, space, groups, steps, lr, lambdaL2, lambdaId, l2Form, schedule, stepSize, gamma, nominalSteps, rampUp, rampDown, size, regions);
        }

        /** The learning-rate schedule. */
        public LrSchedule lrSchedule() {
            return switch (schedule) {
                case COSINE -> LrSchedule.cosineRamp(lr, nominalSteps == 0 ? steps : nominalSteps, rampDown, rampUp);
                case STEP -> LrSchedule.step(lr, stepSize, gamma);
                case CONSTANT -> LrSchedule.constant(lr);
            };
        }

        /** As plain values for JSON reports. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prompt", prompt);
            m.put("space", space.id());
            m.put("groups", WGroups.format(groups));
            m.put("steps", steps);
            m.put("lr", lr);
            m.put("l2_weight", lambdaL2);
            m.put("id_weight", lambdaId);
            m.put("l2_form", l2Form.id());
            m.put("schedule", schedule.id());
            if (schedule == ScheduleKind.STEP) {
                m.put("step_size", stepSize);
                m.put("gamma", gamma);
            }
            if (schedule == ScheduleKind.COSINE) {
                m.put("nominal_steps", nominalSteps == 0 ? steps : nominalSteps);
                m.put("ramp_up", rampUp);
                m.put("ramp_down", rampDown);
            }
            if (regions != null) m.put("regions", regions.toMap());
            return m;
        }
    }

    /** Where the run starts: a seed (z as gen_images.py draws it, then mapping with ψ) or a loaded latent (W+ only). */
    public record Start(Long seed, double psi, Latent latent) {
        public Start {
            if ((seed == null) == (latent == null)) throw new IllegalArgumentException("give either a seed or a latent");
            if (seed != null && (seed < 0 || seed > 0xffffffffL)) throw new IllegalArgumentException("seed must be in 0..4294967295, got " + seed);
            if (!Double.isFinite(psi)) throw new IllegalArgumentException("truncation psi must be finite");
        }

        public static Start seed(long seed, double psi) {
            return new Start(seed, psi, null);
        }

        public static Start latent(Latent w) {
            return new Start(null, 1.0, w);
        }

        public String describe() {
            return seed != null ? "seed " + seed + ", psi " + psi : "latent " + latent.numWs() + "x" + latent.wDim();
        }
    }

    /**
     * Loss terms of one step (values before its update) and its learning rate and cheap metrics; {@code keep} is the
     * preservation term (L2 + LPIPS outside the edited regions, before λ_keep), NaN without regions.
     */
    public record StepRecord(int step, double lr, double clip, double l2, double id, double total, double clipScore,
                             double idSimilarity, double keep) {
    }

    /**
     * The outcome (no NDArrays): start and final ws [numWs·wDim], source and final images [3·S·S] in the raw range, the
     * steps run, final metrics, and whether it stopped early (NaN/Inf) with the message. {@code regionNote}: the regions
     * and where their landmarks came from ("edit only mouth: regions from the FFHQ mean face (…)"), null without regions.
     */
    public record Result(Settings settings, Start start, int numWs, int wDim, int resolution, float[] wsInit,
                         float[] wsFinal, float[] latentInit, float[] latentFinal, float[] imageBefore, float[] imageAfter,
                         List<StepRecord> history, Metrics metrics, boolean stoppedEarly, String stopMessage,
                         boolean demo, String networks, String memoryPlan, long elapsedMs, String regionNote) {
        public Result {
            history = List.copyOf(history);
        }

        public Latent finalLatent() {
            return new Latent(numWs, wDim, wsFinal);
        }

        public BufferedImage before() {
            return toImage(imageBefore, resolution);
        }

        public BufferedImage after() {
            return toImage(imageAfter, resolution);
        }

        public int stepsDone() {
            return history.size();
        }
    }

    /** Per-step hook for tests and tracing, called on the compute thread after the update (arrays valid only inside). */
    @FunctionalInterface
    public interface StepTrace {
        void onStep(StepRecord record, NDArray grad, NDArray latentAfter, Adam adam);
    }

    private final EditNetworks nets;
    private final Settings settings;
    private final Start start;
    private final FaceLandmarks.Finder landmarks;
    private final StepTrace trace;

    public LatentOptimization(EditNetworks nets, Settings settings, Start start) {
        this(nets, settings, start, null, null);
    }

    public LatentOptimization(EditNetworks nets, Settings settings, Start start, StepTrace trace) {
        this(nets, settings, start, null, trace);
    }

    /**
     * @param landmarks where the regions of {@link Settings#regions} are drawn from: the start picture's landmarks
     *                  (null: the mean face, as when face-api is not installed)
     */
    public LatentOptimization(EditNetworks nets, Settings settings, Start start, FaceLandmarks.Finder landmarks, StepTrace trace) {
        this.nets = nets;
        this.settings = settings;
        this.start = start;
        this.landmarks = landmarks != null ? landmarks : FaceLandmarks.detecting(null);
        this.trace = trace;
        StyleGan3Generator g = nets.generator();
        if (settings.space() == Space.Z && start.latent() != null) {
            throw new IllegalArgumentException("the z space needs a seed start (a loaded latent is a w, not a z): use --space w+");
        }
        if (start.latent() != null && (start.latent().numWs() != g.numWs() || start.latent().wDim() != g.wDim())) {
            throw new IllegalArgumentException("the latent is [1, " + start.latent().numWs() + ", " + start.latent().wDim()
                    + "] but the generator needs [1, " + g.numWs() + ", " + g.wDim() + "]");
        }
    }

    public Settings settings() {
        return settings;
    }

    /**
     * What one step of an optimisation with {@code nets} needs, planned against the job's budget: the generator's
     * differentiable pass with CLIP and ArcFace beside it, and with {@code regions} the keep term's LPIPS pass too
     * ({@link KeepLoss}: its graph is held for the backward beside the others'). The run plans with this, and the
     * studio's estimate next to Run asks the same, so what it says is what a run will get.
     */
    public static MemoryPlanner.Plan memoryPlan(JobContext ctx, EditNetworks nets, boolean regions) throws Exception {
        List<MemoryFootprint> others = new ArrayList<>(List.of(nets.clip(), nets.identity()));
        if (regions) others.add(nets.lpips());
        return MemoryPlanner.plan(ctx, MemoryPlanner.Task.EDIT_STEP, 1, nets.generator(), others);
    }
    @Override
    public Result run(JobContext ctx) throws Exception {
        StyleGan3Generator g = nets.generator();
        int numWs = g.numWs();
        int wDim = g.wDim();
        int res = g.resolution();
        NDManager jm = ctx.manager();
        ClipLoss clipLoss = ClipLoss.of(nets, settings.prompt());
        LrSchedule schedule = settings.lrSchedule();
        boolean zSpace = settings.space() == Space.Z;
        boolean[] free = zSpace ? null : WGroups.mask(settings.groups(), numWs);
        int[] freeIdx = zSpace ? null : WGroups.indices(settings.groups(), numWs);
        boolean useId = settings.lambdaId() > 0;
        double psi = start.psi();
        // the memory plan first: a job that cannot fit is refused before it computes anything
        MemoryPlanner.Plan mem = memoryPlan(ctx, nets, settings.regions() != null);
        StyleGan3Generator.Options gen = StyleGan3Generator.Options.with(mem.synthesis());

        // start: ws0, the variable's start value, the source image and its ArcFace features
        NDArray ws0;
        NDArray latent;
        if (start.seed() != null) {
            NDArray z = g.seedZ(jm, start.seed());
            ws0 = g.mapping(z, psi, null);
            latent = zSpace ? z : gatherWs(ws0, freeIdx);
        } else {
            ws0 = Nd.constant(jm, start.latent().values(), new Shape(1, numWs, wDim));
            latent = gatherWs(ws0, freeIdx);
        }
        NDArray latent0 = latent.duplicate();
        NDArray image0 = g.synthesis(ws0, gen);
        NDArray idTarget = nets.identity().features(image0).stopGradient();
        float[] wsInit = ws0.toFloatArray();
        float[] latentInit = latent0.toFloatArray();
        float[] imageBefore = image0.get(0).toFloatArray();
        // regions: the mask of what is kept, from the start picture's landmarks, and the source's side of the keep term
        EditRegions regions = settings.regions();
        boolean holdKeep = settings.lambdaKeep() > 0;
        KeepLoss keep = null;
        KeepLoss.Source keepSource = null;
        String regionNote = null;
        if (regions != null) {
            FaceLandmarks lm = landmarks.find(ctx, pixels(imageBefore, res, 0).toRgbImage(), nets.generatorIsDemo());
            keep = new KeepLoss(nets.lpips(), regions.keepMask(lm.points(), res), jm);
            keepSource = keep.fix(image0);
            regionNote = regions.describe() + ": " + lm.note();
        }
        final KeepLoss keepLoss = keep;
        final KeepLoss.Source keepFrom = keepSource;
        // the Lpips target of the keep term lives outside the job's manager: closed however the run ends
        try {
            Adam adam = new Adam(latent, jm);
            Shape latentShape = latent.getShape();

            List<StepRecord> history = new ArrayList<>();
            float[] lastGood = latent.toFloatArray();
            String stopMessage = null;
            int total = settings.steps();
            ctx.emit(new Frame(ctx.jobName(), 0, total, Map.of(), Double.NaN, Map.of(), preview(image0), ctx.elapsedMs(),
                    "start: " + start.describe() + (nets.isDemo() ? " (" + nets.describe() + ")" : "") + "; memory: " + mem.summary()
                            + (regionNote == null ? "" : "; " + regionNote)));
            try {
                for (int i = 0; i < total; i++) {
                    final int step = i;
                    double lr = schedule.lr(i);
                    StepRecord rec = ctx.step(sm -> {
                        NDArray v = latent.duplicate();
                        v.attach(sm);
                        v.setRequiresGradient(true);
                        NDArray img;
                        double[] vals;
                        NDArray grad;
                        // Every operand of the graph is torch-owned (Nd helpers, see docs/stack.md "Autograd and arrays
                        // made from Java data"), so a garbage collection between forward and backward cannot corrupt the
                        // gradient: a non-finite loss or gradient is a real divergence and stops the run.
                        try (Gradients gc = Gradients.record()) {
                            NDArray ws = zSpace ? g.mapping(v, 1.0, null) : buildWs(ws0, v, free, sm);
                            img = g.synthesis(ws, gen);
                            ClipLoss.Values cv = clipLoss.evaluate(img);
                            NDArray lClip = cv.loss().reshape(new Shape());
                            NDArray diff = v.sub(latent0); // (v - w0)^2 == (w0 - v)^2 exactly
                            NDArray lL2 = settings.l2Form() == L2Form.SUM ? diff.square().sum() : diff.square().mean();
                            NDArray totalLoss = lClip.add(Nd.mul(lL2, (float) settings.lambdaL2()));
                            // the ID term is always evaluated (identity similarity is a per-step metric); with weight 0
                            // it is computed on a detached image and left out of the total, as run_optimization does
                            NDArray lId = nets.identity().lossToFeatures(useId ? img : img.stopGradient(), idTarget);
                            if (useId) totalLoss = totalLoss.add(Nd.mul(lId, (float) settings.lambdaId()));
                            // the keep term, as the ID term: with λ_keep 0 measured on a detached image, out of the total
                            NDArray lKeep = keepLoss == null ? null : keepLoss.evaluate(holdKeep ? img : img.stopGradient(), keepFrom).total();
                            if (lKeep != null && holdKeep) totalLoss = totalLoss.add(Nd.mul(lKeep, (float) settings.lambdaKeep()));
                            vals = new double[]{lClip.getFloat(), lL2.getFloat(), lId.getFloat(),
                                    totalLoss.getFloat(), cv.cosine().getFloat(0, 0), lKeep == null ? Double.NaN : lKeep.getFloat()};
                            String[] names = {"CLIP", "L2", "ID", "total"};
                            for (int k = 0; k < names.length; k++) ctx.requireFinite(step + 1, names[k], vals[k]);
                            if (lKeep != null) ctx.requireFinite(step + 1, "keep", vals[5]);
                            gc.backward(totalLoss);
                            grad = v.getGradient().duplicate();
                        }
                        grad.attach(sm);
                        for (float x : grad.toFloatArray()) {
                            if (!Float.isFinite(x)) throw new DivergedException(ctx.jobName(), step + 1, "gradient of the total", x);
                        }
                        adam.step(latent, grad, lr, sm);
                        double idSim = 1 - vals[2];
                        StepRecord r = new StepRecord(step + 1, lr, vals[0], vals[1], vals[2], vals[3], vals[4], idSim, vals[5]);
                        if (trace != null) trace.onStep(r, grad, latent, adam);
                        Map<String, Double> losses = lossesOf(r);
                        Map<String, Double> metrics = new LinkedHashMap<>();
                        metrics.put(Metrics.CLIP_SCORE, r.clipScore());
                        metrics.put(Metrics.ID_SIMILARITY, idSim);
                        ctx.emit(new Frame(ctx.jobName(), step + 1, total, losses, lr, metrics, preview(img), ctx.elapsedMs(), null));
                        return r;
                    });
                    float[] now = latent.toFloatArray();
                    for (float x : now) {
                        if (!Float.isFinite(x)) throw new DivergedException(ctx.jobName(), i + 1, "latent after the update", x);
                    }
                    lastGood = now;
                    history.add(rec);
                }
            } catch (DivergedException e) {
                stopMessage = e.getMessage();
                latent.set(lastGood);
            }

            // final ws, image and metrics (outside any gradient collector)
            try (NDManager fm = jm.newSubManager()) {
                NDArray v = Nd.constant(fm, lastGood, latentShape);
                NDArray ws = zSpace ? g.mapping(v, 1.0, null) : buildWs(ws0, v, free, fm);
                NDArray img = g.synthesis(ws, gen);
                Metrics m = Metrics.of(nets, clipLoss, img, image0, keepLoss);
                float[] wsFinal = ws.toFloatArray();
                float[] imageAfter = img.get(0).toFloatArray();
                ctx.emit(new Frame(ctx.jobName(), history.size(), total, history.isEmpty() ? Map.of() : lossesOf(history.get(history.size() - 1)),
                        history.isEmpty() ? Double.NaN : history.get(history.size() - 1).lr(), m.asMap(), preview(img),
                        ctx.elapsedMs(), stopMessage != null ? stopMessage : "done"));
                return new Result(settings, start, numWs, wDim, res, wsInit, wsFinal, latentInit, lastGood, imageBefore,
                        imageAfter, history, m, stopMessage != null, stopMessage, nets.isDemo(), nets.describe(), mem.summary(),
                        ctx.elapsedMs(), regionNote);
            }
        } finally {
            if (keepSource != null) keepSource.close();
            if (keep != null) keep.close();
        }
    }

    private static Map<String, Double> lossesOf(StepRecord r) {
        Map<String, Double> losses = new LinkedHashMap<>();
        losses.put("total", r.total());
        losses.put("clip", r.clip());
        losses.put("l2", r.l2());
        if (!Double.isNaN(r.id())) losses.put("id", r.id());
        if (!Double.isNaN(r.keep())) losses.put("keep", r.keep());
        return losses;
    }

    /** ws[:, idx] as a fresh [1, idx.length, wDim] array (contiguous runs sliced, then concatenated). */
    static NDArray gatherWs(NDArray ws, int[] idx) {
        NDManager m = ws.getManager();
        List<int[]> runs = runs(idx);
        if (runs.size() == 1) {
            int[] r = runs.get(0);
            return ws.get(new NDIndex(":, " + r[0] + ":" + r[1])).duplicate();
        }
        NDList parts = new NDList();
        try (NDManager sub = m.newSubManager()) {
            for (int[] r : runs) parts.add(ws.get(new NDIndex(":, " + r[0] + ":" + r[1])));
            for (NDArray p : parts) p.attach(sub);
            NDArray out = NDArrays.concat(parts, 1);
            out.attach(m);
            return out;
        }
    }

    /** ws = ws0 with the free indices taken from the variable, by concatenating slices in order (exact, differentiable). */
    static NDArray buildWs(NDArray ws0, NDArray var, boolean[] free, NDManager m) {
        int n = free.length;
        boolean all = true;
        for (boolean f : free) all &= f;
        if (all) return var;
        NDList parts = new NDList();
        int vi = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j < n && free[j] == free[i]) j++;
            if (free[i]) {
                parts.add(var.get(new NDIndex(":, " + vi + ":" + (vi + j - i))));
                vi += j - i;
            } else {
                NDArray fixed = ws0.get(new NDIndex(":, " + i + ":" + j));
                fixed.attach(m);
                parts.add(fixed);
            }
            i = j;
        }
        return parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
    }

    private static List<int[]> runs(int[] idx) {
        List<int[]> out = new ArrayList<>();
        int k = 0;
        while (k < idx.length) {
            int s = idx[k];
            int e = s + 1;
            k++;
            while (k < idx.length && idx[k] == e) {
                e++;
                k++;
            }
            out.add(new int[]{s, e});
        }
        return out;
    }

    private Pixels preview(NDArray img) {
        int size = settings.previewSize();
        if (size < 0) return null;
        return pixels(img.get(0).stopGradient().toFloatArray(), (int) img.getShape().get(2), size);
    }

    /** ARGB pixels of a raw [3, S, S] image, optionally scaled to {@code size} (0 = as is). */
    public static Pixels pixels(float[] chw, int s, int size) {
        int plane = s * s;
        int[] argb = new int[plane];
        for (int i = 0; i < plane; i++) {
            argb[i] = 0xff000000 | (GeneratorImages.toByte(chw[i]) << 16) | (GeneratorImages.toByte(chw[plane + i]) << 8)
                    | GeneratorImages.toByte(chw[2 * plane + i]);
        }
        if (size == 0 || size == s) return new Pixels(s, s, argb);
        BufferedImage src = new BufferedImage(s, s, BufferedImage.TYPE_INT_ARGB);
        src.setRGB(0, 0, s, s, argb, 0, s);
        BufferedImage dst = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        Graphics2D gr = dst.createGraphics();
        gr.setRenderingHint(RenderingHints.KEY_INTERPOLATION, size < s ? RenderingHints.VALUE_INTERPOLATION_BILINEAR
                : RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        gr.drawImage(src, 0, 0, size, size, null);
        gr.dispose();
        return new Pixels(size, size, dst.getRGB(0, 0, size, size, null, 0, size));
    }

    /** An RGB image of a raw [3, S, S] image, as gen_images.py quantises. */
    public static BufferedImage toImage(float[] chw, int s) {
        Pixels p = pixels(chw, s, 0);
        BufferedImage out = new BufferedImage(s, s, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, s, s, p.argb(), 0, s);
        return out;
    }
}
