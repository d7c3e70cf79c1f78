package dev.styleclip.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Engines;
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
import java.util.concurrent.Callable;

/** {@code ./styleclip bench generator}: StyleGAN3 mapping / synthesis forward / forward+backward timings and memory. */
@Command(name = "generator", description = "Time the StyleGAN3 generator: mapping, synthesis forward, synthesis forward+backward (w.r.t. ws).")
public final class BenchGeneratorCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--generator", paramLabel = "FILE", description = "StyleGAN3 network pickle (default: the demo network)")
    Path generator;

    @Option(names = "--batch", defaultValue = "1", description = "images per call (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--iters", defaultValue = "5", description = "timed iterations per measurement (default ${DEFAULT-VALUE})")
    int iters;

    @Option(names = "--warmup", defaultValue = "1", description = "untimed iterations first (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", description = "intra-op threads (default: libtorch's choice)")
    Integer threads;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    @Option(names = "--rss-every", paramLabel = "N", description = "print the resident set size every N forward+backward iterations (stderr)")
    Integer rssEvery;

    @Override
    public Integer call() throws Exception {
        if (batch < 1 || iters < 1 || warmup < 0) throw new IllegalArgumentException("--batch and --iters must be >= 1");
        if (rssEvery != null && rssEvery < 1) throw new IllegalArgumentException("--rss-every must be >= 1");
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be >= 1");
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        Engines.pytorch();
        if (threads != null) JniUtils.setNumThreads(threads);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Object> r = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager(); StyleGan3Generator g = StyleGan3Files.openOrDemo(generator, m)) {
            float[] zf = new float[batch * g.zDim()];
            for (int b = 0; b < batch; b++) {
                double[] z = NumpyRandom.latent(b, g.zDim());
                for (int i = 0; i < z.length; i++) zf[b * z.length + i] = (float) z[i];
            }
            NDArray z = m.create(zf, new Shape(batch, g.zDim()));
            NDArray ws = g.mapping(z, 1.0, null);
            Bench.Stats map = Bench.time(warmup, iters, () -> g.mapping(z, 0.7, null).close());
            Bench.Stats fwd = Bench.time(warmup, iters, () -> g.synthesis(ws).close());
            int[] count = {0};
            Bench.Stats fb = Bench.time(warmup, iters, () -> {
                try (NDManager it = m.newSubManager()) {
                    NDArray w = ws.duplicate();
                    w.attach(it);
                    w.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray img = g.synthesis(w);
                        gc.backward(img.sum());
                    }
                    w.getGradient().close();
                }
                count[0]++;
                if (rssEvery != null && count[0] % rssEvery == 0) {
                    err.printf(Locale.ROOT, "iteration %d: rss %.1f MB%n", count[0], Bench.rssMb());
                    err.flush();
                }
            });
            r.put("generator", g.isDemo() ? DemoNetworks.LABEL : g.source());
            r.put("resolution", g.resolution());
            r.put("batch", batch);
            r.put("iters", iters);
            r.put("mapping_ms", perImage(map).toMap());
            r.put("synthesis_forward_ms", perImage(fwd).toMap());
            r.put("synthesis_forward_backward_ms", perImage(fb).toMap());
        }
        Bench.putProcess(r);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        } else {
            out.println("StyleGAN3 generator: " + r.get("generator") + ", " + r.get("resolution") + "x" + r.get("resolution")
                    + ", batch " + batch + ", " + iters + " timed iterations after " + warmup + " warm-up");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"measurement", "median ms/img", "min ms/img"});
            row(rows, "mapping", r.get("mapping_ms"));
            row(rows, "synthesis forward", r.get("synthesis_forward_ms"));
            row(rows, "synthesis forward+backward", r.get("synthesis_forward_backward_ms"));
            out.print(Bench.table(rows));
            out.println(Bench.processLine(r));
        }
        out.flush();
        return 0;
    }

    private Bench.Stats perImage(Bench.Stats s) {
        return new Bench.Stats(s.median() / batch, s.min() / batch);
    }

    @SuppressWarnings("unchecked")
    private static void row(List<String[]> rows, String name, Object stats) {
        Map<String, Object> s = (Map<String, Object>) stats;
        rows.add(new String[]{name, String.format(Locale.ROOT, "%.2f", ((Number) s.get("median")).doubleValue()),
                String.format(Locale.ROOT, "%.2f", ((Number) s.get("min")).doubleValue())});
    }
}
