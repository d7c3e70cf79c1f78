package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.Nd;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.Pixels;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Projection of a photo into a StyleGAN3 generator's latent space by optimisation, following NVIDIA's
 * {@code projector.py} (stylegan2-ada-pytorch / stylegan3):
 * <ul>
 *   <li>start: {@code w_avg} = mean of the mapped w of {@link Settings#wAvgSamples} z (default 10,000, drawn with numpy's
 *       {@code RandomState(123).randn}, as the projector), {@code w_std = sqrt(Σ|w − w_avg|² / samples)}; with
 *       {@code wAvgSamples = 0} the generator's stored {@code mapping.w_avg} is the start and {@code w_std} is not
 *       measured (taken as 0: no exploration noise). An explicit start ({@link Settings#start}, e.g. an encoder's
 *       latent) replaces w_avg;</li>
 *   <li>parameter: one w broadcast to all {@code num_ws} rows (NVIDIA's default) or, with {@link Settings#wPlus}, one w per
 *       row (W+);</li>
 *   <li>step i of N, t = i/N: {@code w_noise_scale = w_std · initial_noise_factor · max(0, 1 − t/noise_ramp_length)²};
 *       {@code lr = lr0 · (½ − ½cos(π·min(1, (1 − t)/lr_rampdown_length))) · min(1, t/lr_rampup_length)};
 *       ws = (w + N(0,1)·w_noise_scale) broadcast; image = synthesis(ws); down-sampled to 256 by area averaging when
 *       larger; loss = LPIPS-VGG distance to the (equally down-sampled) photo, the photo's features cached once
 *       ({@link Lpips#target}); Adam (β 0.9, 0.999, eps 1e-8) step at lr. StyleGAN3 has no noise buffers, so there is no
 *       noise regularisation;</li>
 *   <li>as the projector, the latent recorded for step i is w at the START of the step (the one the step's loss was
 *       measured for, without the noise); the result is the last step's, shape {@code [1, num_ws, w_dim]}.</li>
 * </ul>
 * One {@link Frame} per step (step, loss "lpips", lr, the noise scale as metric; a preview picture every
 * {@link Settings#previewEvery} steps and on the last one); cancellable between steps. The result holds no NDArray.
 */
public final class Projection implements Job<Projection.Result> {

    /** Tunables, defaults as NVIDIA's projector. */
    public static final class Settings {
        public int steps = 1000;
        public double lr = 0.1;
        public double initialNoiseFactor = 0.05;
        public double noiseRampLength = 0.75;
        public double lrRampdownLength = 0.25;
        public double lrRampupLength = 0.05;
        public int wAvgSamples = 10_000;
        public long seed = 123;
        public boolean wPlus = false;
        /** Start latent: [w_dim] or [num_ws · w_dim] (W+, forces {@link #wPlus}); null = w_avg. */
        public float[] start;
        /** A preview picture every N steps (and on the last); 0 = none. */
        public int previewEvery = 10;
        /** Side of the loss images (NVIDIA: 256). */
        public int lossSize = 256;

        public Settings steps(int n) {
            this.steps = n;
            return this;
        }

        public Settings wPlus(boolean b) {
            this.wPlus = b;
            return this;
        }

        public Settings start(float[] w) {
            this.start = w;
            return this;
        }

        public Settings previewEvery(int n) {
            this.previewEvery = n;
            return this;
        }

        public Settings wAvgSamples(int n) {
            this.wAvgSamples = checkWAvgSamples(n);
            return this;
        }

        /** Settings for refining an encoder's latent: W+, no exploration noise, a lower rate, 100 steps. */
        public static Settings refinement() {
            Settings s = new Settings();
            s.steps = 100;
            s.lr = 0.01;
            s.initialNoiseFactor = 0;
            s.wPlus = true;
            s.wAvgSamples = 0;
            return s;
        }
    }

    /**
     * @param w      the projected latent, {@code [1, num_ws, w_dim]} row-major
     * @param numWs  rows
     * @param wDim   columns
     * @param loss   the LPIPS distance of the last step
     * @param losses per step
     */
    public record Result(float[] w, int numWs, int wDim, double loss, double[] losses, long elapsedMs) {
        public long[] shape() {
            return new long[]{1, numWs, wDim};
        }
    }

    private final StyleGan3Generator generator;
    private final Lpips lpips;
    private final float[] target; // [3, R, R] in [-1, 1]
    private final Settings settings;

    /**
     * @param photo the aligned photo at the generator's resolution, {@code [3, R, R]} CHW in [-1, 1]
     */
    public Projection(StyleGan3Generator generator, Lpips lpips, float[] photo, Settings settings) {
        int r = generator.resolution();
        if (photo.length != 3 * r * r) {
            throw new IllegalArgumentException("the photo must be 3x" + r + "x" + r + " (the generator's resolution), got "
                    + photo.length + " values");
        }
        if (settings.steps < 1) throw new IllegalArgumentException("steps must be at least 1");
        this.generator = generator;
        this.lpips = lpips;
        this.target = photo.clone();
        this.settings = settings;
    }

    /** An 8-bit RGB image (row-major RGB bytes, side R) → CHW floats in [-1, 1] (x / 127.5 − 1). */
    public static float[] photoToChw(byte[] rgb, int size) {
        int plane = size * size;
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) out[c * plane + i] = (rgb[i * 3 + c] & 0xff) / 127.5f - 1f;
        }
        return out;
    }

    /** The most z samples for w_avg / w_std: ten times NVIDIA's 10,000 (their z and w take about 600 MB). */
    public static final int MAX_W_AVG_SAMPLES = 100_000;

    /** {@code n} if it is a usable count of w_avg samples (0 = the generator's stored w_avg), else one clear refusal. */
    public static int checkWAvgSamples(int n) {
        if (n < 0 || n > MAX_W_AVG_SAMPLES) {
            throw new IllegalArgumentException("w_avg samples must be between 0 and " + MAX_W_AVG_SAMPLES + ", got " + n);
        }
        return n;
    }

    /** The mapped-w statistics NVIDIA's projector measures: {@code [w_avg (w_dim), {w_std}]}. */
    public static float[][] wStats(StyleGan3Generator g, int samples, long seed, NDManager m) {
        return wStats(g, samples, seed, m, done -> { });
    }

    /** {@link #wStats(StyleGan3Generator, int, long, NDManager)}, telling {@code progress} how many samples are mapped. */
    public static float[][] wStats(StyleGan3Generator g, int samples, long seed, NDManager m, IntConsumer progress) {
        checkWAvgSamples(samples);
        int zDim = g.zDim();
        int wDim = g.wDim();
        if (samples <= 0) return new float[][]{g.wAvg(), {0f}};
        NumpyRandom rnd = new NumpyRandom(seed);
        double[] z = rnd.randn(Math.multiplyExact(samples, zDim));
        double[] sum = new double[wDim];
        float[][] ws = new float[samples][];
        int batch = 1000;
        for (int b0 = 0; b0 < samples; b0 += batch) {
            int nb = Math.min(batch, samples - b0);
            try (NDManager sub = m.newSubManager()) {
                float[] zb = new float[nb * zDim];
                for (int i = 0; i < zb.length; i++) zb[i] = (float) z[b0 * zDim + i];
                NDArray w = g.mapping(Nd.constant(sub, zb, new Shape(nb, zDim)), 1.0, null).get(":, 0, :");
                float[] v = w.toFloatArray();
                for (int i = 0; i < nb; i++) {
                    float[] row = new float[wDim];
                    System.arraycopy(v, i * wDim, row, 0, wDim);
                    ws[b0 + i] = row;
                    for (int j = 0; j < wDim; j++) sum[j] += row[j];
                }
            }
            progress.accept(b0 + nb);
        }
        float[] avg = new float[wDim];
        for (int j = 0; j < wDim; j++) avg[j] = (float) (sum[j] / samples);
        double sq = 0;
        for (float[] row : ws) for (int j = 0; j < wDim; j++) {
            double d = row[j] - avg[j];
            sq += d * d;
        }
        return new float[][]{avg, {(float) Math.sqrt(sq / samples)}};
    }

    /** Learning rate of step i of n (NVIDIA's ramp). */
    public static double lr(Settings s, int i) {
        double t = (double) i / s.steps;
        double ramp = Math.min(1.0, (1.0 - t) / s.lrRampdownLength);
        ramp = 0.5 - 0.5 * Math.cos(ramp * Math.PI);
        ramp = ramp * Math.min(1.0, t / s.lrRampupLength);
        return s.lr * ramp;
    }

    /** Exploration noise scale of step i. */
    public static double noiseScale(Settings s, double wStd, int i) {
        double t = (double) i / s.steps;
        double f = Math.max(0.0, 1.0 - t / s.noiseRampLength);
        return wStd * s.initialNoiseFactor * f * f;
    }

    private NDArray toLossSize(NDArray img) {
        return lossImage(img, settings.lossSize);
    }

    /**
     * An image [N, C, H, W] as a perceptual loss sees it: area-averaged down to {@code size}² when it is larger (as
     * NVIDIA's projector feeds LPIPS), else itself; 0 = always itself.
     */
    public static NDArray lossImage(NDArray img, int size) {
        long side = img.getShape().get(2);
        if (size > 0 && side > size) return JniUtils.adaptiveAvgPool((PtNDArray) img, new Shape(size, size));
        return img;
    }

    @Override
    public Result run(JobContext ctx) throws Exception {
        NDManager jm = ctx.manager();
        int numWs = generator.numWs();
        int wDim = generator.wDim();
        int r = generator.resolution();
        MemoryPlanner.Plan mem = MemoryPlanner.plan(ctx, MemoryPlanner.Task.PROJECTION_STEP, 1, generator, List.of(lpips));
        StyleGan3Generator.Options gen = StyleGan3Generator.Options.with(mem.synthesis());
        ctx.emit(Frame.status(ctx.jobName(), 0, settings.steps, ctx.elapsedMs(), "computing w statistics; memory: " + mem.summary()));
        boolean wPlus = settings.wPlus || (settings.start != null && settings.start.length == numWs * wDim);
        // the statistics depend only on the generator, the sample count and the seed: measured once per session
        // (minutes on a CPU at NVIDIA's 10,000 samples), then every inversion with this generator starts at once
        float[][] stats = settings.start != null && settings.wAvgSamples <= 0 ? new float[][]{null, {0f}}
                : ctx.models().get("w-stats", List.of(generator.source(), settings.wAvgSamples, settings.seed), float[][].class,
                        () -> wStats(generator, settings.wAvgSamples, settings.seed, jm, done -> ctx.emit(Frame.status(ctx.jobName(), 0,
                                settings.steps, ctx.elapsedMs(), "computing w statistics (once per generator): " + done + " / "
                                + settings.wAvgSamples + " samples"))));
        float wStd = stats[1][0];
        float[] init;
        if (settings.start != null) {
            if (settings.start.length != wDim && settings.start.length != numWs * wDim) {
                throw new IllegalArgumentException("the start latent has " + settings.start.length + " values; expected "
                        + wDim + " or " + numWs + "x" + wDim);
            }
            init = settings.start.clone();
        } else {
            init = stats[0];
        }
        int rows = wPlus ? numWs : 1;
        if (init.length != rows * wDim) { // a single w started in W+
            float[] full = new float[rows * wDim];
            for (int k = 0; k < rows; k++) System.arraycopy(init, 0, full, k * wDim, wDim);
            init = full;
        }
        NDArray w = Nd.constant(jm, init, new Shape(1, rows, wDim));
        Adam adam = new Adam(w, jm, 0.9, 0.999, 1e-8, 0);
        Lpips.Target tgt;
        try (NDManager sub = jm.newSubManager()) {
            NDArray t = Nd.constant(sub, target, new Shape(1, 3, r, r));
            tgt = lpips.target(toLossSize(t));
        }
        SplittableRandom noiseRnd = new SplittableRandom(settings.seed);
        double[] losses = new double[settings.steps];
        float[] recorded = init.clone();
        try {
            for (int i = 0; i < settings.steps; i++) {
                final int step = i;
                double lr = lr(settings, i);
                double ns = noiseScale(settings, wStd, i);
                float[] noise = new float[rows * wDim];
                if (ns > 0) for (int k = 0; k < noise.length; k++) noise[k] = (float) (noiseRnd.nextGaussian() * ns);
                boolean preview = settings.previewEvery > 0 && ((i + 1) % settings.previewEvery == 0 || i == settings.steps - 1);
                Object[] out = ctx.step(sm -> {
                    float[] wNow = w.toFloatArray();
                    NDArray v = w.duplicate();
                    v.attach(sm);
                    v.setRequiresGradient(true);
                    NDArray img;
                    double loss;
                    NDArray grad;
                    try (Gradients gc = Gradients.record()) {
                        NDArray wn = ns > 0 ? v.add(Nd.constant(sm, noise, new Shape(1, rows, wDim))) : v;
                        NDArray ws = rows == numWs ? wn : wn.broadcast(new Shape(1, numWs, wDim));
                        img = generator.synthesis(ws, gen);
                        NDArray dist = lpips.distance(toLossSize(img), tgt).sum();
                        loss = dist.getFloat();
                        ctx.requireFinite(step, "lpips", loss);
                        gc.backward(dist);
                        grad = v.getGradient().duplicate();
                    }
                    grad.attach(sm);
                    adam.step(w, grad, lr, sm);
                    Pixels px = preview ? pixels(img) : null;
                    return new Object[]{loss, wNow, px};
                });
                double loss = (Double) out[0];
                losses[i] = loss;
                recorded = (float[]) out[1];
                Map<String, Double> l = new LinkedHashMap<>();
                l.put("lpips", loss);
                l.put("total", loss);
                Map<String, Double> metrics = new LinkedHashMap<>();
                metrics.put("w_noise_scale", ns);
                ctx.emit(new Frame(ctx.jobName(), i + 1, settings.steps, l, lr, metrics, (Pixels) out[2], ctx.elapsedMs(),
                        null));
            }
        } finally {
            tgt.close();
        }
        float[] full = new float[numWs * wDim];
        for (int k = 0; k < numWs; k++) System.arraycopy(recorded, rows == 1 ? 0 : k * wDim, full, k * wDim, wDim);
        return new Result(full, numWs, wDim, losses[settings.steps - 1], losses, ctx.elapsedMs());
    }

    /** Sample 0 of a raw-range image {@code [N,3,H,W]} as ARGB pixels (gen_images.py's conversion). */
    public static Pixels pixels(NDArray img) {
        long[] s = img.getShape().getShape();
        int h = (int) s[2], wd = (int) s[3], plane = h * wd;
        float[] v = img.get(0).toFloatArray();
        int[] argb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int rr = GeneratorImages.toByte(v[i]);
            int gg = GeneratorImages.toByte(v[plane + i]);
            int bb = GeneratorImages.toByte(v[2 * plane + i]);
            argb[i] = 0xff000000 | (rr << 16) | (gg << 8) | bb;
        }
        return new Pixels(wd, h, argb);
    }
}
