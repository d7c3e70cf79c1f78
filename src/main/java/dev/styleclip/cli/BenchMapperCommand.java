package dev.styleclip.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperTrainer;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;

/** {@code ./styleclip bench mapper}: mapper training step, mapper apply + synthesis, global-direction apply + synthesis. */
@Command(name = "mapper", description = "Time the latent mapper (training step, apply + synthesis) and global directions (apply + synthesis).")
public final class BenchMapperCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--generator", paramLabel = "G.pkl", description = "StyleGAN3 network pickle (default: demo network)")
    Path generator;
    @Option(names = "--clip", paramLabel = "C.pt", description = "CLIP TorchScript file (default: demo network)")
    Path clip;
    @Option(names = "--id", paramLabel = "ID.pth", description = "IR-SE-50 weights (default: demo network)")
    Path id;
    @Option(names = "--batch", defaultValue = "2", description = "training batch (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--iters", defaultValue = "3", description = "timed iterations (default ${DEFAULT-VALUE})")
    int iters;
    @Option(names = "--warmup", defaultValue = "1", description = "untimed iterations first (default ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || iters < 1 || warmup < 0) throw new IllegalArgumentException("--batch and --iters must be >= 1");
        PrintWriter out = spec.commandLine().getOut();
        try (EditCliModels models = EditCliModels.open(generator, clip, id, true, true, out);
             NDManager m = models.manager.newSubManager()) {
            StyleGan3Generator g = models.generator;
            float[] zf = new float[batch * g.zDim()];
            for (int b = 0; b < batch; b++) {
                double[] z = NumpyRandom.latent(b, g.zDim());
                for (int i = 0; i < z.length; i++) zf[b * z.length + i] = (float) z[i];
            }
            NDArray w = g.mapping(m.create(zf, new Shape(batch, g.zDim())), 0.7, null);
            NDArray w1 = w.get("0:1");
            LevelsMapper mapper = LevelsMapper.create(g.numWs(), g.wDim(), new boolean[]{true, true, true}, 0, m);
            NDArray text = models.clip.encodeText(List.of("a person with purple hair"), m);
            MapperTrainer trainer = new MapperTrainer(mapper, g, models.clip, models.idLoss, text, MapperTrainer.Settings.defaults(), m);
            Bench.Stats train = Bench.time(warmup, iters, () -> {
                try (NDManager t = m.newSubManager()) {
                    trainer.step(w, 0.01, t, false);
                }
            });
            Bench.Stats mapOnly = Bench.time(warmup, Math.max(iters, 20), () -> mapper.edit(w1, 0.1).close());
            Bench.Stats synth = Bench.time(warmup, iters, () -> g.synthesis(w1).close());
            Bench.Stats apply = Bench.time(warmup, iters, () -> {
                try (NDManager t = m.newSubManager()) {
                    NDArray wl = w1.duplicate();
                    wl.attach(t);
                    g.synthesis(mapper.edit(wl, 0.1));
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
            StyleGan3Generator.Options ident = StyleGan3Generator.Options.defaults().transform(StyleGan3Generator.identity());
            float[] tt = GlobalDirections.textFeature(models.clip, "a smiling face", GlobalDirections.DEFAULT_TEMPLATES, m);
            float[] tn = GlobalDirections.textFeature(models.clip, "a face", GlobalDirections.DEFAULT_TEMPLATES, m);
            Bench.Stats dir = Bench.time(warmup, iters, () -> {
                float[] r = GlobalDirections.relevance(dic, GlobalDirections.deltaI(tt, tn));
                float max = 0;
                for (float v : r) max = Math.max(max, Math.abs(v));
                GlobalDirections.Direction dd = GlobalDirections.direction(r, std, max * 0.5);
                try (NDManager t = m.newSubManager()) {
                    GlobalDirections.synthesize(g, t.create(GlobalDirections.edit(s, 1, dd.direction(), 3), new Shape(1, c)), ident);
                }
            });
            String label = models.demo ? " (" + DemoNetworks.LABEL + ")" : "";
            out.println("Mapper / global directions" + label + ": generator " + g.resolution() + "x" + g.resolution()
                    + ", num_ws " + g.numWs() + ", w_dim " + g.wDim() + ", mapper " + mapper.parameterCount() + " parameters, "
                    + iters + " timed iterations after " + warmup + " warm-up");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"measurement", "median ms", "min ms"});
            rows.add(row("mapper training step (batch " + batch + ")", train));
            rows.add(row("mapper forward alone (1 latent)", mapOnly));
            rows.add(row("synthesis alone (1 image)", synth));
            rows.add(row("mapper apply + synthesis (1 image)", apply));
            rows.add(row("directions apply + synthesis (1 image)", dir));
            out.print(Bench.table(rows));
            out.printf(Locale.ROOT, "mapper forward = %.3f %% of a synthesis pass (min/min; median/median %.3f %%)%n",
                    100 * mapOnly.min() / synth.min(), 100 * mapOnly.median() / synth.median());
            out.println("peak RSS " + Bench.peakRssMb() + " MB, threads " + JniUtils.getNumThreads() + ", device "
                    + Engine.getInstance().defaultDevice());
        }
        out.flush();
        return 0;
    }

    private static String[] row(String name, Bench.Stats s) {
        return new String[]{name, String.format(Locale.ROOT, "%.3f", s.median()), String.format(Locale.ROOT, "%.3f", s.min())};
    }
}
