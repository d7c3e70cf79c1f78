package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.TextTable;
import dev.styleclip.cli.common.CommandNetworks;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperTrainer;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.JobContext;
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
import java.util.Random;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip bench mapper}: mapper training step (with its memory plan, estimated and measured peak), mapper
 * apply + synthesis, global-direction apply + synthesis.
 */
@BenchOptions.Defaults(iters = 3, warmup = 1)
@Command(name = "mapper", description = {"Time the latent mapper (training step with its memory plan and peak; apply +",
        "synthesis) and global directions (apply + synthesis)."})
public final class BenchMapperCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    BenchGeneratorOptions generator;
    @CommandLine.Mixin
    BenchOptions opts;
    @Option(names = "--clip", paramLabel = "C.pt", description = "CLIP TorchScript file (default: demo network)")
    Path clip;
    @Option(names = "--id", paramLabel = "ID.pth", description = "IR-SE-50 weights (default: demo network)")
    Path id;
    @Option(names = "--batch", defaultValue = "2", description = "training batch (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--training-only", description = "time only the training step (a clean peak for it)")
    boolean trainingOnly;

    @Override
    public Integer call() throws Exception {
        opts.apply();
        if (batch < 1) throw new IllegalArgumentException("--batch must be >= 1");
        generator.forcedPlan(); // a bad --plan is refused before anything loads
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> r = new LinkedHashMap<>();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[]{"measurement", "median ms", "min ms", "plan", "est. peak MB", "peak RSS MB"});
        // with --json, stdout carries the JSON alone: notes about demo networks go to stderr
        PrintWriter notices = opts.json() ? spec.commandLine().getErr() : out;
        CommandNetworks files = CommandNetworks.explicit(generator.source(), clip, id);
        try (ComputeService cs = new ComputeService()) {
            cs.setMemoryBudget(generator.budgetBytes(), "--memory-budget");
            cs.run("bench-mapper", ctx -> {
                CommandNetworks.Loaded models = files.load(ctx, notices, null);
                opts.useThreads();
                measure(ctx, models, r, rows);
                return null;
            }, null);
        }
        Bench.putProcess(r);
        if (opts.json()) {
            Bench.printJson(out, r);
        } else {
            out.println("Mapper / global directions: " + r.get("generator") + ", " + r.get("resolution") + "x" + r.get("resolution")
                    + ", mapper " + r.get("mapper_parameters") + " parameters, " + opts.iters() + " timed iterations after " + opts.warmup()
                    + " warm-up");
            out.print(TextTable.format(rows));
            if (r.containsKey("mapper_share_of_synthesis_percent")) {
                out.printf(Locale.ROOT, "mapper forward = %.3f %% of a synthesis pass (min/min)%n",
                        ((Number) r.get("mapper_share_of_synthesis_percent")).doubleValue());
            }
            out.println(Bench.processLine(r));
        }
        out.flush();
        return 0;
    }

    /** The measurements, on the compute thread, into the report {@code r} and the table's {@code rows}. */
    private void measure(JobContext ctx, CommandNetworks.Loaded models, Map<String, Object> r, List<String[]> rows) throws Exception {
        NDManager m = ctx.manager();
        StyleGan3Generator g = models.generator();
        NDArray w = g.mapping(g.seedZ(m, java.util.stream.LongStream.range(0, batch).toArray()), 0.7, null);
        NDArray w1 = w.get("0:1");
        LevelsMapper mapper = LevelsMapper.create(g.numWs(), g.wDim(), new boolean[]{true, true, true}, 0, m);
        NDArray text = models.clip().encodeText(List.of("a person with purple hair"), m);
        MemoryPlanner.Plan trainPlan = generator.choose(MemoryPlanner.Task.MAPPER_STEP, batch, g,
                List.of(models.clip(), models.identity()), m.getDevice());
        MapperTrainer trainer = new MapperTrainer(mapper, g, models.clip(), models.identity(), text, MapperTrainer.Settings.defaults(),
                trainPlan.synthesis(), m);
        r.put("generator", generator.source().describe());
        r.put("resolution", g.resolution());
        r.put("batch", batch);
        Bench.resetPeak();
        Bench.Stats train = Bench.time(opts.warmup(), opts.iters(), () -> {
            try (NDManager t = m.newSubManager()) {
                trainer.step(w, 0.01, t, false);
            }
        });
        double trainPeak = Bench.peakRssMb();
        r.put("mapper_training_step", BenchGeneratorCommand.measurement(train, trainPlan, trainPeak));
        rows.add(BenchGeneratorCommand.row("mapper training step (batch " + batch + ")", train, trainPlan, trainPeak));
        if (!trainingOnly) {
            StyleGan3Generator.Options render = StyleGan3Generator.Options.with(
                    MemoryPlanner.plan(ctx, MemoryPlanner.Task.GENERATE, 1, g, List.of()).synthesis());
            Bench.Stats mapOnly = Bench.time(opts.warmup(), Math.max(opts.iters(), 20), () -> mapper.edit(w1, 0.1).close());
            Bench.Stats synth = Bench.time(opts.warmup(), opts.iters(), () -> g.synthesis(w1, render).close());
            Bench.Stats apply = Bench.time(opts.warmup(), opts.iters(), () -> {
                try (NDManager t = m.newSubManager()) {
                    NDArray wl = w1.duplicate();
                    wl.attach(t);
                    g.synthesis(mapper.edit(wl, 0.1), render);
                }
            });
            // global directions: the apply cost does not depend on the values of delta_i_c (random here)
            int c = GlobalDirections.channelCount(g);
            int d = (int) text.getShape().get(1);
            Random rnd = new Random(1);
            float[] dic = new float[c * d];
            float[] std = new float[c];
            for (int i = 0; i < dic.length; i++) dic[i] = (float) rnd.nextGaussian();
            for (int i = 0; i < c; i++) std[i] = 1f;
            float[] s = GlobalDirections.w2s(g, w1).toFloatArray();
            StyleGan3Generator.Options ident = StyleGan3Generator.Options.with(render.plan()).transform(InputTransform.identity());
            float[] tt = GlobalDirections.textFeature(models.clip(), "a smiling face", GlobalDirections.DEFAULT_TEMPLATES, m);
            float[] tn = GlobalDirections.textFeature(models.clip(), "a face", GlobalDirections.DEFAULT_TEMPLATES, m);
            Bench.Stats dir = Bench.time(opts.warmup(), opts.iters(), () -> {
                float[] rel = GlobalDirections.relevance(dic, GlobalDirections.deltaI(tt, tn));
                float max = 0;
                for (float v : rel) max = Math.max(max, Math.abs(v));
                GlobalDirections.Direction dd = GlobalDirections.direction(rel, std, max * 0.5);
                try (NDManager t = m.newSubManager()) {
                    GlobalDirections.synthesize(g, t.create(GlobalDirections.edit(s, 1, dd.direction(), 3), new Shape(1, c)), ident);
                }
            });
            r.put("mapper_forward_ms", mapOnly.toMap());
            r.put("synthesis_ms", synth.toMap());
            r.put("mapper_apply_ms", apply.toMap());
            r.put("directions_apply_ms", dir.toMap());
            r.put("mapper_share_of_synthesis_percent", Bench.round(100 * mapOnly.min() / synth.min()));
            rows.add(BenchGeneratorCommand.row("mapper forward alone (1 latent)", mapOnly, null, Double.NaN));
            rows.add(BenchGeneratorCommand.row("synthesis alone (1 image)", synth, null, Double.NaN));
            rows.add(BenchGeneratorCommand.row("mapper apply + synthesis (1 image)", apply, null, Double.NaN));
            rows.add(BenchGeneratorCommand.row("directions apply + synthesis (1 image)", dir, null, Double.NaN));
        }
        r.put("mapper_parameters", mapper.parameterCount());
    }
}
