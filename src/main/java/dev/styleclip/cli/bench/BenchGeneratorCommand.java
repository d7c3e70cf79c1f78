package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.TextTable;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.Gradients;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip bench generator}: StyleGAN3 mapping, synthesis forward and forward+backward (w.r.t. ws) timings,
 * each with the memory plan used, its estimated peak and the measured peak resident size of the process.
 */
@BenchOptions.Defaults(iters = 5, warmup = 1)
@Command(name = "generator", description = {"Time the StyleGAN3 generator: mapping, synthesis forward, synthesis forward+backward",
        "(w.r.t. ws), with the memory plan, its estimated peak and the measured peak resident size."})
public final class BenchGeneratorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    BenchGeneratorOptions generator;

    @CommandLine.Mixin
    BenchOptions opts;

    @Option(names = "--batch", defaultValue = "1", description = "images per call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--only", paramLabel = "forward|backward", description = "measure only the forward, or only the forward+backward"
            + " (a clean peak for each: the allocator keeps pages between measurements)")
    String only;

    @Option(names = "--rss-every", paramLabel = "N", description = "print the resident set size every N forward+backward iterations (stderr)")
    Integer rssEvery;

    @Override
    public Integer call() throws Exception {
        opts.apply();
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1");
        if (rssEvery != null && rssEvery < 1) throw new IllegalArgumentException("--rss-every must be >= 1");
        if (only != null && !only.equals("forward") && !only.equals("backward")) {
            throw new IllegalArgumentException("--only takes forward or backward");
        }
        boolean doForward = only == null || only.equals("forward");
        boolean doBackward = only == null || only.equals("backward");
        generator.forcedPlan(); // a bad --plan is refused before anything loads
        GeneratorSource source = generator.source();
        opts.useThreads();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> r = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"measurement", "median ms/img", "min ms/img", "plan", "est. peak MB", "peak RSS MB"});
        try (NDManager m = NDManager.newBaseManager(); StyleGan3Generator g = source.open(m)) {
            MemoryPlanner.Plan fwdPlan = doForward ? generator.choose(MemoryPlanner.Task.GENERATE, batch, g, List.of(), m.getDevice()) : null;
            MemoryPlanner.Plan bwdPlan = doBackward
                    ? generator.choose(MemoryPlanner.Task.GENERATOR_BACKWARD, batch, g, List.of(), m.getDevice()) : null;
            NDArray z = g.seedZ(m, java.util.stream.LongStream.range(0, batch).toArray());
            NDArray ws = g.mapping(z, 1.0, null);
            r.put("generator", source.describe());
            r.put("rss_before_mb", Bench.rssMb());
            r.put("resolution", g.resolution());
            r.put("batch", batch);
            r.put("iters", opts.iters());
            Bench.Stats map = perImage(Bench.time(opts.warmup(), opts.iters(), () -> g.mapping(z, 0.7, null).close()));
            r.put("mapping_ms", map.toMap());
            rows.add(row("mapping", map, null, Double.NaN));
            if (doForward) {
                Bench.resetPeak();
                StyleGan3Generator.Options o = StyleGan3Generator.Options.with(fwdPlan.synthesis());
                Bench.Stats fwd = perImage(Bench.time(opts.warmup(), opts.iters(), () -> g.synthesis(ws, o).close()));
                double peak = Bench.peakRssMb();
                r.put("synthesis_forward", measurement(fwd, fwdPlan, peak));
                rows.add(row("synthesis forward", fwd, fwdPlan, peak));
            }
            if (doBackward) {
                Bench.resetPeak();
                StyleGan3Generator.Options o = StyleGan3Generator.Options.with(bwdPlan.synthesis());
                int[] count = {0};
                Bench.Stats fb = perImage(Bench.time(opts.warmup(), opts.iters(), () -> {
                    try (NDManager it = m.newSubManager()) {
                        NDArray w = ws.duplicate();
                        w.attach(it);
                        w.setRequiresGradient(true);
                        try (Gradients gc = Gradients.record()) {
                            gc.backward(g.synthesis(w, o).sum());
                        }
                        w.getGradient().close();
                    }
                    count[0]++;
                    if (rssEvery != null && count[0] % rssEvery == 0) {
                        err.printf(Locale.ROOT, "iteration %d: rss %.1f MB%n", count[0], Bench.rssMb());
                        err.flush();
                    }
                }));
                double peak = Bench.peakRssMb();
                r.put("synthesis_forward_backward", measurement(fb, bwdPlan, peak));
                rows.add(row("synthesis forward+backward", fb, bwdPlan, peak));
            }
        }
        Bench.putProcess(r);
        if (opts.json()) {
            Bench.printJson(out, r);
        } else {
            out.println("StyleGAN3 generator: " + r.get("generator") + ", " + r.get("resolution") + "x" + r.get("resolution")
                    + ", batch " + batch + ", " + opts.iters() + " timed iterations after " + opts.warmup() + " warm-up");
            out.print(TextTable.format(rows));
            out.println(Bench.processLine(r));
        }
        out.flush();
        return 0;
    }

    private Bench.Stats perImage(Bench.Stats s) {
        return new Bench.Stats(s.median() / batch, s.min() / batch);
    }

    /** One measurement for JSON: timings, plan, estimated and measured peak. */
    static Map<String, Object> measurement(Bench.Stats s, MemoryPlanner.Plan p, double peakMb) {
        Map<String, Object> m = new LinkedHashMap<>(s.toMap());
        m.put("plan", p.synthesis().describe());
        m.put("estimated_peak_mb", Bench.mb(p.peakBytes()));
        m.put("peak_rss_mb", peakMb);
        return m;
    }

    static String[] row(String name, Bench.Stats s, MemoryPlanner.Plan p, double peakMb) {
        return new String[]{name, String.format(Locale.ROOT, "%.2f", s.median()), String.format(Locale.ROOT, "%.2f", s.min()),
                p == null ? "" : p.synthesis().describe(), p == null ? "" : String.format(Locale.ROOT, "%.0f", Bench.mb(p.peakBytes())),
                Double.isNaN(peakMb) ? "" : String.format(Locale.ROOT, "%.0f", peakMb)};
    }
}
