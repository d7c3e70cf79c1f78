package dev.styleclip.cli;

import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.EditCliModels;
import dev.styleclip.model.stylegan3.InputTransform;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
    static Path cacheDir(Path cache, Path generator, Path clip, EditCliModels models, Precision precision) throws Exception {
        if (cache != null) return cache;
        return DirectionFiles.cacheDir(generator, clip, models.generator.source(), clipSource(models), precision);
    }

    private static String clipSource(EditCliModels models) {
        return models.clip == null ? "demo" : models.clip.source();
    }

    /**
     * The prepared (or imported) directions of a generator + CLIP pair: in {@code --cache} when given, else the default
     * precision's cache folder, else the other precision's; the default precision's path when there is none yet.
     */
    static Path preparedFile(Path cache, Path generator, Path clip, EditCliModels models) throws Exception {
        if (cache != null) return cache.resolve(DirectionsPrepareJob.RESULT);
        Path f = DirectionFiles.preparedResult(generator, clip, models.generator.source(), clipSource(models));
        return f != null ? f : cacheDir(null, generator, clip, models, Precision.DEFAULT).resolve(DirectionsPrepareJob.RESULT);
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
            try (EditCliModels m = EditCliModels.open(models.generator, models.clip, null, true, false, o, spec.commandLine().getErr())) {
                Path dir = cacheDir(models.cache, m.source.file(), m.clipFile, m, precision);
                var job = new DirectionsPrepareJob(m.generator, m.clip, new DirectionsPrepareJob.Settings(seed, images, 0.5,
                        DirectionsPrepareJob.Settings.cutoff(m.generator), strength, chunk, precision), dir);
                Path r;
                try (ComputeService cs = new ComputeService()) {
                    cs.setMemoryBudget(models.memory.bytes());
                    r = cs.run("directions-prepare", job, EditCliModels.progressBar(err, "channels"));
                }
                err.println();
                o.println("Channel effects (" + GlobalDirections.channelCount(m.generator) + " channels, " + precision.id() + ") -> " + r
                        + (m.demo ? " (" + DemoNetworks.LABEL + ")" : ""));
            }
            return 0;
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
            try (EditCliModels m = EditCliModels.open(models.generator, models.clip, null, true, false, o, spec.commandLine().getErr());
                 NDManager nd = m.manager.newSubManager()) {
                StyleGan3Generator g = m.generator;
                Path file = directions != null ? directions : preparedFile(models.cache, m.source.file(), m.clipFile, m);
                if (!Files.isRegularFile(file)) {
                    throw new IllegalArgumentException("no prepared directions at " + file + ": run 'directions prepare' (same --generator/--clip) or 'directions import' first");
                }
                DirectionsPrepareJob.Prepared p = DirectionsPrepareJob.load(file);
                DirectionStep measured = DirectionStep.measure(g, m.clip, p, file, neutral, target, nd);
                int c = measured.channels();
                NDArray w = g.mapping(g.seedZ(nd, seed), psi, null);
                float[] s = GlobalDirections.w2s(g, w).toFloatArray();
                StyleGan3Generator.Options id = m.renderOptions(models.memory.budget(nd.getDevice())).transform(InputTransform.identity());
                BufferedImage orig = GeneratorImages.toImage(GlobalDirections.synthesize(g, nd.create(s, new Shape(1, c)), id), 0);
                AtomicFiles.write(out.resolve("original.png"), os -> ImageIO.write(orig, "png", os));
                BufferedImage[][] cells = new BufferedImage[betas.size()][alphas.size()];
                for (int bi = 0; bi < betas.size(); bi++) {
                    GlobalDirections.Direction d = measured.direction(betas.get(bi));
                    o.printf(Locale.ROOT, "beta %s: %d of %d channels active%n", betas.get(bi), d.activeChannels(), c);
                    for (int ai = 0; ai < alphas.size(); ai++) {
                        float[] se = GlobalDirections.edit(s, 1, d.direction(), alphas.get(ai));
                        try (NDManager it = nd.newSubManager()) {
                            cells[bi][ai] = GeneratorImages.toImage(GlobalDirections.synthesize(g, it.create(se, new Shape(1, c)), id), 0);
                        }
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
                o.println("\"" + neutral + "\" -> \"" + target + "\": " + result + (m.demo ? " (" + DemoNetworks.LABEL + ")" : ""));
            }
            return 0;
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
                try (EditCliModels m = EditCliModels.open(models.generator, models.clip, null, true, false, o, spec.commandLine().getErr())) {
                    channels = GlobalDirections.channelCount(m.generator);
                    target = cacheDir(models.cache, m.source.file(), m.clipFile, m, Precision.DEFAULT).resolve(DirectionsPrepareJob.RESULT);
                }
            }
            long c = DirectionFiles.importPublished(dir, target, channels);
            o.println("Imported " + c + " channels -> " + target);
            return 0;
        }
    }
}
