package dev.styleclip.cli;

import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.cli.common.MemoryOption;
import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.EncoderInversion;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.Projection;
import dev.styleclip.image.Images;
import dev.styleclip.image.PilResample;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Npz;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
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
 * {@code w.npz} (key {@code w}, {@code [1, num_ws, w_dim]} float32, as projector.py).
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
        String m = method.toLowerCase(Locale.ROOT);
        boolean useEncoder = m.equals("encoder") || m.equals("encoder+projection");
        boolean useProjection = m.equals("projection") || m.equals("encoder+projection");
        if (!useEncoder && !useProjection) {
            throw new IllegalArgumentException("--method must be projection, encoder or encoder+projection, not '" + method + "'");
        }
        boolean demo = generator.demoNetworks();
        Path encoderFile = useEncoder ? InstalledNetworks.find(encoder, "--encoder", ModelRole.ENCODER, demo) : null;
        Path lpipsVgg = InstalledNetworks.find(this.lpipsVgg, "--lpips-vgg", ModelRole.VGG16, demo);
        if (useEncoder && encoderFile == null) {
            throw new IllegalArgumentException("--method " + m + " needs --encoder FILE (a ReStyle pSp or e4e checkpoint, "
                    + "e.g. restyle_pSp_ffhq.pt)");
        }
        if (steps != null && steps < 1) throw new IllegalArgumentException("--steps must be at least 1");
        if (iterations != null && iterations < 1) throw new IllegalArgumentException("--iterations must be at least 1");
        Projection.checkWAvgSamples(wAvgSamples);
        if (idModel != null && !Files.isRegularFile(idModel)) throw new IllegalArgumentException(idModel + ": no such file");
        if (video != null && Files.exists(video) && !Files.isDirectory(video)) {
            throw new IllegalArgumentException(video + " is not a folder (--save-video takes a folder for the frames)");
        }
        RgbImage img = Images.read(photo);
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (video != null) Files.createDirectories(video);
        int[] frameNo = {0};

        GeneratorSource source = generator.source();
        InstalledNetworks.Using using = new InstalledNetworks.Using().add(source);
        if (useEncoder) using.add("encoder", encoderFile);
        using.add("LPIPS", lpipsVgg);
        try (ComputeService service = new ComputeService();
             NDManager mgr = NDManager.newBaseManager();
             Lpips lpips = lpipsVgg == null ? Lpips.demo() : Lpips.load(ModelFiles.open(lpipsVgg).main(), Lpips.bundledLin())) {
            if (lpipsVgg == null) o.println("LPIPS: demo network (random VGG trunk; distances are not perceptual)");
            float[] start = null;
            StyleGan3Generator g = null;
            RestyleInversion inv = null;
            service.setMemoryBudget(memory.bytes());
            try {
                if (useEncoder) {
                    inv = RestyleInversion.load(encoderFile, source.file());
                    g = inv.decoder();
                    using.print(err); // once the networks are open: a bad file stays a one-line error
                    o.println("encoder: " + inv.describe());
                    EncoderInversion.Result r;
                    try (IrSeBackbone arcface = idModel == null ? null : IrSeBackbone.load(idModel);
                         IdentityLoss id = arcface == null ? null : new IdentityLoss(arcface)) {
                        EncoderInversion job = new EncoderInversion(inv, img, iterations == null ? 0 : iterations, lpips, id);
                        r = service.run("invert (encoder)", job, frames(err, video, frameNo, "iteration"));
                    }
                    err.println();
                    start = r.w();
                    o.printf(Locale.ROOT, "encoder: %d iterations, LPIPS %.4f%s, %.1f s%n", r.latents().size(), r.lpips(),
                            Double.isNaN(r.idSimilarity()) ? "" : String.format(Locale.ROOT, ", ID similarity %.4f", r.idSimilarity()),
                            r.elapsedMs() / 1000.0);
                    if (!useProjection) {
                        Npz.writeLatent(out, r.w(), r.shape());
                        o.println("wrote " + out + " (w " + java.util.Arrays.toString(r.shape()) + ")");
                        return 0;
                    }
                } else {
                    g = source.open(mgr);
                    using.print(err);
                    if (g.isDemo()) o.println("generator: " + source.describe() + ": patterns, not faces");
                }
                int res = g.resolution();
                float[] target = Projection.photoToChw(PilResample.resizeLanczos(PhotoInversion.centerSquare(img), res, res).rgb(), res);
                Projection.Settings s = start == null ? new Projection.Settings() : Projection.Settings.refinement();
                if (start != null) s.start(start);
                if (steps != null) s.steps(steps);
                if (wPlus) s.wPlus(true);
                if (start == null) s.wAvgSamples(wAvgSamples);
                s.previewEvery(video != null ? 1 : 0);
                Projection.Result r = service.run("invert (projection)", new Projection(g, lpips, target, s),
                        frames(err, video, frameNo, "step"));
                err.println();
                Npz.writeLatent(out, r.w(), r.shape());
                o.printf(Locale.ROOT, "projection: %d steps, LPIPS %.4f, %.1f s%n", r.losses().length, r.loss(), r.elapsedMs() / 1000.0);
                o.println("wrote " + out + " (w " + java.util.Arrays.toString(r.shape()) + ")"
                        + (g.isDemo() ? " (" + DemoNetworks.LABEL + ")" : ""));
                return 0;
            } finally {
                if (inv != null) inv.close();
                else if (g != null) g.close();
            }
        }
    }

    private static Consumer<Frame> frames(PrintWriter err, Path video, int[] frameNo, String unit) {
        return f -> {
            if (f.step() > 0) {
                int width = 30;
                int filled = f.total() > 0 ? Math.min(width, f.step() * width / f.total()) : 0;
                StringBuilder sb = new StringBuilder("\r[").append("#".repeat(filled)).append(".".repeat(width - filled))
                        .append("] ").append(unit).append(' ').append(f.step()).append('/').append(f.total());
                Double l = f.losses().getOrDefault("lpips", f.metrics().get("lpips"));
                if (l != null) sb.append(String.format(Locale.ROOT, " lpips %.4f", l));
                err.print(sb);
                err.flush();
            }
            if (video != null && f.preview() != null) {
                frameNo[0]++;
                Path file = video.resolve(String.format(Locale.ROOT, "frame%04d.png", frameNo[0]));
                try {
                    BufferedImage bi = toImage(f.preview());
                    AtomicFiles.write(file, os -> ImageIO.write(bi, "png", os));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
    }

    private static BufferedImage toImage(Pixels p) {
        BufferedImage bi = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        bi.setRGB(0, 0, p.width(), p.height(), p.argb(), 0, p.width());
        return bi;
    }
}
