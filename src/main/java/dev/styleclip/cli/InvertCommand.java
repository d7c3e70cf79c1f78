package dev.styleclip.cli;

import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npz;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code ./styleclip invert PHOTO}: finds the latent of an aligned face photo, by optimisation (NVIDIA's projector), by a
 * ReStyle encoder (pSp / e4e for StyleGAN3), or by the encoder followed by a short projection from its latent; writes
 * {@code w.npz} (key {@code w}, {@code [1, num_ws, w_dim]} float32, as projector.py). The inversion is the studio's
 * ({@link PhotoImport} without its alignment: the photo is aligned already); each stage is reported as it ended.
 */
@Command(name = "invert", description = "Invert an aligned face photo into a StyleGAN3 latent (w.npz).")
public final class InvertCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PHOTO", description = "an aligned face image (see `styleclip align`)")
    Path photo;

    @Option(names = "--method", paramLabel = "M", defaultValue = "projection",
            description = "projection | encoder | encoder+projection (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--encoder", paramLabel = "FILE", description = "ReStyle pSp / e4e checkpoint (.pt) for the encoder methods (default: the models folder's)")
    Path encoder;

    @CommandLine.Mixin
    GeneratorOption generator;

    @CommandLine.Mixin
    MemoryOption memory;

    @Option(names = "--lpips-vgg", paramLabel = "FILE",
            description = "torchvision VGG16 weights (vgg16-397923af.pth) for LPIPS (default: the models folder's, else a demo VGG trunk)")
    Path lpipsVgg;

    @Option(names = "--id-model", paramLabel = "FILE",
            description = "ArcFace IR-SE-50 (model_ir_se50.pth): report the identity similarity of each encoder iteration")
    Path idModel;

    @Option(names = "--steps", paramLabel = "N", description = "projection steps (default 1000; 100 after the encoder)")
    Integer steps;

    @Option(names = "--iterations", paramLabel = "N", description = "encoder iterations (default: the checkpoint's n_iters_per_batch)")
    Integer iterations;

    @Option(names = "--w-plus", description = "project in W+ (one w per layer) instead of one broadcast w")
    boolean wPlus;

    @Option(names = "--w-avg-samples", paramLabel = "N", defaultValue = "10000",
            description = "z samples for w_avg / w_std (0: the generator's stored w_avg, no exploration noise; default ${DEFAULT-VALUE})")
    int wAvgSamples;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the latent (.npz, key w)")
    Path out;

    @Option(names = "--save-video", paramLabel = "DIR", description = "write every step's / iteration's picture as DIR/frameNNNN.png")
    Path video;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFile(out); // before any work: a bad output place is known now, not at the end
        PhotoInversion.Method m;
        try {
            m = PhotoInversion.Method.parse(method);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--method must be projection, encoder or encoder+projection, not '" + method + "'");
        }
        boolean demo = generator.demoNetworks();
        Path encoderFile = m.usesEncoder() ? InstalledNetworks.find(encoder, "--encoder", ModelRole.ENCODER, demo) : null;
        Path lpipsFile = InstalledNetworks.find(lpipsVgg, "--lpips-vgg", ModelRole.VGG16, demo);
        // the identity score only when asked for: it is a report of each encoder iteration, not a default
        Path idFile = InstalledNetworks.find(idModel, "--id-model", ModelRole.IDENTITY, true);
        if (m.usesEncoder() && encoderFile == null) {
            throw new IllegalArgumentException("--method " + m.cliName() + " needs --encoder FILE (a ReStyle pSp or e4e checkpoint, "
                    + "e.g. restyle_pSp_ffhq.pt)");
        }
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be at least 1");
        if (iterations != null && iterations < 1) throw new IllegalArgumentException("--iterations must be at least 1");
        PhotoInversion.Settings settings = new PhotoInversion.Settings(m, steps, iterations, wPlus, wAvgSamples, video != null ? 1 : 0);
        if (video != null && Files.exists(video) && !Files.isDirectory(video)) {
            throw new IllegalArgumentException(video + " is not a folder (--save-video takes a folder for the frames)");
        }
        RgbImage img = Images.read(photo);
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (video != null) Files.createDirectories(video);

        GeneratorSource source = generator.source();
        InstalledNetworks.Using using = new InstalledNetworks.Using().add(source);
        if (m.usesEncoder()) using.add("encoder", encoderFile);
        using.add("LPIPS", lpipsFile);
        if (idFile != null) using.add("ID", idFile);
        // the photo is aligned already: the studio's inversion without its alignment (no face-api)
        PhotoImport.Networks networks = new PhotoImport.Networks(source, encoderFile, lpipsFile, idFile, null);
        ProgressBar bar = ProgressBar.frames(err, "step");
        Consumer<Frame> sink = video == null ? bar : bar.andThen(videoFrames(video));
        Inverted r;
        try (ComputeService service = new ComputeService()) {
            memory.applyTo(service);
            r = service.run("invert", ctx -> {
                PhotoImport inversion = PhotoImport.load(ctx, networks, m);
                using.print(err); // once the networks are open: a bad file stays a one-line error
                if (lpipsFile == null) o.println("LPIPS: demo network (random VGG trunk; distances are not perceptual)");
                if (inversion.encoder() != null) o.println("encoder: " + inversion.encoder().describe());
                else if (source.isDemo()) o.println("generator: " + source.describe() + ": patterns, not faces");
                o.flush();
                return new Inverted(inversion.invert(ctx, img, settings), inversion.generator().isDemo());
            }, sink);
        }
        bar.end();
        for (PhotoInversion.Stage st : r.result().stages()) {
            o.printf(Locale.ROOT, "%s: %d %s, LPIPS %.4f%s, %.1f s%n", st.name(), st.steps(),
                    st.name().equals("encoder") ? "iterations" : "steps", st.lpips(),
                    Double.isNaN(st.idSimilarity()) ? "" : String.format(Locale.ROOT, ", ID similarity %.4f", st.idSimilarity()),
                    st.elapsedMs() / 1000.0);
        }
        Npz.writeLatent(out, r.result().w(), r.result().shape());
        o.println("wrote " + out + " (w " + java.util.Arrays.toString(r.result().shape()) + ")"
                + (r.demo() ? " (" + DemoNetworks.LABEL + ")" : ""));
        return 0;
    }

    /** The inversion and whether the generator that ran it is a demo network. */
    private record Inverted(PhotoInversion.Result result, boolean demo) {
    }

    /** Saves every frame's picture as DIR/frameNNNN.png, numbered across the encoder's iterations and the projection's steps. */
    private static Consumer<Frame> videoFrames(Path video) {
        int[] frameNo = {0};
        return f -> {
            if (f.preview() == null) return;
            frameNo[0]++;
            Path file = video.resolve(String.format(Locale.ROOT, "frame%04d.png", frameNo[0]));
            try {
                BufferedImage bi = toImage(f.preview());
                AtomicFiles.write(file, os -> ImageIO.write(bi, "png", os));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    private static BufferedImage toImage(Pixels p) {
        BufferedImage bi = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, p.width(), p.height(), p.argb(), 0, p.width());
        return bi;
    }
}
