package dev.styleclip.edit.directions;

import dev.styleclip.model.stylegan3.InputTransform;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.edit.mapper.EditGoldenModels;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.styleclip.edit.mapper.EditGoldenModels.row;
import static dev.styleclip.edit.mapper.EditGoldenModels.tol;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every {@code method = global_directions} case of the edit golden set. Statistics and the channel sweep run in the
 * preparation's default precision ({@link Precision#DEFAULT}, float64 twins of both networks, as
 * {@link DirectionsPrepareJob} runs them); text features, the direction and the edit in float32 (as applying a prepared
 * direction does). Tolerances are the manifest's, unchanged.
 */
class DirectionsGoldenTest {

    @TestFactory
    List<DynamicTest> directionCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : EditGoldenModels.cases("global_directions")) {
            tests.add(DynamicTest.dynamicTest(c.path("id").asText(), () -> run(c)));
        }
        return tests;
    }

    /** Failures of the current case: every tensor is checked, all failures are reported together. */
    private static final List<String> FAILURES = new ArrayList<>();

    private static void soft(Runnable check) {
        try {
            check.run();
        } catch (AssertionError e) {
            FAILURES.add(e.getMessage());
        }
    }

    private static void check(JsonNode c, TensorStore t, String name, float[] actual) throws Exception {
        double[] tl = tol(c, name, -1);
        float[] e = t.get(name).toFloatArray();
        soft(() -> Golden.assertAllClose(actual, e, tl[0], tl[1], c.path("id").asText() + " " + name));
    }

    /** A result of the (float64) preparation against the float32 golden, with the same tolerance. */
    private static void check(JsonNode c, TensorStore t, String name, double[] actual) throws Exception {
        double[] tl = tol(c, name, -1);
        double[] e = t.get(name).toDoubleArray();
        soft(() -> Golden.assertAllClose(actual, e, tl[0], tl[1], c.path("id").asText() + " " + name));
    }

    private static double maxAbsDiff(double[] a, double[] b) {
        assertEquals(b.length, a.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    private static double[] rowOf(double[] all, int rows, int i) {
        int n = all.length / rows;
        double[] r = new double[n];
        System.arraycopy(all, i * n, r, 0, n);
        return r;
    }

    /** {@link #checkRows(JsonNode, TensorStore, String, float[], int)} for preparation results. */
    private static void checkRows(JsonNode c, TensorStore t, String name, double[] actual, int rows) throws Exception {
        JsonNode tn = c.path("tolerances").path(name);
        if (!tn.has("atol_per_channel")) {
            check(c, t, name, actual);
            return;
        }
        double[] e = t.get(name).toDoubleArray();
        assertEquals(e.length, actual.length, name + " size");
        for (int i = 0; i < rows; i++) {
            int ch = i;
            soft(() -> Golden.assertAllClose(rowOf(actual, rows, ch), rowOf(e, rows, ch), tn.path("atol_per_channel").get(ch).asDouble(),
                    tn.path("rtol_per_channel").get(ch).asDouble(), c.path("id").asText() + " " + name + " channel " + ch));
        }
    }

    /** Row-by-row check with the per-channel tolerances where the manifest lists them. */
    private static void checkRows(JsonNode c, TensorStore t, String name, float[] actual, int rows) throws Exception {
        JsonNode tn = c.path("tolerances").path(name);
        if (!tn.has("atol_per_channel")) {
            check(c, t, name, actual);
            return;
        }
        float[] e = t.get(name).toFloatArray();
        assertEquals(e.length, actual.length, name + " size");
        for (int i = 0; i < rows; i++) {
            int ch = i;
            soft(() -> Golden.assertAllClose(row(actual, rows, ch), row(e, rows, ch), tn.path("atol_per_channel").get(ch).asDouble(),
                    tn.path("rtol_per_channel").get(ch).asDouble(), c.path("id").asText() + " " + name + " channel " + ch));
        }
    }

    private static void run(JsonNode c) throws Exception {
        FAILURES.clear();
        JsonNode p = c.path("params");
        TensorStore t = EditGoldenModels.tensors(c);
        StyleGan3Generator g = EditGoldenModels.generator();
        ClipModel clip = EditGoldenModels.clip();
        int n = p.path("num_images").asInt();
        int channels = p.path("num_channels").asInt();
        assertEquals(channels, GlobalDirections.channelCount(g), "StyleSpace channels");
        List<GlobalDirections.Group> layout = GlobalDirections.layout(g);
        JsonNode ml = p.path("stylespace_layout");
        assertEquals(ml.size(), layout.size(), "layout groups");
        for (int i = 0; i < layout.size(); i++) {
            assertEquals(ml.get(i).path("layer").asText(), layout.get(i).name());
            assertEquals(ml.get(i).path("offset").asInt(), layout.get(i).offset());
            assertEquals(ml.get(i).path("channels").asInt(), layout.get(i).channels());
        }
        assertEquals(p.path("clip_input_resolution").asInt(), clip.inputResolution());
        Precision precision = Precision.DEFAULT;
        try (NDManager m = EditGoldenModels.manager().newSubManager();
             // the networks of the preparation: float64 twins unless the default is float32
             StyleGan3Generator g64 = precision == Precision.FLOAT64 ? g.toFloat64(m) : null;
             ClipModel clip64 = precision == Precision.FLOAT64 ? clip.toFloat64(m) : null) {
            StyleGan3Generator gp = g64 != null ? g64 : g;
            ClipModel clipP = clip64 != null ? clip64 : clip;
            // 1. statistics
            double[] z = new NumpyRandom(p.path("random_state").asLong()).randn(n * g.zDim());
            assertArrayEquals(t.get("stats_z").toDoubleArray(), z, 0.0, "stats_z");
            Integer cutoff = p.has("cutoff_stats") && !p.path("cutoff_stats").isNull() ? p.path("cutoff_stats").asInt() : null;
            NDArray ws = GlobalDirections.statisticsWs(gp, p.path("random_state").asLong(), n, p.path("psi_stats").asDouble(), cutoff, m);
            check(c, t, "stats_ws", precision == Precision.FLOAT64 ? ws.toDoubleArray() : GlobalDirections.widen(ws.toFloatArray()));
            GlobalDirections.Statistics st = GlobalDirections.statistics(gp, p.path("random_state").asLong(), n,
                    p.path("psi_stats").asDouble(), cutoff, m);
            check(c, t, "stats_S", st.s());
            check(c, t, "s_mean", st.mean());
            check(c, t, "s_std", st.std());
            check(c, t, "transform_theta_x_y", st.transform());

            // 2. delta_i_c
            Set<Integer> probes = new HashSet<>();
            List<Integer> probeList = new ArrayList<>();
            p.path("probe_channels").forEach(x -> {
                probes.add(x.asInt());
                probeList.add(x.asInt());
            });
            double[] sWork = st.s().clone();
            long t0 = System.nanoTime();
            List<GlobalDirections.ChannelResult> res = GlobalDirections.sweep(gp, clipP, sWork, n, st.mean(), st.std(),
                    p.path("strength").asDouble(), 0, channels, probes, m, null);
            System.out.printf(java.util.Locale.ROOT, "%s sweep of %d channels x %d images: %.1f s%n", precision.id(), channels, n,
                    (System.nanoTime() - t0) / 1e9);
            int d = (int) t.get("delta_i_c").shape()[1];
            double[] features = new double[channels * n * 2 * d];
            for (GlobalDirections.ChannelResult r : res) System.arraycopy(r.features(), 0, features, r.channel() * n * 2 * d, n * 2 * d);
            checkRows(c, t, "clip_features", features, channels);
            check(c, t, "final_perturbed_S", sWork);
            // probe images: [P, samples, 2, 3, S, S] for the listed probe samples
            List<Integer> samples = new ArrayList<>();
            p.path("probe_samples").forEach(x -> samples.add(x.asInt()));
            int img = 3 * g.resolution() * g.resolution();
            int cin = 3 * clip.inputResolution() * clip.inputResolution();
            double[] pi = new double[probeList.size() * samples.size() * 2 * img];
            double[] pc = new double[probeList.size() * samples.size() * 2 * cin];
            for (int k = 0; k < probeList.size(); k++) {
                GlobalDirections.ChannelResult r = res.get(probeList.get(k));
                for (int si = 0; si < samples.size(); si++) {
                    int sample = samples.get(si);
                    System.arraycopy(r.images(), 2 * sample * img, pi, ((k * samples.size() + si) * 2) * img, 2 * img);
                    System.arraycopy(r.clipInput(), 2 * sample * cin, pc, ((k * samples.size() + si) * 2) * cin, 2 * cin);
                }
            }
            check(c, t, "probe_images", pi);
            check(c, t, "probe_clip_input", pc);
            float[] dic = GlobalDirections.deltaIC(features, channels, n, d);
            checkRows(c, t, "delta_i_c", dic, channels);

            // 3. text direction
            List<String> templates = new ArrayList<>();
            p.path("templates").forEach(x -> templates.add(x.asText()));
            String target = p.path("target").asText();
            String neutral = p.path("neutral").asText();
            List<String> prompts = new ArrayList<>();
            for (String w : new String[]{target, neutral}) for (String tpl : templates) prompts.add(tpl.replace("{}", w));
            long[][] tok = ClipTokenizer.standard().tokenize(prompts, clip.config().contextLength());
            long[] flat = new long[tok.length * tok[0].length];
            for (int i = 0; i < tok.length; i++) System.arraycopy(tok[i], 0, flat, i * tok[0].length, tok[0].length);
            assertArrayEquals(t.get("template_tokens").toLongArray(), flat, "template tokens");
            float[] tt = GlobalDirections.textFeature(clip, target, templates, m);
            float[] tn = GlobalDirections.textFeature(clip, neutral, templates, m);
            float[] both = new float[2 * tt.length];
            System.arraycopy(tt, 0, both, 0, tt.length);
            System.arraycopy(tn, 0, both, tt.length, tn.length);
            check(c, t, "text_features_target_neutral", both);
            float[] di = GlobalDirections.deltaI(tt, tn);
            check(c, t, "delta_i", di);

            // 4. channel direction (from our own delta_i_c and delta_i)
            float[] r = GlobalDirections.relevance(dic, di);
            checkRows(c, t, "r_c", r, channels);
            // for the record: how far the preparation is from the reference's own float64 run
            System.out.printf(java.util.Locale.ROOT, "%s preparation vs the reference float64 run: max |d| clip_features %.2e, "
                            + "r_c %.2e%n", precision.id(), maxAbsDiff(features, t.get("clip_features__f64").toDoubleArray()),
                    maxAbsDiff(GlobalDirections.widen(r), t.get("r_c__f64").toDoubleArray()));
            GlobalDirections.Direction dir = GlobalDirections.direction(r, GlobalDirections.narrow(st.std()), p.path("beta").asDouble());
            long[] mask = t.get("channel_mask").toLongArray();
            long kept = 0;
            for (int i = 0; i < channels; i++) {
                assertEquals(mask[i], dir.direction()[i] != 0 || Math.abs(r[i]) >= p.path("beta").asDouble() ? 1L : 0L, "channel_mask " + i);
                kept += mask[i];
            }
            assertEquals(kept, dir.activeChannels(), "active channels");
            checkRows(c, t, "direction", dir.direction(), channels);

            // 5. edit of a synthetic face (identity input transform)
            double[] ez = NumpyRandom.latent(p.path("edit_seed").asLong(), g.zDim());
            float[] ezf = new float[ez.length];
            for (int i = 0; i < ez.length; i++) ezf[i] = (float) ez[i];
            assertArrayEquals(t.get("edit_z").toFloatArray(), ezf, 0f, "edit_z");
            NDArray ew = g.mapping(m.create(ezf, new Shape(1, g.zDim())), p.path("edit_psi").asDouble(), null);
            check(c, t, "edit_w", ew.toFloatArray());
            float[] es = GlobalDirections.w2s(g, ew).toFloatArray();
            check(c, t, "edit_s", es);
            float[] ee = GlobalDirections.edit(es, 1, dir.direction(), p.path("alpha").asDouble());
            check(c, t, "edit_s_edited", ee);
            StyleGan3Generator.Options id = StyleGan3Generator.Options.defaults().transform(InputTransform.identity());
            check(c, t, "edit_image_orig", GlobalDirections.synthesize(g, m.create(es, new Shape(1, channels)), id).toFloatArray());
            check(c, t, "edit_image_edited", GlobalDirections.synthesize(g, m.create(ee, new Shape(1, channels)), id).toFloatArray());
        }
        if (!FAILURES.isEmpty()) {
            org.junit.jupiter.api.Assertions.fail(FAILURES.size() + " checks failed:\n" + String.join("\n", FAILURES));
        }
    }
}
