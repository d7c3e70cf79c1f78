package dev.styleclip.cli;

import dev.styleclip.cli.common.CommandNetworks;
import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code ./styleclip generate}: images from seeds, as NVIDIA's gen_images.py writes them. */
@Command(name = "generate", description = "Generate images from seeds with a StyleGAN3 generator (as gen_images.py).")
public final class GenerateCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    GeneratorOption generator;

    @CommandLine.Mixin
    MemoryOption memory;

    @Option(names = "--seeds", required = true, paramLabel = "LIST", description = "seeds, e.g. 0-3,42")
    String seeds;

    @Option(names = "--trunc", paramLabel = "PSI", description = "truncation psi (default 0.7, the studio's; 1 = none, as gen_images.py's default)")
    Double trunc;

    @Option(names = "--trunc-cutoff", paramLabel = "N", description = "truncate only the first N ws (default: all)")
    Integer truncCutoff;

    @Option(names = "--translate", paramLabel = "X,Y", defaultValue = "0,0", description = "translate the image (default ${DEFAULT-VALUE})")
    String translate;

    @Option(names = "--rotate", paramLabel = "DEG", defaultValue = "0", description = "rotate the image, degrees (default ${DEFAULT-VALUE})")
    double rotate;

    @Option(names = "--outdir", required = true, paramLabel = "DIR", description = "where to write seedNNNN.png")
    Path outdir;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFolder(outdir); // before any work: a bad output place is known now, not at the end
        List<Long> seedList = parseSeeds(seeds);
        double[] t = parseVec2(translate, "--translate");
        if (truncCutoff != null && truncCutoff < 0) throw new IllegalArgumentException("--trunc-cutoff must be >= 0");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GeneratorSource source = generator.source();
        double psi = trunc != null ? trunc : FaceGeneration.DEFAULT_PSI;
        double[][] transform = InputTransform.make(t[0], t[1], rotate);
        String label = source.isDemo() ? " (" + DemoNetworks.LABEL + ")" : "";
        ProgressBar bar = ProgressBar.frames(err, "");
        try (ComputeService service = new ComputeService()) {
            memory.applyTo(service);
            // one job for all seeds: the generator is loaded and the memory planned once, each seed is a step of its own
            service.run("generate", ctx -> {
                FaceGeneration generation = FaceGeneration.load(ctx, source);
                new InstalledNetworks.Using().add(source).print(err); // once it is open: a bad file stays a one-line error
                if (source.isDemo()) out.println(CommandNetworks.generatorNotice(source));
                err.println("memory: " + generation.plan().summary());
                int done = 0;
                for (long seed : seedList) {
                    ctx.emit(Frame.status(ctx.jobName(), done, seedList.size(), ctx.elapsedMs(), "seed " + seed));
                    Path file = outdir.resolve(String.format(Locale.ROOT, "seed%04d.png", seed));
                    BufferedImage image = generation.generate(ctx, new FaceGeneration.Request(seed, psi, truncCutoff, transform)).image();
                    AtomicFiles.write(file, os -> ImageIO.write(image, "png", os));
                    done++;
                    ctx.emit(Frame.status(ctx.jobName(), done, seedList.size(), ctx.elapsedMs(), "seed " + seed));
                    // the bar's line ends before each file's line on stdout, which a terminal shows in between
                    bar.end();
                    out.println("wrote " + file + label);
                    out.flush();
                }
                return null;
            }, bar);
        }
        return 0;
    }

    /** gen_images.py's range syntax: comma-separated numbers and inclusive a-b ranges. */
    /** The most images one run writes (each is a file: a million would be a typo, not a plan). */
    static final int MAX_SEEDS = 100_000;

    private static IllegalArgumentException tooMany() {
        return new IllegalArgumentException("--seeds: more than " + MAX_SEEDS + " seeds in one run");
    }

    static List<Long> parseSeeds(String s) {
        List<Long> out = new ArrayList<>();
        Pattern range = Pattern.compile("^(\\d+)-(\\d+)$");
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) continue;
            Matcher m = range.matcher(p);
            try {
                if (m.matches()) {
                    long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(2));
                    if (b < a) throw new IllegalArgumentException("bad seed range " + p);
                    if (b - a >= MAX_SEEDS - out.size()) throw tooMany();
                    for (long v = a; v <= b; v++) out.add(check(v));
                } else {
                    if (out.size() >= MAX_SEEDS) throw tooMany();
                    out.add(check(Long.parseLong(p)));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad seed '" + p + "' (use e.g. 0-3,42)");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no seeds given (use e.g. 0-3,42)");
        return out;
    }

    private static long check(long seed) {
        if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("seed " + seed + " is outside 0 … 2^32-1");
        return seed;
    }

    static double[] parseVec2(String s, String what) {
        String[] p = s.split(",");
        if (p.length != 2) throw new IllegalArgumentException(what + " takes X,Y (two numbers), got '" + s + "'");
        return new double[]{Numbers.finite(p[0], what), Numbers.finite(p[1], what)};
    }
}
