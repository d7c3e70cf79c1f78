package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.TextTable;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.clip.ClipDemo;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.runtime.Engines;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip bench clip [--clip FILE] [--iters N] [--warmup N] [--threads N] [--json]}: CLIP image encoder forward and
 * forward+backward (gradient w.r.t. the image, as in editing) and text encoder forward, batch 1, median/min ms.
 */
@BenchOptions.Defaults(iters = 10, warmup = 2)
@Command(name = "clip", mixinStandardHelpOptions = true, description = "Time the CLIP image encoder (forward, forward+backward) and text encoder.")
public final class BenchClipCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--clip", paramLabel = "FILE", description = "CLIP checkpoint; default: the demo network (ViT-B/32 architecture, random weights)")
    Path clip;

    @CommandLine.Mixin
    BenchOptions opts;

    @Override
    public Integer call() throws Exception {
        opts.apply();
        opts.useThreads();
        Engine engine = Engines.pytorch();
        Map<String, Object> r = new LinkedHashMap<>();
        try (NDManager root = engine.newBaseManager()) {
            long t0 = System.nanoTime();
            ClipModel model = clip == null ? ClipDemo.create(root) : ClipModel.load(ModelFiles.openStore(clip), root);
            double loadMs = (System.nanoTime() - t0) / 1e6;
            try (model) {
                int res = model.inputResolution();
                String prompt = "a photo of a smiling face";
                long[][] tokens = ClipTokenizer.standard().tokenize(List.of(prompt), model.config().contextLength());
                int textTokens = ClipTokenizer.standard().encode(prompt).length + 2;
                NDArray image;
                try (NDManager tmp = root.newSubManager()) {
                    image = tmp.randomNormal(new Shape(1, 3, res, res)).duplicate();
                    image.attach(root);
                }
                NDArray textFeatures = model.encodeText(tokens, root);
                Bench.Stats fwd = Bench.time(opts.warmup(), opts.iters(), () -> {
                    try (NDManager m = root.newSubManager()) {
                        NDArray x = image.duplicate();
                        x.attach(m);
                        model.encodeImage(x).toFloatArray();
                    }
                });
                Bench.Stats fwdBwd = Bench.time(opts.warmup(), opts.iters(), () -> {
                    try (NDManager m = root.newSubManager()) {
                        NDArray x = image.duplicate();
                        x.attach(m);
                        x.setRequiresGradient(true);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            NDArray cos = ClipModel.cosine(model.encodeImage(x), textFeatures);
                            gc.backward(cos.sum());
                        }
                        x.getGradient().toFloatArray();
                    }
                });
                Bench.Stats text = Bench.time(opts.warmup(), opts.iters(), () -> {
                    try (NDManager m = root.newSubManager()) {
                        model.encodeText(tokens, m).toFloatArray();
                    }
                });
                r.put("model", clip == null ? "demo network (ViT-B/32 architecture, random weights)" : clip.toString());
                r.put("config", model.config().toMap());
                ai.djl.Device device = engine.defaultDevice();
                r.put("device", device.isGpu() ? "gpu " + device.getDeviceId() : device.getDeviceType());
                r.put("engine", engine.getEngineName() + " " + engine.getVersion());
                r.put("threads", opts.threads());
                r.put("iters", opts.iters());
                r.put("batch", 1);
                r.put("load_ms", Bench.round(loadMs));
                r.put("image_forward_ms", fwd.toMap());
                r.put("image_forward_backward_ms", fwdBwd.toMap());
                r.put("text_forward_ms", text.toMap());
                r.put("text_prompt", prompt);
                r.put("text_tokens", textTokens);
                r.put("rss_mb", Bench.rssMb());
                r.put("peak_rss_mb", Bench.peakRssMb());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (opts.json()) {
            Bench.printJson(out, r);
        } else {
            out.println("model:   " + r.get("model"));
            out.println("device:  " + r.get("device") + " (" + r.get("engine") + "), threads " + opts.threads() + ", batch 1, " + opts.iters() + " iterations (after "
                    + opts.warmup() + " warm-up)");
            out.println("load:    " + r.get("load_ms") + " ms");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[]{"what", "median ms", "min ms"});
            rows.add(row("image encoder forward", (Map<?, ?>) r.get("image_forward_ms")));
            rows.add(row("image encoder forward+backward", (Map<?, ?>) r.get("image_forward_backward_ms")));
            rows.add(row("text encoder forward (" + r.get("text_tokens") + " tokens)", (Map<?, ?>) r.get("text_forward_ms")));
            out.print(TextTable.format(rows));
            out.println("rss " + r.get("rss_mb") + " MB, peak " + r.get("peak_rss_mb") + " MB");
        }
        return 0;
    }

    private static String[] row(String what, Map<?, ?> stats) {
        return new String[]{what, String.valueOf(stats.get("median")), String.valueOf(stats.get("min"))};
    }
}
