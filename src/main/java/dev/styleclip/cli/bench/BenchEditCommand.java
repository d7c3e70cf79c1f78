package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.NetworkOptions;
import dev.styleclip.cli.common.TextTable;
import dev.styleclip.cli.common.PlanOption;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.runtime.NativeAllocator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.ClipLoss;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.Nd;
import dev.styleclip.runtime.ComputeService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip bench edit}: one latent-optimisation step (W+, CLIP + L2 + ID loss, Adam) timed per network, forward
 * and backward apart, and the resident memory at steps 100, 1,000 and 2,000 (it must stay flat).
 *
 * <p>To time the backward pass per network the graph is cut at the image: CLIP and ID losses are taken of a detached copy
 * of the image that requires a gradient, each loss is back-propagated on its own (their image gradients add up), then the
 * generator's backward runs from that image gradient. The latent gradient equals the one of a single backward pass.
 */
@BenchOptions.Defaults(iters = 2000, warmup = 3)
@Command(name = "edit", description = {"Time latent-optimisation steps per network (generator, CLIP, ID; forward and backward)",
        "and check that memory stays flat (RSS at steps 100, 1000, 2000). Default networks: the demo networks."})
public final class BenchEditCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    NetworkOptions networks;

    @Mixin
    PlanOption plan;

    @Mixin
    BenchOptions opts;

    @Option(names = "--prompt", defaultValue = "a face with curly hair", description = "prompt (default \"${DEFAULT-VALUE}\")")
    String prompt;

    private static final String[] PARTS = {"generator forward", "CLIP forward", "ID forward", "CLIP backward", "ID backward",
            "generator backward", "Adam + rest"};

    @Override
    public Integer call() throws Exception {
        // --iters timed steps after --warmup untimed ones; the default is long enough to see memory stay flat
        opts.apply();
        int steps = opts.warmup() + opts.iters();
        plan.forced(); // a bad --plan is refused before anything loads
        EditNetworks.Files files = networks.explicitFiles();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, List<Double>> times = new LinkedHashMap<>();
        for (String p : PARTS) times.put(p, new ArrayList<>());
        List<Double> stepMs = new ArrayList<>();
        TreeMap<Integer, Double> rss = new TreeMap<>();
        Map<String, Object> r = new LinkedHashMap<>();
        ProgressBar bar = ProgressBar.lines(err);
        try (ComputeService svc = new ComputeService("cpu")) {
            svc.run("bench-edit", ctx -> {
                opts.useThreads();
                r.put("threads", opts.threads());
                EditNetworks nets = EditNetworks.load(ctx.models(), files);
                StyleGan3Generator g = nets.generator();
                ClipLoss clip = ClipLoss.of(nets, prompt);
                MemoryPlanner.Plan mem = plan.choose(MemoryPlanner.Task.EDIT_STEP, 1, g, List.of(nets.clip(), nets.identity()),
                        networks.memory, ctx.device());
                StyleGan3Generator.Options gen = StyleGan3Generator.Options.with(mem.synthesis());
                r.put("plan", mem.synthesis().describe());
                r.put("estimated_peak_mb", Bench.mb(mem.peakBytes()));
                // what the same step would need on a CUDA device: the working memory and the three networks' weights
                // (the CUDA context, a few hundred MB, aside)
                r.put("estimated_vram_mb", Bench.mb(MemoryPlanner.estimate(MemoryPlanner.Task.EDIT_STEP, 1, g,
                        List.of(nets.clip(), nets.identity()), mem.synthesis(), true)
                        + g.parameterBytes() + nets.clip().parameterBytes() + nets.identity().parameterBytes()));
                NDManager jm = ctx.manager();
                NDArray ws0 = g.mapping(g.seedZ(jm, 0), 0.7, null);
                NDArray latent = ws0.duplicate();
                NDArray idTarget = nets.identity().features(g.synthesis(ws0, gen)).stopGradient();
                Adam adam = new Adam(latent, jm);
                r.put("networks", nets.describe());
                r.put("resolution", g.resolution());
                r.put("clip_input", nets.clip().inputResolution());
                r.put("id_input", nets.identity().faceSize());
                Bench.resetPeak();
                for (int i = 0; i < steps; i++) {
                    final int step = i + 1;
                    ctx.step(sm -> {
                        long t0 = System.nanoTime();
                        long[] t = new long[PARTS.length];
                        NDArray v = latent.duplicate();
                        v.attach(sm);
                        v.setRequiresGradient(true);
                        NDArray grad;
                        try (Gradients gc = Gradients.record()) {
                            long a = System.nanoTime();
                            NDArray img = g.synthesis(v, gen);
                            img.getFloat(0, 0, 0, 0);
                            t[0] = System.nanoTime() - a;
                            NDArray leaf = img.stopGradient();
                            leaf.setRequiresGradient(true);
                            a = System.nanoTime();
                            NDArray lc = clip.loss(leaf).sum();
                            lc.getFloat();
                            t[1] = System.nanoTime() - a;
                            a = System.nanoTime();
                            NDArray li = Nd.mul(nets.identity().lossToFeatures(leaf, idTarget), 0.001f);
                            li.getFloat();
                            t[2] = System.nanoTime() - a;
                            // the loss networks' backward alone (a plain backward pass: the generator's recomputed
                            // part, if any, runs with the last, whole backward below)
                            a = System.nanoTime();
                            Gradients.backward(lc, lc.onesLike(), false);
                            t[3] = System.nanoTime() - a;
                            a = System.nanoTime();
                            Gradients.backward(li, li.onesLike(), false);
                            t[4] = System.nanoTime() - a;
                            NDArray gImg = leaf.getGradient().duplicate();
                            a = System.nanoTime();
                            NDArray surrogate = img.mul(gImg).sum().add(Nd.mul(v.sub(ws0).square().mean(), 0.001f));
                            gc.backward(surrogate);
                            grad = v.getGradient().duplicate();
                            grad.getFloat(0, 0, 0);
                            t[5] = System.nanoTime() - a;
                        }
                        adam.expAvg().tempAttach(sm);
                        adam.expAvgSq().tempAttach(sm);
                        adam.step(latent, grad, 0.01, sm);
                        latent.getFloat(0, 0, 0);
                        long total = System.nanoTime() - t0;
                        long rest = total;
                        for (int k = 0; k < 6; k++) rest -= t[k];
                        t[6] = rest;
                        if (step > opts.warmup()) {
                            for (int k = 0; k < PARTS.length; k++) times.get(PARTS[k]).add(t[k] / 1e6);
                            stepMs.add(total / 1e6);
                        }
                        return null;
                    });
                    int s = i + 1;
                    if (s == 100 || s == 1000 || s == 2000 || s == steps || s == Math.min(steps, 10)) {
                        System.gc();
                        rss.put(s, Bench.rssMb());
                    }
                    if (s % 10 == 0 || s == steps) { // reading RSS and sorting the times every step would cost the steps
                        bar.draw(String.format(Locale.ROOT, "%s step %d/%d, %.0f ms/step, RSS %.0f MB", ProgressBar.bar((double) s / steps),
                                s, steps, stepMs.isEmpty() ? Double.NaN : Bench.Stats.of(stepMs).median(), Bench.rssMb()), s == steps);
                    }
                }
                return null;
            }, null);
        }
        bar.end();
        Map<String, Object> parts = new LinkedHashMap<>();
        for (String p : PARTS) parts.put(p, Bench.Stats.of(times.get(p)).toMap());
        r.put("steps", steps);
        r.put("timed_steps", stepMs.size());
        r.put("step_ms", Bench.Stats.of(stepMs).toMap());
        r.put("parts_ms", parts);
        Map<String, Object> rssMap = new LinkedHashMap<>();
        rss.forEach((k, v) -> rssMap.put(String.valueOf(k), v));
        r.put("rss_mb", rssMap);
        Integer from = rss.ceilingKey(Math.min(100, steps));
        double growth = Double.NaN;
        if (from != null && rss.lastKey() > from) growth = (rss.lastEntry().getValue() - rss.get(from)) / rss.get(from) * 100;
        r.put("rss_growth_percent", Double.isNaN(growth) ? null : Bench.round(growth));
        r.put("rss_flat_within_3_percent", Double.isNaN(growth) ? null : growth <= 3);
        r.put("peak_rss_mb", Bench.peakRssMb());
        r.put("allocator", NativeAllocator.inUse());
        if (opts.json()) {
            Bench.printJson(out, r);
        } else {
            out.println("latent optimisation step: " + r.get("networks") + "; " + r.get("resolution") + "^2 image, CLIP "
                    + r.get("clip_input") + "^2, ID " + r.get("id_input") + "^2; " + r.get("threads") + " thread(s), "
                    + stepMs.size() + " timed steps of " + steps + ", allocator " + r.get("allocator"));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"part", "median ms", "min ms"});
            for (String p : PARTS) {
                Bench.Stats s = Bench.Stats.of(times.get(p));
                rows.add(new String[]{p, String.format(Locale.ROOT, "%.1f", s.median()), String.format(Locale.ROOT, "%.1f", s.min())});
            }
            Bench.Stats s = Bench.Stats.of(stepMs);
            rows.add(new String[]{"whole step", String.format(Locale.ROOT, "%.1f", s.median()), String.format(Locale.ROOT, "%.1f", s.min())});
            out.print(TextTable.format(rows));
            StringBuilder sb = new StringBuilder("RSS");
            rss.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  step %d: %.0f MB", k, v)));
            if (!Double.isNaN(growth)) sb.append(String.format(Locale.ROOT, "  (growth %+.2f %% from step %d: %s)", growth, from,
                    growth <= 3 ? "flat" : "NOT flat"));
            out.println(sb);
            out.println("memory plan: " + r.get("plan") + "; estimated peak " + r.get("estimated_peak_mb") + " MB, measured peak "
                    + r.get("peak_rss_mb") + " MB; on a GPU the step would need about " + r.get("estimated_vram_mb") + " MB");
        }
        out.flush();
        return 0;
    }
}
