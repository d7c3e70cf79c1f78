package dev.styleclip.cli;

import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.CommandNetworks;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.model.stylegan3.InputTransform;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.recipe.DirectionStep;
import dev.styleclip.edit.directions.DirectionFiles;
import dev.styleclip.edit.directions.DirectionsPrepareJob;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.edit.directions.Precision;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ./styleclip directions prepare|apply|import}: StyleCLIP global directions in StyleGAN3's StyleSpace. */
@Command(name = "directions", description = "StyleCLIP global directions (StyleSpace): prepare the channel effects, apply a text edit, import published files.",
        subcommands = {DirectionsCommand.Prepare.class, DirectionsCommand.Apply.class, DirectionsCommand.Import.class,
                CommandLine.HelpCommand.class})
public final class DirectionsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: prepare, apply or import");
    }

    /** The cache directory of a generator + CLIP pair prepared in {@code precision} ({@code --cache} when given). */
    static Path cacheDir(Path cache, CommandNetworks files, CommandNetworks.Loaded nets, Precision precision) throws Exception {
        if (cache != null) return cache;
        return DirectionFiles.cacheDir(files.generator().file(), files.clipFile(), nets.generator().source(), nets.clip().source(),
                precision);
    }

    /**
     * The prepared (or imported) directions of a generator + CLIP pair: in {@code --cache} when given, else the default
     * precision's cache folder, else the other precision's; the default precision's path when there is none yet.
     */
    static Path preparedFile(Path cache, CommandNetworks files, CommandNetworks.Loaded nets) throws Exception {
        if (cache != null) return cache.resolve(DirectionsPrepareJob.RESULT);
        Path f = DirectionFiles.preparedResult(files.generator().file(), files.clipFile(), nets.generator().source(),
                nets.clip().source());
        return f != null ? f : cacheDir(null, files, nets, Precision.DEFAULT).resolve(DirectionsPrepareJob.RESULT);
    }

    /** The networks of every subcommand: the generator and CLIP. */
    static CommandNetworks networks(ModelOptionsMixin models) {
        return CommandNetworks.find(models.generator, models.clip, true, null, false);
    }

    /** float32 / float64 for {@code --precision}. */
    static final class PrecisionConverter implements CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            try {
                return Precision.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    @Command(name = "prepare", description = "Measure how every StyleSpace channel moves the CLIP image embedding (resumable, cached).")
    static final class Prepare implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ModelOptionsMixin models = new ModelOptionsMixin();
        @Option(names = "--images", defaultValue = "8", description = "sampled faces (default ${DEFAULT-VALUE}; the paper uses 300 for delta_i_c)")
        int images;
        @Option(names = "--strength", defaultValue = "5", description = "perturbation in std units (default ${DEFAULT-VALUE})")
        double strength;
        @Option(names = "--chunk", defaultValue = "16", description = "channels per resumable chunk (default ${DEFAULT-VALUE})")
        int chunk;
        @Option(names = "--seed", defaultValue = "0", description = "seed of the sampled z (default ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--precision", defaultValue = "float64", converter = PrecisionConverter.class, paramLabel = "float64|float32",
                description = {"arithmetic of the statistics and the channel sweep (default ${DEFAULT-VALUE}; float32 is about",
                        "twice as fast but loses the effect of channels that barely move CLIP to rounding). Each precision",
                        "has its own cache folder."})
        Precision precision;

        @Override
        public Integer call() throws Exception {
            if (images < 2) throw new IllegalArgumentException("--images must be >= 2");
            if (chunk < 1) throw new IllegalArgumentException("--chunk must be >= 1");
            PrintWriter o = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            CommandNetworks files = networks(models);
            ProgressBar bar = ProgressBar.frames(err, "");
            Prepared r;
            try (ComputeService cs = new ComputeService()) {
                models.memory.applyTo(cs);
                r = cs.run("directions-prepare", ctx -> {
                    CommandNetworks.Loaded m = files.load(ctx, o, err);
                    StyleGan3Generator g = m.generator();
                    var job = new DirectionsPrepareJob(g, m.clip(), new DirectionsPrepareJob.Settings(seed, images, 0.5,
                            DirectionsPrepareJob.Settings.cutoff(g), strength, chunk, precision), cacheDir(models.cache, files, m, precision));
                    return new Prepared(job.run(ctx), GlobalDirections.channelCount(g), m.demo());
                }, bar);
            }
            bar.end();
            o.println("Channel effects (" + r.channels() + " channels, " + precision.id() + ") -> " + r.file()
                    + (r.demo() ? " (" + DemoNetworks.LABEL + ")" : ""));
            return 0;
        }

        private record Prepared(Path file, int channels, boolean demo) {
        }
    }

    /** The model options as a picocli mixin. */
    static final class ModelOptionsMixin {
        @CommandLine.Mixin
        GeneratorOption generator;
        @CommandLine.Mixin
        MemoryOption memory;
        @Option(names = "--clip", paramLabel = "C.pt", description = "CLIP TorchScript file (default: the models folder's, else a demo network)")
        Path clip;
        @Option(names = "--cache", paramLabel = "DIR", description = "cache directory (default: ~/.cache/styleclip/directions/<key of the two files>-<precision>)")
        Path cache;
    }

    @Command(name = "apply", description = "Edit a face along the direction from --neutral to --target text (lists of alpha/beta give a grid).")
    static final class Apply implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Mixin
        ModelOptionsMixin models = new ModelOptionsMixin();
        @Option(names = "--directions", paramLabel = "FILE", description = "a prepared or imported delta_i_c.safetensors (default: the cache's)")
        Path directions;
        @Option(names = "--neutral", defaultValue = "a face", description = "neutral text (default \"${DEFAULT-VALUE}\")")
        String neutral;
        @Option(names = "--target", required = true, description = "target text, e.g. \"a smiling face\"")
        String target;
        @Option(names = "--alpha", defaultValue = "3", split = ",", description = "strength(s) alpha (default ${DEFAULT-VALUE})")
        List<Double> alphas;
        @Option(names = "--beta", defaultValue = "0.1", split = ",", description = "threshold(s) beta (default ${DEFAULT-VALUE})")
        List<Double> betas;
        @Option(names = "--seed", defaultValue = "0", description = "the face to edit (default ${DEFAULT-VALUE})")
        long seed;
        @Option(names = "--psi", defaultValue = "0.7", description = "truncation psi (default ${DEFAULT-VALUE})")
        double psi;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "output directory")
        Path out;

        @Override
        public Integer call() throws Exception {
            for (double b : betas) if (!(b >= 0)) throw new IllegalArgumentException("--beta must be >= 0");
            AtomicFiles.prepareFolder(out);
            PrintWriter o = spec.commandLine().getOut();
            CommandNetworks files = networks(models);
            try (ComputeService cs = new ComputeService()) {
                models.memory.applyTo(cs);
                cs.run("directions-apply", ctx -> {
                    CommandNetworks.Loaded m = files.load(ctx, o, spec.commandLine().getErr());
                    apply(ctx, files, m, o);
                    return null;
                }, null);
            }
            return 0;
        }

        private void apply(JobContext ctx, CommandNetworks files, CommandNetworks.Loaded m, PrintWriter o) throws Exception {
            StyleGan3Generator g = m.generator();
            Path file = directions != null ? directions : preparedFile(models.cache, files, m);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("no prepared directions at " + file + ": run 'directions prepare' (same --generator/--clip) or 'directions import' first");
            }
            DirectionsPrepareJob.Prepared p = DirectionsPrepareJob.load(file);
            DirectionStep measured = ctx.step(sm -> DirectionStep.measure(g, m.clip(), p, file, neutral, target, sm));
            int c = measured.channels();
            float[] s = ctx.step(sm -> GlobalDirections.w2s(g, g.mapping(g.seedZ(sm, seed), psi, null)).toFloatArray());
            StyleGan3Generator.Options id = StyleGan3Generator.Options.with(
                    MemoryPlanner.plan(ctx, MemoryPlanner.Task.GENERATE, 1, g, List.of()).synthesis()).transform(InputTransform.identity());
            BufferedImage orig = ctx.step(sm -> GeneratorImages.toImage(GlobalDirections.synthesize(g, sm.create(s, new Shape(1, c)), id), 0));
            AtomicFiles.write(out.resolve("original.png"), os -> ImageIO.write(orig, "png", os));
            BufferedImage[][] cells = new BufferedImage[betas.size()][alphas.size()];
            for (int bi = 0; bi < betas.size(); bi++) {
                GlobalDirections.Direction d = measured.direction(betas.get(bi));
                o.printf(Locale.ROOT, "beta %s: %d of %d channels active%n", betas.get(bi), d.activeChannels(), c);
                for (int ai = 0; ai < alphas.size(); ai++) {
                    float[] se = GlobalDirections.edit(s, 1, d.direction(), alphas.get(ai));
                    cells[bi][ai] = ctx.step(sm -> GeneratorImages.toImage(GlobalDirections.synthesize(g, sm.create(se, new Shape(1, c)), id), 0));
                }
            }
            Path result;
            if (cells.length == 1 && cells[0].length == 1) {
                result = out.resolve("edited.png");
                BufferedImage e = cells[0][0];
                AtomicFiles.write(result, os -> ImageIO.write(e, "png", os));
            } else {
                result = out.resolve("grid.png");
                BufferedImage grid = grid(cells, alphas, betas);
                AtomicFiles.write(result, os -> ImageIO.write(grid, "png", os));
            }
            o.println("\"" + neutral + "\" -> \"" + target + "\": " + result + (m.demo() ? " (" + DemoNetworks.LABEL + ")" : ""));
        }

        /** Rows = beta, columns = alpha, with labels. */
        static BufferedImage grid(BufferedImage[][] cells, List<Double> alphas, List<Double> betas) {
            int s = cells[0][0].getWidth();
            int cell = Math.max(s, 64);
            int left = 80, top = 24;
            BufferedImage img = new BufferedImage(left + cell * alphas.size(), top + cell * betas.size(), BufferedImage.TYPE_INT_RGB);
            Graphics2D gr = img.createGraphics();
            gr.setColor(Color.WHITE);
            gr.fillRect(0, 0, img.getWidth(), img.getHeight());
            gr.setColor(Color.BLACK);
            gr.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int a = 0; a < alphas.size(); a++) gr.drawString("α=" + alphas.get(a), left + a * cell + 4, 16);
            for (int b = 0; b < betas.size(); b++) {
                gr.drawString("β=" + betas.get(b), 4, top + b * cell + cell / 2);
                for (int a = 0; a < alphas.size(); a++) gr.drawImage(cells[b][a], left + a * cell, top + b * cell, cell, cell, null);
            }
            gr.dispose();
            return img;
        }
    }

    @Command(name = "import", description = {
            "Import published channel effects: DIR holds delta_i_c.npy [C, D] (stylegan3-editing's",
            "editing/styleclip_global_directions/<model>/delta_i_c.npy) and s_mean.npy, s_std.npy [C] (the per-channel",
            "statistics; stylegan3-editing ships them as the pickle 's_stats' = [transform, s_mean by layer, s_std by layer],",
            "which is not read: save its two dicts concatenated in layer order as flat float arrays)."})
    static final class Import implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;
        @CommandLine.Parameters(paramLabel = "DIR", description = "folder with delta_i_c.npy, s_mean.npy, s_std.npy")
        Path dir;
        @Option(names = "--out", paramLabel = "FILE", description = "where to write the directions (default: the cache of --generator/--clip)")
        Path outFile;
        @CommandLine.Mixin
        ModelOptionsMixin models = new ModelOptionsMixin();

        @Override
        public Integer call() throws Exception {
            PrintWriter o = spec.commandLine().getOut();
            if (outFile != null) AtomicFiles.prepareFile(outFile);
            Path target = outFile;
            int channels = 0;
            if (target == null) {
                // the cache folder is named after both networks, and the file is checked against the generator's channels
                CommandNetworks files = networks(models);
                Cached cached;
                try (ComputeService cs = new ComputeService()) {
                    cached = cs.run("directions-import", ctx -> {
                        CommandNetworks.Loaded m = files.load(ctx, o, spec.commandLine().getErr());
                        return new Cached(cacheDir(models.cache, files, m, Precision.DEFAULT).resolve(DirectionsPrepareJob.RESULT),
                                GlobalDirections.channelCount(m.generator()));
                    }, null);
                }
                target = cached.file();
                channels = cached.channels();
            }
            long c = DirectionFiles.importPublished(dir, target, channels);
            o.println("Imported " + c + " channels -> " + target);
            return 0;
        }

        /** Where the generator + CLIP pair's directions go, and the generator's channel count. */
        private record Cached(Path file, int channels) {
        }
    }
}
