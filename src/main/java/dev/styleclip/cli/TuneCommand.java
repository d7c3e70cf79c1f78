package dev.styleclip.cli;

import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.pti.PivotalTuning;
import dev.styleclip.edit.pti.TunedWeightsFile;
import dev.styleclip.image.Images;
import dev.styleclip.image.PilResample;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.models.ModelRole;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./styleclip tune}: pivotal tuning of the generator to one aligned face and its latent. */
@Command(name = "tune", description = {"Pivotal tuning (PTI): tune the generator so that a latent reproduces an aligned face.",
        "The latent (the pivot, e.g. from invert) is kept; the synthesis weights are tuned until it reproduces the face",
        "exactly, keeping the network as it was away from it. Writes the tuned generator as its difference from the base",
        "network (safetensors, labelled with the base file's sha256 or the demo architecture: it is refused with any other",
        "network). The target is the aligned face; a picture of another size is centre-cropped to a square and resized",
        "to the generator's size."})
public final class TuneCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    GeneratorOption generator;

    @Mixin
    MemoryOption memory;

    @Option(names = "--latent", required = true, paramLabel = "W.npz", description = "the pivot: a W+ latent (key w, [1, num_ws, w_dim])")
    Path latent;

    @Option(names = "--target", required = true, paramLabel = "FACE.png", description = "the aligned face the pivot should reproduce")
    Path target;

    @Option(names = "--out", required = true, paramLabel = "TUNED.safetensors", description = "where to write the tuned generator")
    Path out;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "350", description = "most steps (default ${DEFAULT-VALUE}, PTI's)")
    int steps;

    @Option(names = "--lr", paramLabel = "X", defaultValue = "3e-4", description = "Adam's learning rate (default ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--lpips-stop", paramLabel = "X", defaultValue = "0.06",
            description = "stop once the LPIPS distance is at most X (default ${DEFAULT-VALUE}; 0: run every step)")
    double lpipsStop;

    @Option(names = "--no-locality", description = "without PTI's locality regulariser (faster; edits away from the pivot may suffer)")
    boolean noLocality;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "seed of the regulariser's random latents (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--float16", description = "store the differences as float16 (half the file; not bit-exact)")
    boolean float16;

    @Option(names = "--lpips-vgg", paramLabel = "VGG.pth",
            description = "torchvision VGG16 weights for LPIPS (default: the models folder's, else a demo trunk)")
    Path lpipsVgg;

    @Option(names = "--image", paramLabel = "PNG", description = "also write the pivot's picture under the tuned generator")
    Path image;

    @Override
    public Integer call() throws Exception {
        // every bad input and output place is known before the work starts
        AtomicFiles.prepareFile(out);
        if (image != null) AtomicFiles.prepareFile(image);
        PivotalTuning.Settings settings = PivotalTuning.Settings.defaults().withSteps(steps).withLr(lr).withLpipsStop(lpipsStop)
                .withLocality(!noLocality).withSeed(seed);
        if (!Files.isRegularFile(latent)) throw new IllegalArgumentException("--latent " + latent + ": no such file");
        if (!Files.isRegularFile(target)) throw new IllegalArgumentException("--target " + target + ": no such file");
        Latent pivot = LatentFile.read(latent);
        RgbImage face = Images.read(target);
        GeneratorSource source = generator.source();
        Path vgg = InstalledNetworks.find(lpipsVgg, "--lpips-vgg", ModelRole.VGG16, generator.demoNetworks());
        TunedWeightsFile.Precision precision = float16 ? TunedWeightsFile.Precision.FLOAT16 : TunedWeightsFile.Precision.FLOAT32;
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TunedWeightsFile.BaseNetwork base = TunedWeightsFile.BaseNetwork.of(source);
        PivotalTuning.Result r;
        ProgressBar progress = ProgressBar.frames(err, "");
        List<Long> stepTimes = new ArrayList<>(); // when each step's frame came: the time per step, load and copy aside
        try (ComputeService service = new ComputeService()) {
            memory.applyTo(service);
            r = service.run("tune", ctx -> {
                StyleGan3Generator g = EditNetworks.generator(ctx, source);
                Lpips lpips = EditNetworks.lpips(ctx.models(), vgg);
                new InstalledNetworks.Using().add(source).add("LPIPS", vgg).print(err);
                if (g.isDemo()) o.println("generator: " + source.describe() + ": patterns, not faces");
                o.flush();
                int res = g.resolution();
                RgbImage aligned = face.width() == res && face.height() == res ? face
                        : PilResample.resizeLanczos(PhotoInversion.centerSquare(face), res, res);
                PivotalTuning.Result result = new PivotalTuning(g, lpips, pivot, aligned, settings).run(ctx);
                // the differences need the base network's stored tensors: written here, on the compute thread
                TunedWeightsFile.write(out, base, g, result.weights(), precision, info(settings, result));
                return result;
            }, f -> {
                progress.accept(f);
                if (f.step() > 0 && f.losses().containsKey("total")) stepTimes.add(f.elapsedMs());
            });
        }
        progress.end();
        if (r.outcome() == PivotalTuning.Outcome.DIVERGED) err.println("warning: " + r.message());
        if (image != null) AtomicFiles.write(image, os -> javax.imageio.ImageIO.write(Images.toBufferedImage(r.after()), "png", os));
        PivotalTuning.StepRecord first = r.history().isEmpty() ? null : r.history().get(0);
        o.printf(Locale.ROOT, "tuned %s in %d steps (%s): LPIPS %s -> %.4f, L2 %s -> %.4f, %.1f s%n",
                source.isDemo() ? DemoNetworks.LABEL + " " + source.demo() : source.file().getFileName(), r.stepsDone(),
                outcome(r), first == null ? "-" : String.format(Locale.ROOT, "%.4f", first.lpips()), r.lpipsAfter(),
                first == null ? "-" : String.format(Locale.ROOT, "%.4f", first.l2()), r.l2After(), r.elapsedMs() / 1000.0);
        if (stepTimes.size() >= 2) {
            o.printf(Locale.ROOT, "%.1f s per step%n", (stepTimes.get(stepTimes.size() - 1) - stepTimes.get(0)) / 1000.0 / (stepTimes.size() - 1));
        }
        o.println("memory: " + r.memoryPlan());
        o.println("wrote " + out + " (" + precision.name().toLowerCase(Locale.ROOT) + " differences from " + base.label() + ", "
                + base.shortId() + ", " + Files.size(out) / (1 << 20) + " MiB)" + (image != null ? " and " + image : ""));
        o.flush();
        return 0;
    }

    private static String outcome(PivotalTuning.Result r) {
        return switch (r.outcome()) {
            case STEPS_DONE -> "every step";
            case LPIPS_REACHED -> "LPIPS stop reached";
            case DIVERGED -> "stopped: not finite";
        };
    }

    /** The settings and the outcome, kept in the file's metadata. */
    private static Map<String, String> info(PivotalTuning.Settings s, PivotalTuning.Result r) {
        Map<String, String> m = new LinkedHashMap<>();
        s.toMap().forEach((k, v) -> m.put(k, String.valueOf(v)));
        m.put("steps_done", String.valueOf(r.stepsDone()));
        m.put("outcome", r.outcome().name().toLowerCase(Locale.ROOT));
        m.put("lpips_after", String.format(Locale.ROOT, "%.6f", r.lpipsAfter()));
        m.put("l2_after", String.format(Locale.ROOT, "%.6f", r.l2After()));
        return m;
    }
}
