package dev.styleclip.cli.bench;

import dev.styleclip.cli.common.TextTable;
import ai.djl.ndarray.NDManager;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.ImageFileException;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.runtime.Engines;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code ./styleclip bench faces}: per photo, the time of face detection, of the 68 landmarks (all faces) and of the
 * FFHQ alignment of the largest face (median and minimum over {@code --iters} runs after {@code --warmup} untimed ones).
 */
@BenchOptions.Defaults(iters = 5, warmup = 1)
@Command(name = "faces", description = "Time face detection, landmarks and FFHQ alignment per photo.")
public final class BenchFacesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @CommandLine.Mixin
    BenchOptions opts;

    @Option(names = "--photos", paramLabel = "DIR", required = true, description = "folder of photos (e.g. a checkout's src/test/resources/golden/faces/images)")
    Path photos;

    @Option(names = "--detector", defaultValue = "ssd", description = "ssd (default) or tiny")
    String detector;

    @Option(names = "--size", defaultValue = "1024", description = "alignment output size (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--models", paramLabel = "DIR", description = "face-api model folder (default: the one installed, as the studio finds it)")
    Path models;

    @Override
    public Integer call() throws Exception {
        opts.apply();
        opts.useThreads();
        FaceApi.Detector det = FaceApi.Detector.parse(detector);
        Path dir = photos;
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("photo folder not found: " + dir);
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).matches(".*\\.(png|jpe?g|bmp|gif)"))
                    .sorted().toList();
        }
        if (files.isEmpty()) throw new IllegalArgumentException("no photos in " + dir);
        Path faceApi = InstalledNetworks.requireFaceApi(models, "--models", null);
        PrintWriter err = spec.commandLine().getErr();
        List<Map<String, Object>> rows = new ArrayList<>();
        try (NDManager manager = Engines.pytorch().newBaseManager();
             FaceApi api = FaceApi.open(faceApi, manager)) {
            for (Path f : files) {
                RgbImage img = Images.read(f);
                err.println("bench " + f.getFileName() + " ...");
                err.flush();
                List<FaceApi.Detection> dets = wrap(() -> api.detect(img, det));
                Bench.Stats detect = Bench.time(opts.warmup(), opts.iters(), () -> wrap(() -> api.detect(img, det)));
                Bench.Stats landmarks = Bench.time(opts.warmup(), opts.iters(), () -> wrap(() -> {
                    for (FaceApi.Detection d : dets) api.landmarks(img, d.box());
                    return null;
                }));
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("photo", f.getFileName().toString());
                row.put("width", img.width());
                row.put("height", img.height());
                row.put("faces", dets.size());
                row.put("detect_ms", detect.toMap());
                row.put("landmarks_ms", landmarks.toMap());
                if (!dets.isEmpty()) {
                    FaceApi.Detection largest = dets.stream().max((a, b) -> Double.compare(a.box().area(), b.box().area())).get();
                    FaceApi.Landmarks lm = wrap(() -> api.landmarks(img, largest.box()));
                    FfhqAlign.Quad q = FfhqAlign.quadFromLandmarks(lm.positions(), FfhqAlign.Variant.FFHQ);
                    row.put("align_ms", Bench.time(opts.warmup(), opts.iters(), () -> FfhqAlign.align(img, q, size)).toMap());
                }
                rows.add(row);
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("bench", "faces");
        report.put("detector", det.name().toLowerCase(Locale.ROOT));
        report.put("align_size", size);
        report.put("iters", opts.iters());
        report.put("device", "cpu");
        report.put("threads", opts.threads());
        report.put("rss_mb", Bench.rssMb());
        report.put("peak_rss_mb", Bench.peakRssMb());
        report.put("photos", rows);
        PrintWriter out = spec.commandLine().getOut();
        if (opts.json()) {
            Bench.printJson(out, report);
        } else {
            List<String[]> t = new ArrayList<>();
            t.add(new String[]{"photo", "size", "faces", "detect ms (med/min)", "landmarks ms", "align ms"});
            for (Map<String, Object> r : rows) {
                t.add(new String[]{(String) r.get("photo"), r.get("width") + "x" + r.get("height"), String.valueOf(r.get("faces")),
                        fmt(r.get("detect_ms")), fmt(r.get("landmarks_ms")), r.containsKey("align_ms") ? fmt(r.get("align_ms")) : "-"});
            }
            out.printf(Locale.ROOT, "faces bench: detector %s, align %d px, %d iters, device cpu, threads %s%n",
                    report.get("detector"), size, opts.iters(), report.get("threads"));
            out.print(TextTable.format(t));
            out.printf(Locale.ROOT, "rss %.0f MB, peak %.0f MB%n", Bench.rssMb(), Bench.peakRssMb());
        }
        out.flush();
        return 0;
    }

    @SuppressWarnings("unchecked")
    private static String fmt(Object stats) {
        Map<String, Object> m = (Map<String, Object>) stats;
        return String.format(Locale.ROOT, "%.1f / %.1f", ((Number) m.get("median")).doubleValue(), ((Number) m.get("min")).doubleValue());
    }

    interface Body<T> {
        T run() throws ModelFileException, ImageFileException;
    }

    private static <T> T wrap(Body<T> b) {
        try {
            return b.run();
        } catch (ModelFileException e) {
            throw new UncheckedIOException(e);
        } catch (ImageFileException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
