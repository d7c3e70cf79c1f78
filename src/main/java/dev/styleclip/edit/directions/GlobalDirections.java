package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.DataType;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.ClipPreprocess;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StyleCLIP global directions in StyleGAN3's StyleSpace (stylegan3-editing {@code editing/styleclip_global_directions}):
 * StyleSpace statistics, the per-channel CLIP image effect {@code delta_i_c}, the template-averaged text direction, the
 * thresholded channel direction and the edit. StyleSpace is flattened to [N, C] in the generator's module order
 * ({@code input} (4 values) then every layer's input channels, ToRGB last).
 *
 * <p>The statistics and the channel sweep run in the precision of the networks they are given ({@link Precision}:
 * float32 networks, or the float64 twins of {@link StyleGan3Generator#toFloat64} / {@link ClipModel#toFloat64}); their
 * values travel as {@code double[]} either way (float32 results widened exactly).
 */
public final class GlobalDirections {
    /** The first three lines of stylegan3-editing's templates.txt (with their newline, which CLIP's tokenizer strips). */
    public static final List<String> DEFAULT_TEMPLATES = List.of("a bad photo of a {}.\n", "a sculpture of a {}.\n",
            "a photo of the hard to see {}.\n");

    private GlobalDirections() {
    }

    // ---------------------------------------------------------------------------------------------- layout

    /** One StyleSpace group: module name, first flat channel, channel count. */
    public record Group(String name, int offset, int channels) {
    }

    public static List<Group> layout(StyleGan3Generator g) {
        List<Group> out = new ArrayList<>();
        int off = 0;
        for (Map.Entry<String, Integer> e : g.styleChannels().entrySet()) {
            out.add(new Group(e.getKey(), off, e.getValue()));
            off += e.getValue();
        }
        return out;
    }

    public static int channelCount(StyleGan3Generator g) {
        int n = 0;
        for (int c : g.styleChannels().values()) n += c;
        return n;
    }

    /** W2S(ws) flattened: [N, C] in ws' manager. */
    public static NDArray w2s(StyleGan3Generator g, NDArray ws) {
        try (Scope scope = Scope.of(ws)) {
            Map<String, NDArray> s = g.styleSpace(ws);
            return scope.keep(NDArrays.concat(new NDList(s.values()), 1));
        }
    }

    /**
     * {@link #synthesize(StyleGan3Generator, NDArray, StyleGan3Generator.Options)} in pieces of at most
     * {@code plan.batch()} images under the plan's synthesis plan (null: all at once, {@link dev.styleclip.runtime.SynthesisPlan#DEFAULT}). A piece is its own
     * batch for the modulated convolutions' style normalisation, which demodulation cancels up to rounding: splitting
     * changes the images only at float rounding level, so it is done only when the whole batch does not fit.
     */
    public static NDArray synthesize(StyleGan3Generator g, NDArray flat, MemoryPlanner.Plan plan) {
        if (plan == null) return synthesize(g, flat, StyleGan3Generator.Options.defaults());
        long n = flat.getShape().get(0);
        if (plan.batch() >= n) return synthesize(g, flat, StyleGan3Generator.Options.with(plan.synthesis()));
        NDList parts = new NDList();
        for (long i = 0; i < n; i += plan.batch()) {
            NDArray piece = flat.get(new NDIndex(i + ":" + Math.min(n, i + plan.batch())));
            parts.add(synthesize(g, piece, StyleGan3Generator.Options.with(plan.synthesis())));
            piece.close();
        }
        NDArray all = NDArrays.concat(parts, 0);
        parts.close();
        return all;
    }

    /** synthesis(all_s = S) for flat S [N, C] (options: e.g. the identity input transform). */
    public static NDArray synthesize(StyleGan3Generator g, NDArray flat, StyleGan3Generator.Options options) {
        try (Scope scope = Scope.of(flat)) {
            Map<String, NDArray> s = new LinkedHashMap<>();
            for (Group gr : layout(g)) s.put(gr.name(), flat.get(new NDIndex(":, " + gr.offset() + ":" + (gr.offset() + gr.channels()))));
            return scope.keep(g.synthesisFromStyleSpace(s, options));
        }
    }

    // ---------------------------------------------------------------------------------------------- statistics

    /**
     * s_statistics.py: z = RandomState(seed).randn(n, z_dim) (one draw), ws = mapping(z, psi, cutoff). A float32
     * generator gets z rounded to float32 (as the official mapping casts it); a float64 twin keeps the float64 draw.
     */
    public static NDArray statisticsWs(StyleGan3Generator g, long seed, int n, double psi, Integer cutoff, NDManager m) {
        double[] z = new NumpyRandom(seed).randn(n * g.zDim());
        if (g.dataType() == DataType.FLOAT64) return g.mapping(m.create(z, new Shape(n, g.zDim())), psi, cutoff);
        float[] zf = new float[z.length];
        for (int i = 0; i < z.length; i++) zf[i] = (float) z[i];
        return g.mapping(m.create(zf, new Shape(n, g.zDim())), psi, cutoff);
    }

    /**
     * The StyleSpace samples S [N·C], their per-channel mean and std [C] and the transform stats [3], in the
     * generator's precision (float32: every value is a float32 number, as {@link #meanStd(float[], int, int)} rounds).
     */
    public record Statistics(int n, int channels, double[] s, double[] mean, double[] std, double[] transform) {
    }

    /** s_statistics.py in the generator's precision: {@link #statisticsWs}, W2S, mean / std, transform stats. */
    public static Statistics statistics(StyleGan3Generator g, long seed, int n, double psi, Integer cutoff, NDManager m) {
        int c = channelCount(g);
        try (NDManager sub = m.newSubManager()) {
            NDArray flat = w2s(g, statisticsWs(g, seed, n, psi, cutoff, sub));
            if (g.dataType() == DataType.FLOAT64) {
                double[] s = flat.toDoubleArray();
                double[][] ms = meanStd(s, n, c);
                return new Statistics(n, c, s, ms[0], ms[1], transformStats(s, n, c));
            }
            float[] s = flat.toFloatArray();
            float[][] ms = meanStd(s, n, c);
            return new Statistics(n, c, widen(s), widen(ms[0]), widen(ms[1]), widen(transformStats(s, n, c)));
        }
    }

    /** float → double, exactly. */
    public static double[] widen(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    /** double → float, rounding each value once. */
    public static float[] narrow(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** Per-channel mean and population std (ddof 0) of S [N, C] (float64 accumulation, rounded to float32 once). */
    public static float[][] meanStd(float[] s, int n, int c) {
        double[] wide = new double[s.length];
        for (int i = 0; i < s.length; i++) wide[i] = s[i];
        double[][] ms = meanStd(wide, n, c);
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int j = 0; j < c; j++) {
            mean[j] = (float) ms[0][j];
            std[j] = (float) ms[1][j];
        }
        return new float[][]{mean, std};
    }

    /** Per-channel mean and population std (ddof 0) of float64 S [N, C], unrounded: [0] mean, [1] std. */
    public static double[][] meanStd(double[] s, int n, int c) {
        double[] mean = new double[c];
        double[] std = new double[c];
        for (int j = 0; j < c; j++) {
            double acc = 0;
            for (int i = 0; i < n; i++) acc += s[i * c + j];
            double mu = acc / n;
            double v = 0;
            for (int i = 0; i < n; i++) {
                double d = s[i * c + j] - mu;
                v += d * d;
            }
            mean[j] = mu;
            std[j] = Math.sqrt(v / n);
        }
        return new double[][]{mean, std};
    }

    /** {@link #transformStats(float[], int, int)} of float64 S, unrounded. */
    public static double[] transformStats(double[] s, int n, int c) {
        double th = 0, x = 0, y = 0;
        for (int i = 0; i < n; i++) {
            th += Math.acos(Math.max(-1, Math.min(1, s[i * c])));
            x += s[i * c + 2];
            y += s[i * c + 3];
        }
        return new double[]{th / n, x / n, y / n};
    }

    /** s_statistics' transform stats: mean(arccos(S_input[:,0])), mean(S_input[:,2]), mean(S_input[:,3]). */
    public static float[] transformStats(float[] s, int n, int c) {
        double th = 0, x = 0, y = 0;
        for (int i = 0; i < n; i++) {
            th += Math.acos(Math.max(-1, Math.min(1, s[i * c])));
            x += s[i * c + 2];
            y += s[i * c + 3];
        }
        return new float[]{(float) (th / n), (float) (x / n), (float) (y / n)};
    }

    // ---------------------------------------------------------------------------------------------- delta_i_c

    /**
     * The CLIP input of raw generator images: bicubic resize (align_corners = True) to R, (x + 1)/2, clamp to [0, 1],
     * CLIP's mean/std; in the images' precision (float64 images get the exact mean/std decimals, as torchvision's
     * Normalize makes them in the tensor's dtype).
     */
    public static NDArray clipInput(NDArray images, int r) {
        NDManager caller = images.getManager();
        try (NDManager sub = caller.newSubManager()) {
            images.tempAttach(sub);
            NDArray x = Nd.divLike(Nd.addLike(BicubicResize.resize(images, r, r), 1), 2).clip(0f, 1f);
            boolean f64 = x.getDataType() == DataType.FLOAT64;
            NDArray mean = f64 ? Nd.constant(sub, ClipPreprocess.MEAN64, new Shape(1, 3, 1, 1), DataType.FLOAT64)
                    : sub.create(ClipPreprocess.MEAN, new Shape(1, 3, 1, 1));
            NDArray std = f64 ? Nd.constant(sub, ClipPreprocess.STD64, new Shape(1, 3, 1, 1), DataType.FLOAT64)
                    : sub.create(ClipPreprocess.STD, new Shape(1, 3, 1, 1));
            x = x.sub(mean).div(std);
            x.attach(caller);
            return x;
        }
    }

    /**
     * What one channel of the sweep produced, in the sweep's precision (float32 values widened exactly): CLIP features
     * [N, 2(−,+), D], and for kept channels the raw images [N, 2, 3, S, S] and CLIP inputs [N, 2, 3, R, R].
     */
    public record ChannelResult(int channel, double[] features, double[] images, double[] clipInput) {
    }

    /**
     * create_delta_i_c.py for channels [from, to) in the given precision: float64 on float32 networks makes their
     * float64 twins for the call (pass twins when calling repeatedly); float32 needs float32 networks. See
     * {@link #sweep(StyleGan3Generator, ClipModel, double[], int, double[], double[], double, int, int, java.util.Set,
     * NDManager, java.util.function.IntConsumer)}.
     */
    public static List<ChannelResult> sweep(Precision precision, StyleGan3Generator g, ClipModel clip, double[] sWork, int n,
                                            double[] mean, double[] std, double strength, int from, int to,
                                            java.util.Set<Integer> keepImages, NDManager m,
                                            java.util.function.IntConsumer progress) throws ModelFileException {
        if (Precision.of(g.dataType()) == precision && Precision.of(clip.dataType()) == precision) {
            return sweep(g, clip, sWork, n, mean, std, strength, from, to, keepImages, m, progress, null);
        }
        if (precision == Precision.FLOAT32) {
            throw new IllegalArgumentException("a float32 sweep needs the float32 networks, not float64 twins");
        }
        try (StyleGan3Generator g64 = g.dataType() == DataType.FLOAT64 ? null : g.toFloat64(m);
             ClipModel c64 = clip.dataType() == DataType.FLOAT64 ? null : clip.toFloat64(m)) {
            return sweep(g64 != null ? g64 : g, c64 != null ? c64 : clip, sWork, n, mean, std, strength, from, to,
                    keepImages, m, progress, null);
        }
    }

    /**
     * create_delta_i_c.py for channels [from, to), in the precision of the networks (both float32, or both float64
     * twins): for each channel c, S_work[:, c] = mean[c] ∓ strength·std[c], the N samples synthesised (those at − in
     * one batch, those at + in another, as the reference), their CLIP features [N, 2, D]; the channel is NOT restored
     * (it stays at mean + strength·std, as the reference does). {@code sWork} [N·C] is updated in place. For float32
     * networks {@code sWork}, {@code mean} and {@code std} must hold float32 values (the perturbed values are computed
     * in float32 arithmetic, as the reference's float32 run).
     *
     * @param keepImages channels whose images and CLIP inputs are returned (may be empty)
     */
    public static List<ChannelResult> sweep(StyleGan3Generator g, ClipModel clip, double[] sWork, int n, double[] mean,
                                            double[] std, double strength, int from, int to,
                                            java.util.Set<Integer> keepImages, NDManager m,
                                            java.util.function.IntConsumer progress) {
        return sweep(g, clip, sWork, n, mean, std, strength, from, to, keepImages, m, progress, null);
    }

    /** As above, the syntheses under a memory plan (null: whole batches, {@link dev.styleclip.runtime.SynthesisPlan#DEFAULT}). */
    public static List<ChannelResult> sweep(StyleGan3Generator g, ClipModel clip, double[] sWork, int n, double[] mean,
                                            double[] std, double strength, int from, int to,
                                            java.util.Set<Integer> keepImages, NDManager m,
                                            java.util.function.IntConsumer progress, MemoryPlanner.Plan plan) {
        if (g.dataType() != clip.dataType()) {
            throw new IllegalArgumentException("the generator computes in " + g.dataType() + ", CLIP in " + clip.dataType());
        }
        boolean f64 = g.dataType() == DataType.FLOAT64;
        int c = mean.length;
        int r = clip.inputResolution();
        List<ChannelResult> out = new ArrayList<>();
        float d = (float) strength;
        for (int ch = from; ch < to; ch++) {
            double minus, plus;
            if (f64) {
                minus = mean[ch] + (-strength) * std[ch];
                plus = mean[ch] + strength * std[ch];
            } else {
                minus = (float) mean[ch] + (-d) * (float) std[ch];
                plus = (float) mean[ch] + d * (float) std[ch];
            }
            // as the reference: the N samples at −strength form one synthesis batch, those at +strength another (the
            // modulated convolutions normalise styles over the whole batch, so the batch composition is part of the
            // float32 arithmetic); CLIP then sees [N, 2(−,+)] flattened to 2N images
            double[] lo = java.util.Arrays.copyOf(sWork, n * c);
            double[] hi = java.util.Arrays.copyOf(sWork, n * c);
            for (int i = 0; i < n; i++) {
                lo[i * c + ch] = minus;
                hi[i * c + ch] = plus;
            }
            try (NDManager step = m.newSubManager()) {
                NDArray imLo = synthesize(g, Nd.constant(step, lo, new Shape(n, c), g.dataType()), plan);
                NDArray imHi = synthesize(g, Nd.constant(step, hi, new Shape(n, c), g.dataType()), plan);
                Shape is = imLo.getShape();
                NDArray img = NDArrays.stack(new NDList(imLo, imHi), 1).reshape(2L * n, is.get(1), is.get(2), is.get(3));
                NDArray in = clipInput(img, r);
                NDArray f = clip.encodeImage(in);
                boolean keep = keepImages != null && keepImages.contains(ch);
                out.add(new ChannelResult(ch, values(f), keep ? values(img) : null, keep ? values(in) : null));
            }
            for (int i = 0; i < n; i++) sWork[i * c + ch] = plus;
            if (progress != null) progress.accept(ch);
        }
        return out;
    }

    /** A float32 or float64 array's values as doubles (float32 widened exactly). */
    private static double[] values(NDArray a) {
        return a.getDataType() == DataType.FLOAT64 ? a.toDoubleArray() : widen(a.toFloatArray());
    }

    /**
     * get_delta_i_c: features [C, N, 2, D] → [C, D] (normalise, + − −, normalise, mean over N, normalise), computed in
     * float64 from the features as given (float32 features widened) and rounded to float32 once at the end.
     */
    public static float[] deltaIC(double[] features, int c, int n, int d) {
        float[] out = new float[c * d];
        for (int ch = 0; ch < c; ch++) {
            double[] acc = new double[d];
            for (int i = 0; i < n; i++) {
                int base = ((ch * n + i) * 2) * d;
                double nm = 0, np = 0;
                for (int k = 0; k < d; k++) {
                    nm += features[base + k] * features[base + k];
                    np += features[base + d + k] * features[base + d + k];
                }
                nm = Math.sqrt(nm);
                np = Math.sqrt(np);
                double[] diff = new double[d];
                double nd = 0;
                for (int k = 0; k < d; k++) {
                    diff[k] = features[base + d + k] / np - features[base + k] / nm;
                    nd += diff[k] * diff[k];
                }
                nd = Math.sqrt(nd);
                if (!(nd > 0)) continue; // the perturbation did not move this sample's features: no direction (the reference would give NaN)
                for (int k = 0; k < d; k++) acc[k] += diff[k] / nd;
            }
            double na = 0;
            for (int k = 0; k < d; k++) {
                acc[k] /= n;
                na += acc[k] * acc[k];
            }
            na = Math.sqrt(na);
            for (int k = 0; k < d; k++) out[ch * d + k] = na > 0 ? (float) (acc[k] / na) : 0f;
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- text

    /** Template-averaged, re-normalised text features of one prompt [D]. */
    public static float[] textFeature(ClipModel clip, String prompt, List<String> templates, NDManager m) {
        List<String> prompts = new ArrayList<>();
        for (String t : templates) prompts.add(t.replace("{}", prompt));
        try (NDManager sub = m.newSubManager()) {
            NDArray e = ClipModel.normalize(clip.encodeText(prompts, sub));
            NDArray mean = e.mean(new int[]{0});
            return mean.div(mean.norm()).toFloatArray();
        }
    }

    /** delta_i = (t_target − t_neutral) / ‖·‖. */
    public static float[] deltaI(float[] target, float[] neutral) {
        float[] d = new float[target.length];
        double n = 0;
        for (int k = 0; k < d.length; k++) {
            d[k] = target[k] - neutral[k];
            n += (double) d[k] * d[k];
        }
        n = Math.sqrt(n);
        if (n == 0) throw new IllegalArgumentException("the neutral and target texts have the same CLIP embedding");
        for (int k = 0; k < d.length; k++) d[k] = (float) (d[k] / n);
        return d;
    }

    /** r_c = delta_i_c · delta_i [C]. */
    public static float[] relevance(float[] deltaIC, float[] deltaI) {
        int d = deltaI.length;
        int c = deltaIC.length / d;
        float[] r = new float[c];
        for (int ch = 0; ch < c; ch++) {
            double acc = 0;
            for (int k = 0; k < d; k++) acc += (double) deltaIC[ch * d + k] * deltaI[k];
            r[ch] = (float) acc;
        }
        return r;
    }

    /**
     * How relevant each style channel of {@code g} is to the text edit {@code neutral → target}, from channel effects
     * prepared earlier ({@code p}, read from {@code source}): CLIP's normalised text direction against each channel's
     * image direction. Effects prepared for another generator or with another CLIP are refused by name. The one way the
     * studio's direction step and {@code directions apply} turn text into relevance.
     */
    public static float[] relevance(StyleGan3Generator g, ClipModel clip, DirectionsPrepareJob.Prepared p, Object source,
                                    String neutral, String target, NDManager m) {
        int c = channelCount(g);
        if (p.channels() != c) throw new IllegalArgumentException(source + " has " + p.channels() + " channels, this generator " + c);
        float[] tt = textFeature(clip, target, DEFAULT_TEMPLATES, m);
        float[] tn = textFeature(clip, neutral, DEFAULT_TEMPLATES, m);
        if (tt.length != p.dim()) {
            throw new IllegalArgumentException(source + " was made with a CLIP of dimension " + p.dim() + ", this one has " + tt.length);
        }
        return relevance(p.deltaIC(), deltaI(tt, tn));
    }

    /** The channel direction with its number of active channels. */
    public record Direction(float[] direction, int activeChannels, float maxRelevance) {
    }

    /**
     * get_delta_s: channels with |r_c| < β are zeroed, the rest divided by max|·| and multiplied by s_std. β above
     * every |r_c| is refused with a clear message.
     */
    public static Direction direction(float[] r, float[] std, double beta) {
        float[] ds = new float[r.length];
        float max = 0;
        float maxR = 0;
        int active = 0;
        for (int i = 0; i < r.length; i++) {
            if (!Float.isFinite(r[i])) throw new IllegalArgumentException("channel " + i + " has a non-finite relevance: the prepared directions are corrupt");
            maxR = Math.max(maxR, Math.abs(r[i]));
            if (Math.abs(r[i]) < beta) continue;
            ds[i] = r[i];
            active++;
            max = Math.max(max, Math.abs(r[i]));
        }
        if (active == 0) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "beta %.4g leaves no channel active (the largest |relevance| is %.4g): choose a smaller beta", beta, maxR));
        }
        float[] dir = new float[r.length];
        for (int i = 0; i < r.length; i++) dir[i] = (max > 0 ? ds[i] / max : ds[i]) * std[i];
        return new Direction(dir, active, maxR);
    }

    /** s + α·direction. */
    public static float[] edit(float[] s, int n, float[] direction, double alpha) {
        int c = direction.length;
        float[] out = new float[s.length];
        float a = (float) alpha;
        for (int i = 0; i < n; i++) for (int j = 0; j < c; j++) out[i * c + j] = s[i * c + j] + a * direction[j];
        return out;
    }
}
