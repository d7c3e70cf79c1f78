package dev.styleclip.cli;

import dev.styleclip.cli.common.NetworkOptions;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.LatentOptimization;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** {@code ./styleclip edit}: StyleCLIP latent optimisation of one face towards a text prompt. */
@Command(name = "edit", description = {"Edit a face with a text prompt by latent optimisation (StyleCLIP).",
        "Writes before.png, after.png, w.npz (key w, NVIDIA's layout) and result.json into --out.",
        "Networks not given as files are the models folder's, else demo networks (random weights: the run works, the",
        "pictures are patterns); the 'using:' line on stderr says which."})
public final class EditCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    NetworkOptions networks;

    @Mixin
    EditOptions.StartOptions startOptions;

    @Mixin
    EditOptions.Optimisation optimisation;

    @Mixin
    EditOptions.Regions regions;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "what the edited face should look like")
    String prompt;

    @Option(names = "--l2", paramLabel = "X", defaultValue = "0.001", description = "weight of the latent L2 term (default ${DEFAULT-VALUE}; useful 0.001-0.7)")
    double l2;

    @Option(names = "--id-weight", paramLabel = "X", defaultValue = "0.001", description = "weight of the identity term (default ${DEFAULT-VALUE}; useful 0.001-0.7)")
    double lambdaId;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--every", paramLabel = "K", defaultValue = "0", description = "also save every K-th step's image as frames/stepNNNN.png")
    int every;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFolder(out); // before any work: a bad output place is known now, not at the end
        if (every < 0) throw new IllegalArgumentException("--every must be >= 0");
        EditNetworks.Files files = networks.files();
        LatentOptimization.Settings settings = optimisation.settings(prompt, l2, lambdaId, every > 0 ? 0 : -1).withRegions(regions.regions());
        FaceLandmarks.Finder landmarks = EditOptions.Regions.landmarks(networks.generator.demoNetworks());
        LatentOptimization.Start start = startOptions.start(optimisation.space);
        if (optimisation.space.trim().equalsIgnoreCase("z") && start.psi() != 1.0) {
            throw new IllegalArgumentException("the z space optimises the untruncated z (StyleCLIP): drop --trunc or use --space w+");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path frames = out.resolve("frames");
        ProgressBar bar = ProgressBar.frames(err, "");
        Consumer<Frame> sink = f -> {
            bar.accept(f);
            if (every > 0 && f.preview() != null && f.step() > 0 && f.step() % every == 0 && !f.losses().isEmpty()
                    && f.message() == null) {
                savePixels(frames.resolve(String.format(Locale.ROOT, "step%04d.png", f.step())), f.preview());
            }
        };
        LatentOptimization.Result r;
        try (ComputeService svc = new ComputeService()) {
            svc.setMemoryBudget(networks.memory.bytes());
            r = svc.run("edit", ctx -> {
                EditNetworks nets = EditNetworks.load(ctx.models(), files);
                NetworkOptions.printUsing(files, err); // once they are open: a bad file stays a one-line error
                if (nets.isDemo()) o.println("Using the " + DemoNetworks.LABEL + " — " + nets.describe() + ": results are patterns, not faces.");
                o.flush();
                return new LatentOptimization(nets, settings, start, landmarks, null).run(ctx);
            }, sink);
        }
        bar.end();
        if (r.stoppedEarly()) err.println("warning: " + r.stopMessage());
        if (r.regionNote() != null) o.println("regions: " + r.regionNote());
        write(r, files, settings, start);
        String label = r.demo() ? " (" + DemoNetworks.LABEL + ")" : "";
        o.println("edited " + start.describe() + " towards \"" + prompt + "\" in " + r.stepsDone() + " steps" + label);
        o.println(EditOptions.describe(r.metrics()));
        o.println("wrote " + out.resolve("before.png") + ", after.png, w.npz, result.json");
        o.flush();
        return 0;
    }

    private void write(LatentOptimization.Result r, EditNetworks.Files files, LatentOptimization.Settings settings,
                       LatentOptimization.Start start) throws Exception {
        BufferedImage before = r.before();
        BufferedImage after = r.after();
        AtomicFiles.write(out.resolve("before.png"), os -> ImageIO.write(before, "png", os));
        AtomicFiles.write(out.resolve("after.png"), os -> ImageIO.write(after, "png", os));
        LatentFile.write(out.resolve("w.npz"), r.finalLatent());
        EditOptions.writeJson(out.resolve("result.json"), resultJson(r, files, settings, start, startOptions.latent));
    }

    static Map<String, Object> resultJson(LatentOptimization.Result r, EditNetworks.Files files, LatentOptimization.Settings settings,
                                          LatentOptimization.Start start, Path latentFile) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("method", "latent_optimization");
        j.put("networks", EditOptions.networks(files, r.demo(), r.networks()));
        j.put("start", EditOptions.start(start, latentFile));
        j.put("settings", settings.toMap());
        j.put("metrics", EditOptions.metrics(r.metrics()));
        if (r.regionNote() != null) j.put("regions_note", r.regionNote());
        j.put("steps_done", r.stepsDone());
        j.put("stopped_early", r.stoppedEarly());
        j.put("stop_message", r.stopMessage());
        j.put("elapsed_ms", r.elapsedMs());
        j.put("losses", EditOptions.history(r));
        return j;
    }

    static void savePixels(Path file, Pixels p) {
        try {
            BufferedImage img = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
            img.setRGB(0, 0, p.width(), p.height(), p.argb(), 0, p.width());
            AtomicFiles.write(file, os -> ImageIO.write(img, "png", os));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
