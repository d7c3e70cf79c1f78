package dev.styleclip.cli;

import dev.styleclip.cli.common.CommandNetworks;
import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.mapper.LevelsMapper;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./styleclip apply-mapper}: edits one latent with a trained mapper in one forward pass. */
@Command(name = "apply-mapper", description = "Edit a face with a trained latent mapper: w' = w + strength * M(w).")
public final class ApplyMapperCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--mapper", required = true, paramLabel = "DIR|FILE", description = "train-mapper output directory or a mapper .safetensors")
    Path mapper;
    @CommandLine.Mixin
    GeneratorOption generator;
    @CommandLine.Mixin
    MemoryOption memory;
    @Option(names = "--seed", description = "edit the face of this seed")
    Long seed;
    @Option(names = "--latent", paramLabel = "W.npz", description = "edit this saved w [1, num_ws, w_dim] (.npz or .npy)")
    Path latent;
    @Option(names = "--psi", defaultValue = "0.7", description = "truncation psi for --seed (default ${DEFAULT-VALUE})")
    double psi;
    @Option(names = "--strength", defaultValue = "0.1", description = "lambda_delta (default ${DEFAULT-VALUE}, the training value)")
    double strength;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write original.png and edited.png")
    Path out;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFolder(out); // before any work: a bad output place is known now, not at the end
        if ((seed == null) == (latent == null)) throw new IllegalArgumentException("give exactly one of --seed and --latent");
        Path file = Files.isDirectory(mapper) ? mapper.resolve(MapperTrainingJob.MAPPER_FILE) : mapper;
        if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--mapper " + mapper + ": no mapper file " + file);
        if (latent != null && !Files.isRegularFile(latent)) throw new IllegalArgumentException("--latent " + latent + ": no such file");
        PrintWriter o = spec.commandLine().getOut();
        Latent given = latent == null ? null : LatentFile.read(latent);
        TensorStore store = Safetensors.read(file);
        CommandNetworks files = CommandNetworks.find(generator, null, false, null, false);
        try (ComputeService cs = new ComputeService()) {
            memory.applyTo(cs);
            cs.run("apply-mapper", ctx -> {
                CommandNetworks.Loaded models = files.load(ctx, o, spec.commandLine().getErr());
                FaceGeneration faces = FaceGeneration.load(ctx, files.generator());
                StyleGan3Generator g = faces.generator();
                LevelsMapper lm = LevelsMapper.load(store, g.numWs(), ctx.manager());
                if (lm.wDim() != g.wDim()) {
                    throw new IllegalArgumentException("the mapper is for w_dim " + lm.wDim() + ", the generator has " + g.wDim());
                }
                FaceGeneration.Result original = seed != null
                        ? faces.generate(ctx, new FaceGeneration.Request(seed, psi, null, null))
                        : faces.render(ctx, checked(given, g), null);
                Latent w = original.ws();
                Latent edited = ctx.step(sm -> new Latent(w.numWs(), w.wDim(),
                        lm.edit(FaceGeneration.array(sm, w), strength).toFloatArray()));
                BufferedImage b = faces.render(ctx, edited, null).image();
                AtomicFiles.write(out.resolve("original.png"), os -> ImageIO.write(original.image(), "png", os));
                AtomicFiles.write(out.resolve("edited.png"), os -> ImageIO.write(b, "png", os));
                Map<String, Object> meta = store.metadata();
                o.printf(Locale.ROOT, "Edited with mapper %s (prompt \"%s\", groups %s) at strength %s -> %s%s%n", file,
                        meta == null ? "?" : meta.getOrDefault("prompt", "?"), lm.groupsSpec(), strength, out.resolve("edited.png"),
                        models.demo() ? " (" + DemoNetworks.LABEL + ")" : "");
                return null;
            }, null);
        }
        return 0;
    }

    /** A projector-style latent ({@code w}, [1, num_ws, w_dim]) of this generator's shape. */
    private Latent checked(Latent l, StyleGan3Generator g) {
        if (l.numWs() != g.numWs() || l.wDim() != g.wDim()) {
            throw new IllegalArgumentException("--latent " + latent + " holds w of shape [1, " + l.numWs() + ", " + l.wDim()
                    + "], the generator needs [1, " + g.numWs() + ", " + g.wDim() + "]");
        }
        return l;
    }
}
