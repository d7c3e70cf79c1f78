package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.TextTable;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.lpips.Lpips;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code ./styleclip bench losses}: ID loss (IR-SE-50 on the 112x112 face crop of a 256x256 generator output) and LPIPS
 * VGG16 (a pair of 256x256 images), forward and forward+backward (gradient w.r.t. the edited image).
 */
@BenchOptions.Defaults(iters = 10, warmup = 2)
@Command(name = "losses", mixinStandardHelpOptions = true, description = {"Time the loss networks: ID loss (256x256 image -> 112x112 crop -> IR-SE-50) and"
        + " LPIPS v0.1 VGG16 (256x256 pair), forward and forward+backward w.r.t. the edited image.",
        "Uses demo networks (random weights, real architectures) unless --id / --lpips-vgg name real files."})
public final class BenchLossesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    BenchOptions opts;

    @Option(names = "--size", paramLabel = "S", defaultValue = "256", description = "generator output / LPIPS image side (default ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--id", paramLabel = "FILE", description = "real IR-SE weights instead of the demo network")
    Path idFile;

    @Option(names = "--lpips-vgg", paramLabel = "FILE", description = "real VGG16 weights instead of the demo trunk")
    Path vggFile;

    @Override
    public Integer call() throws Exception {
        opts.apply();
        if (size < 32) throw new IllegalArgumentException("--size must be at least 32");
        opts.useThreads();
        List<Map<String, Object>> rows = new ArrayList<>();
        String device;
        try (NDManager m = NDManager.newBaseManager()) {
            device = m.getDevice().toString();
            NDArray src = m.randomUniform(-1f, 1f, new Shape(1, 3, size, size));
            NDArray edit = src.add(m.randomNormal(0f, 0.1f, new Shape(1, 3, size, size), ai.djl.ndarray.types.DataType.FLOAT32)).clip(-1f, 1f);
            try (IrSeBackbone net = idFile == null ? IrSeBackbone.demo() : IrSeBackbone.load(idFile);
                 IdentityLoss id = new IdentityLoss(net)) {
                String what = "IR-SE" + (idFile == null ? "-50 demo" : "") + ", " + size + "^2 -> " + id.faceSize() + "^2";
                NDArray target = id.features(src);
                rows.add(row("ID loss forward", what, time(m, sub -> id.lossToFeatures(copy(edit, sub), target).getFloat())));
                rows.add(row("ID loss forward+backward", what, time(m, sub -> {
                    NDArray x = edit.duplicate();
                    x.attach(sub);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray l = id.lossToFeatures(x, target);
                        gc.backward(l);
                        x.getGradient().getFloat(0, 0, 0, 0);
                    }
                })));
            }
            try (Lpips lp = vggFile == null ? Lpips.demo() : Lpips.load(vggFile, null)) {
                String what = "VGG16" + (vggFile == null ? " demo" : "") + ", pair of " + size + "^2";
                rows.add(row("LPIPS forward", what, time(m, sub -> lp.distance(copy(edit, sub), src).getFloat())));
                rows.add(row("LPIPS forward+backward", what, time(m, sub -> {
                    NDArray x = edit.duplicate();
                    x.attach(sub);
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray d = lp.distance(x, src);
                        gc.backward(d);
                        x.getGradient().getFloat(0, 0, 0, 0);
                    }
                })));
                try (Lpips.Target t = lp.target(src)) {
                    rows.add(row("LPIPS fwd+bwd, target cached", what, time(m, sub -> {
                        NDArray x = edit.duplicate();
                        x.attach(sub);
                        x.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray d = lp.distance(x, t);
                            gc.backward(d);
                            x.getGradient().getFloat(0, 0, 0, 0);
                        }
                    })));
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        for (Map<String, Object> r : rows) {
            r.put("threads", opts.threads());
            r.put("device", device);
        }
        if (opts.json()) {
            Map<String, Object> all = new LinkedHashMap<>();
            all.put("bench", "losses");
            all.put("iters", opts.iters());
            all.put("warmup", opts.warmup());
            all.put("threads", opts.threads());
            all.put("device", device);
            all.put("rows", rows);
            all.put("peak_rss_mb", Bench.peakRssMb());
            Bench.printJson(out, all);
        } else {
            List<String[]> table = new ArrayList<>();
            table.add(new String[]{"what", "network / size", "median ms", "min ms", "threads", "device"});
            for (Map<String, Object> r : rows) {
                table.add(new String[]{(String) r.get("name"), (String) r.get("config"), String.format(java.util.Locale.ROOT, "%.1f", r.get("median_ms")),
                        String.format(java.util.Locale.ROOT, "%.1f", r.get("min_ms")), String.valueOf(opts.threads()), device});
            }
            out.print(TextTable.format(table));
            out.printf(java.util.Locale.ROOT, "iters %d (warm-up %d), peak RSS %.0f MB%n", opts.iters(), opts.warmup(), Bench.peakRssMb());
        }
        return 0;
    }

    private Bench.Stats time(NDManager m, Consumer<NDManager> body) {
        return Bench.time(opts.warmup(), opts.iters(), () -> {
            try (NDManager sub = m.newSubManager()) {
                body.accept(sub);
            }
        });
    }

    private static NDArray copy(NDArray x, NDManager sub) {
        NDArray c = x.duplicate();
        c.attach(sub);
        return c;
    }

    private static Map<String, Object> row(String name, String config, Bench.Stats s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", name);
        r.put("config", config);
        r.put("median_ms", Bench.round(s.median()));
        r.put("min_ms", Bench.round(s.min()));
        return r;
    }
}
