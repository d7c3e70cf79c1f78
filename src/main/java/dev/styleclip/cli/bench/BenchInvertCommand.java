package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.TextTable;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.Projection;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.encoder.EncoderPreprocess;
import dev.styleclip.model.encoder.RestyleEncoder;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip bench invert}: projection step time (synthesis + LPIPS forward/backward + Adam at the generator's
 * resolution) and ReStyle encoder inversion time per photo and per iteration.
 */
@BenchOptions.Defaults(iters = 5, warmup = 1)
@Command(name = "invert", description = "Time inversion: one projection step, and encoder inversion per photo / per iteration.")
public final class BenchInvertCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    BenchGeneratorOptions generator;

    @CommandLine.Mixin
    BenchOptions opts;

    @Option(names = "--lpips-vgg", paramLabel = "FILE", description = "torchvision VGG16 weights (default: demo trunk, same cost)")
    Path lpipsVgg;

    @Option(names = "--encoder", paramLabel = "FILE",
            description = "ReStyle checkpoint (default: a random-weight encoder of the official architecture on the demo generator)")
    Path encoder;

    @Option(names = "--photos", defaultValue = "3", description = "encoder inversions timed (default ${DEFAULT-VALUE}; after --warmup untimed ones)")
    int photos;

    @Option(names = "--iterations", description = "encoder iterations (default: the checkpoint's, 3 for the demo)")
    Integer iterations;

    @Option(names = "--skip-encoder", description = "time only the projection")
    boolean skipEncoder;

    @Override
    public Integer call() throws Exception {
        opts.apply(); // projection: --iters timed steps after --warmup untimed ones
        if (photos < 1) throw new IllegalArgumentException("--photos must be >= 1");
        generator.forcedPlan(); // a bad --plan is refused before anything loads
        GeneratorSource source = generator.source();
        opts.useThreads();
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> r = new LinkedHashMap<>();
        try (ComputeService service = new ComputeService();
             NDManager m = NDManager.newBaseManager();
             Lpips lpips = lpipsVgg == null ? Lpips.demo() : Lpips.load(ModelFiles.open(lpipsVgg).main(), Lpips.bundledLin());
             StyleGan3Generator g = source.open(m)) {
            service.setMemoryBudget(generator.budgetBytes());
            service.forcePlan(generator.forcedPlan());
            // ---- projection step
            int res = g.resolution();
            float[] target = new float[3 * res * res];
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < target.length; i++) target[i] = (float) (rnd.nextDouble() * 2 - 1);
            Projection.Settings s = new Projection.Settings().steps(Math.max(2, opts.warmup() + opts.iters())).wAvgSamples(0).previewEvery(0);
            List<Double> stepMs = new ArrayList<>();
            long[] last = {-1};
            MemoryPlanner.Plan projPlan = generator.choose(MemoryPlanner.Task.PROJECTION_STEP, 1, g, List.of(lpips), m.getDevice());
            Bench.resetPeak();
            service.run("bench projection", new Projection(g, lpips, target, s), f -> {
                if (f.step() <= 0) return;
                long now = System.nanoTime();
                // a step's time is the gap since the previous frame; the first --warmup steps are left out
                if (last[0] >= 0 && f.step() > opts.warmup()) stepMs.add((now - last[0]) / 1e6);
                last[0] = now;
            });
            r.put("generator", source.describe());
            r.put("resolution", res);
            r.put("lpips", lpipsVgg == null ? "demo VGG16 trunk" : lpipsVgg.toString());
            r.put("projection_step", BenchGeneratorCommand.measurement(Bench.Stats.of(stepMs), projPlan, Bench.peakRssMb()));
            // ---- encoder
            if (!skipEncoder) {
                RestyleInversion inv;
                if (encoder != null) {
                    inv = RestyleInversion.load(encoder, source.file());
                } else {
                    RestyleEncoder e = RestyleEncoder.demo(RestyleEncoder.Kind.PSP, g.numWs(), g.wDim(), 5);
                    inv = RestyleInversion.of(e, g, g.wAvg(), 3);
                }
                try {
                    int n = iterations != null ? iterations : inv.defaultIterations();
                    int size = inv.inputSize();
                    byte[] px = new byte[size * size * 3];
                    for (int i = 0; i < px.length; i++) px[i] = (byte) rnd.nextInt(256);
                    RgbImage photo = new RgbImage(size, size, px);
                    List<Double> perPhoto = new ArrayList<>();
                    MemoryPlanner.Plan encPlan = generator.choose(MemoryPlanner.Task.ENCODER_INVERSION, 1, inv.decoder(),
                            List.of(inv.encoder()), m.getDevice());
                    Bench.resetPeak();
                    List<Double> perIter = new ArrayList<>();
                    for (int p = 0; p < opts.warmup() + photos; p++) {
                        final boolean record = p >= opts.warmup();
                        long[] t0 = {System.nanoTime()};
                        long start = t0[0];
                        service.run("bench encoder", ctx -> ctx.step(sm -> {
                            NDArray x = EncoderPreprocess.input(List.of(photo), size, sm);
                            inv.invert(x, n, null, encPlan.synthesis(), (k, o, lat, img, fb) -> {
                                long now = System.nanoTime();
                                if (record) perIter.add((now - t0[0]) / 1e6);
                                t0[0] = now;
                            }, null);
                            return null;
                        }), null);
                        if (record) perPhoto.add((System.nanoTime() - start) / 1e6);
                    }
                    List<Double> encOnly = new ArrayList<>();
                    for (int p = 0; p < opts.warmup() + photos; p++) {
                        final boolean record = p >= opts.warmup();
                        service.run("bench encoder forward", ctx -> ctx.step(sm -> {
                            NDArray x6 = sm.zeros(new ai.djl.ndarray.types.Shape(1, 6, size, size));
                            long t = System.nanoTime();
                            inv.encoder().forward(x6);
                            if (record) encOnly.add((System.nanoTime() - t) / 1e6);
                            return null;
                        }), null);
                    }
                    r.put("encoder_forward_ms", Bench.Stats.of(encOnly).toMap());
                    r.put("encoder", encoder == null ? "demo ReStyle-pSp (random weights, official IR-SE-50 architecture)" : inv.describe());
                    r.put("encoder_input", size);
                    r.put("encoder_iterations", n);
                    r.put("encoder_per_photo", BenchGeneratorCommand.measurement(Bench.Stats.of(perPhoto), encPlan, Bench.peakRssMb()));
                    r.put("encoder_per_iteration_ms", Bench.Stats.of(perIter).toMap());
                } finally {
                    inv.close(); // the demo inversion does not own the generator
                }
            }
        }
        Bench.putProcess(r);
        if (opts.json()) {
            Bench.printJson(out, r);
        } else {
            out.println("Inversion: generator " + r.get("generator") + " " + r.get("resolution") + "x" + r.get("resolution")
                    + ", LPIPS " + r.get("lpips") + (r.containsKey("encoder") ? ", encoder " + r.get("encoder") : ""));
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"measurement", "median ms", "min ms", "plan", "est. peak MB", "peak RSS MB"});
            row(rows, "projection step", r.get("projection_step"));
            if (r.containsKey("encoder_per_photo")) {
                row(rows, "encoder inversion / photo (" + r.get("encoder_iterations") + " it)", r.get("encoder_per_photo"));
                row(rows, "encoder inversion / iteration", r.get("encoder_per_iteration_ms"));
                row(rows, "  of which encoder forward", r.get("encoder_forward_ms"));
            }
            out.print(TextTable.format(rows));
            out.println(Bench.processLine(r));
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static void row(List<String[]> rows, String name, Object stats) {
        Map<String, Object> s = (Map<String, Object>) stats;
        rows.add(new String[]{name, String.format(Locale.ROOT, "%.1f", ((Number) s.get("median")).doubleValue()),
                String.format(Locale.ROOT, "%.1f", ((Number) s.get("min")).doubleValue()),
                String.valueOf(s.getOrDefault("plan", "")), cell(s.get("estimated_peak_mb")), cell(s.get("peak_rss_mb"))});
    }

    private static String cell(Object mb) {
        return mb instanceof Number n && !Double.isNaN(n.doubleValue()) ? String.format(Locale.ROOT, "%.0f", n.doubleValue()) : "";
    }
}
