package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.ClipPreprocess;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * StyleCLIP global directions in StyleGAN3's StyleSpace (stylegan3-editing {@code editing/styleclip_global_directions}):
 * StyleSpace statistics, the per-channel CLIP image effect {@code delta_i_c}, the template-averaged text direction, the
 * thresholded channel direction and the edit. StyleSpace is flattened to [N, C] in the generator's module order
 * ({@code input} (4 values) then every layer's input channels, ToRGB last).
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
        NDManager caller = ws.getManager();
        try (NDManager sub = caller.newSubManager()) {
            ws.tempAttach(sub);
            Map<String, NDArray> s = g.styleSpace(ws);
            NDArray flat = NDArrays.concat(new NDList(s.values()), 1);
            flat.attach(caller);
            return flat;
        }
    }

    /** synthesis(all_s = S) for flat S [N, C] (options: e.g. the identity input transform). */
    public static NDArray synthesize(StyleGan3Generator g, NDArray flat, StyleGan3Generator.Options options) {
        NDManager caller = flat.getManager();
        try (NDManager sub = caller.newSubManager()) {
            flat.tempAttach(sub);
            Map<String, NDArray> s = new LinkedHashMap<>();
            for (Group gr : layout(g)) s.put(gr.name(), flat.get(new NDIndex(":, " + gr.offset() + ":" + (gr.offset() + gr.channels()))));
            NDArray img = g.synthesisFromStyleSpace(s, options);
            img.attach(caller);
            return img;
        }
    }

    // ---------------------------------------------------------------------------------------------- statistics

    /** s_statistics.py: z = RandomState(seed).randn(n, z_dim) (one draw), ws = mapping(z, psi, cutoff). */
    public static NDArray statisticsWs(StyleGan3Generator g, long seed, int n, double psi, Integer cutoff, NDManager m) {
        double[] z = new NumpyRandom(seed).randn(n * g.zDim());
        float[] zf = new float[z.length];
        for (int i = 0; i < z.length; i++) zf[i] = (float) z[i];
        return g.mapping(m.create(zf, new Shape(n, g.zDim())), psi, cutoff);
    }

    /** Per-channel mean and population std (ddof 0) of S [N, C] (float64 accumulation). */
    public static float[][] meanStd(float[] s, int n, int c) {
        float[] mean = new float[c];
        float[] std = new float[c];
        for (int j = 0; j < c; j++) {
            double acc = 0;
            for (int i = 0; i < n; i++) acc += s[i * c + j];
            double mu = acc / n;
            double v = 0;
            for (int i = 0; i < n; i++) {
                double d = s[i * c + j] - mu;
                v += d * d;
            }
            mean[j] = (float) mu;
            std[j] = (float) Math.sqrt(v / n);
        }
        return new float[][]{mean, std};
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
     * CLIP's mean/std.
     */
    public static NDArray clipInput(NDArray images, int r) {
        NDManager caller = images.getManager();
        try (NDManager sub = caller.newSubManager()) {
            images.tempAttach(sub);
            NDArray x = BicubicResize.resize(images, r, r).add(1f).div(2f).clip(0f, 1f);
            NDArray mean = sub.create(ClipPreprocess.MEAN, new Shape(1, 3, 1, 1));
            NDArray std = sub.create(ClipPreprocess.STD, new Shape(1, 3, 1, 1));
            x = x.sub(mean).div(std);
            x.attach(caller);
            return x;
        }
    }

    /** What one channel of the sweep produced. */
    public record ChannelResult(int channel, float[] features, float[] images, float[] clipInput) {
    }

    /**
     * create_delta_i_c.py for channels [from, to): for each channel c, S_work[:, c] = mean[c] ∓ strength·std[c], the
     * N samples synthesised (those at − in one batch, those at + in another, as the reference), their CLIP features
     * [N, 2, D]; the channel is NOT restored
     * (it stays at mean + strength·std, as the reference does). {@code sWork} [N·C] is updated in place.
     *
     * @param keepImages channels whose images and CLIP inputs are returned (may be empty)
     */
    public static List<ChannelResult> sweep(StyleGan3Generator g, ClipModel clip, float[] sWork, int n, float[] mean,
                                            float[] std, double strength, int from, int to,
                                            java.util.Set<Integer> keepImages, NDManager m,
                                            java.util.function.IntConsumer progress) {
        int c = mean.length;
        int r = clip.inputResolution();
        List<ChannelResult> out = new ArrayList<>();
        float d = (float) strength;
        for (int ch = from; ch < to; ch++) {
            float minus = mean[ch] + (-d) * std[ch];
            float plus = mean[ch] + d * std[ch];
            // as the reference: the N samples at −strength form one synthesis batch, those at +strength another (the
            // modulated convolutions normalise styles over the whole batch, so the batch composition is part of the
            // float32 arithmetic); CLIP then sees [N, 2(−,+)] flattened to 2N images
            float[] lo = java.util.Arrays.copyOf(sWork, n * c);
            float[] hi = java.util.Arrays.copyOf(sWork, n * c);
            for (int i = 0; i < n; i++) {
                lo[i * c + ch] = minus;
                hi[i * c + ch] = plus;
            }
            try (NDManager step = m.newSubManager()) {
                StyleGan3Generator.Options o = StyleGan3Generator.Options.defaults();
                NDArray imLo = synthesize(g, step.create(lo, new Shape(n, c)), o);
                NDArray imHi = synthesize(g, step.create(hi, new Shape(n, c)), o);
                Shape is = imLo.getShape();
                NDArray img = NDArrays.stack(new NDList(imLo, imHi), 1).reshape(2L * n, is.get(1), is.get(2), is.get(3));
                NDArray in = clipInput(img, r);
                NDArray f = clip.encodeImage(in);
                boolean keep = keepImages != null && keepImages.contains(ch);
                out.add(new ChannelResult(ch, f.toFloatArray(), keep ? img.toFloatArray() : null, keep ? in.toFloatArray() : null));
            }
            for (int i = 0; i < n; i++) sWork[i * c + ch] = plus;
            if (progress != null) progress.accept(ch);
        }
        return out;
    }

    /** get_delta_i_c: features [C, N, 2, D] → [C, D] (normalise, + − −, normalise, mean over N, normalise). */
    public static float[] deltaIC(float[] features, int c, int n, int d) {
        float[] out = new float[c * d];
        for (int ch = 0; ch < c; ch++) {
            double[] acc = new double[d];
            for (int i = 0; i < n; i++) {
                int base = ((ch * n + i) * 2) * d;
                double nm = 0, np = 0;
                for (int k = 0; k < d; k++) {
                    nm += (double) features[base + k] * features[base + k];
                    np += (double) features[base + d + k] * features[base + d + k];
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
