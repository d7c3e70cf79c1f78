package dev.styleclip.cli;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.WGroups;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.CommandNetworks;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.cli.common.InstalledNetworks;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npz;
import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.runtime.ComputeService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ./styleclip train-mapper}: trains a StyleCLIP latent mapper for one prompt (resumes a checkpoint in --out). */
@Command(name = "train-mapper", description = {
        "Train a StyleCLIP latent mapper (levels mapper on W+) for one text prompt.",
        "Defaults are sized for a CPU (10 epochs x 8 steps x batch 2); the reference's 100 epochs x 20 steps are for GPUs.",
        "A checkpoint is written atomically after every epoch; rerunning with the same --out resumes it."})
public final class TrainMapperCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--prompt", required = true, description = "the target text, e.g. \"a person with purple hair\"")
    String prompt;
    @CommandLine.Mixin
    GeneratorOption generator;
    @CommandLine.Mixin
    MemoryOption memory;
    @Option(names = "--clip", paramLabel = "C.pt", description = "CLIP TorchScript file (default: the models folder's, else a demo network)")
    Path clip;
    @Option(names = "--id", paramLabel = "ID.pth", description = "IR-SE-50 face recognition weights (default: the models folder's, else a demo network)")
    Path id;
    @Option(names = "--epochs", defaultValue = "10", description = "epochs (default ${DEFAULT-VALUE}; reference GPU runs: 100)")
    int epochs;
    @Option(names = "--steps", defaultValue = "8", description = "steps per epoch (default ${DEFAULT-VALUE}; reference: 20)")
    int steps;
    @Option(names = "--batch", defaultValue = "2", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;
    @Option(names = "--lr", defaultValue = "0.01", description = "AdamW learning rate (default ${DEFAULT-VALUE})")
    double lr;
    @Option(names = "--l2", defaultValue = "0.3", description = "latent L2 weight (default ${DEFAULT-VALUE})")
    double l2;
    @Option(names = "--id-weight", defaultValue = "0.06", description = "ID loss weight (default ${DEFAULT-VALUE}; 0 = no ID network)")
    double lambdaId;
    @Option(names = "--groups", defaultValue = "coarse,medium,fine", description = "mapper groups to train (default ${DEFAULT-VALUE})")
    String groups;
    @Option(names = "--plateau-factor", defaultValue = "0.2", description = "ReduceLROnPlateau factor (default ${DEFAULT-VALUE})")
    double plateauFactor;
    @Option(names = "--plateau-patience", defaultValue = "10", description = "ReduceLROnPlateau patience in epochs (default ${DEFAULT-VALUE})")
    int plateauPatience;
    @Option(names = "--psi", defaultValue = "0.7", description = "truncation psi of the sampled w (default ${DEFAULT-VALUE})")
    double psi;
    @Option(names = "--seed", defaultValue = "0", description = "seed of the initial weights and the batch sampling (default ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--latents", paramLabel = "DIR", description = "sample w from the .npy/.npz latents in DIR instead of random z")
    Path latents;
    @CommandLine.Mixin
    EditOptions.Regions regions;
    @Option(names = "--out", paramLabel = "DIR", description = "output directory (mapper.safetensors, checkpoint; default: "
            + "mappers/<prompt> beside the models folder where that is writable, else in the user's data folder, as the studio)")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (out == null) out = MapperPlaces.defaultFolder(InstalledNetworks.catalog().dir(), prompt);
        AtomicFiles.prepareFolder(out); // before any work: a bad output place is known now, not at the end
        if (epochs < 1 || steps < 1 || batch < 1) throw new IllegalArgumentException("--epochs, --steps and --batch must be >= 1");
        if (!(lr > 0)) throw new IllegalArgumentException("--lr must be > 0");
        if (l2 < 0 || lambdaId < 0) throw new IllegalArgumentException("--l2 and --id-weight must be >= 0");
        if (!(plateauFactor > 0 && plateauFactor < 1)) throw new IllegalArgumentException("--plateau-factor must be in (0, 1)");
        if (plateauPatience < 0) throw new IllegalArgumentException("--plateau-patience must be >= 0");
        boolean[] g = WGroups.flags(WGroups.parse(groups));
        EditRegions chosen = regions.regions();
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (MapperTrainingJob.hasCheckpoint(out)) {
            ObjectNode j = MapperTrainingJob.readCheckpoint(out);
            o.println("Resuming the checkpoint in " + out + " (epoch " + j.path("epoch").asInt() + ").");
        }
        CommandNetworks files = CommandNetworks.find(generator, clip, true, id, lambdaId != 0);
        MapperTrainingJob.Settings s = new MapperTrainingJob.Settings(prompt, epochs, steps, batch, lr, l2, lambdaId, 1.0,
                0.01, g, plateauFactor, plateauPatience, psi, seed, 2).withRegions(chosen);
        // the keep term's LPIPS, only with regions: the models folder's VGG16 (the studio's), else the demo trunk
        Path vgg = chosen == null ? null : InstalledNetworks.find(null, "--lpips-vgg", ModelRole.VGG16, generator.demoNetworks());
        if (chosen != null) new InstalledNetworks.Using().add("LPIPS", vgg).print(err);
        ProgressBar bar = ProgressBar.frames(err, "");
        Trained t;
        try (ComputeService cs = new ComputeService()) {
            memory.applyTo(cs);
            t = cs.run("train-mapper", ctx -> {
                CommandNetworks.Loaded models = files.load(ctx, o, err);
                List<float[]> ws = latents == null ? null : readLatents(latents, models.generator().numWs(), models.generator().wDim());
                Lpips lpips = chosen == null ? null : EditNetworks.lpips(ctx.models(), vgg); // the cache owns it
                MapperTrainingJob job = new MapperTrainingJob(s, new MapperTrainingJob.Networks(models.generator(), models.clip(),
                        models.identity(), ws, lpips), out);
                return new Trained(job.run(ctx), models.demo());
            }, bar);
        }
        bar.end();
        MapperTrainingJob.Result r = t.result();
        o.printf(Locale.ROOT, "Trained %d epochs%s: last epoch loss %.6f, lr %.3g -> %s%s%n", r.epochsDone(),
                r.resumed() ? " (resumed)" : "", r.lastLoss(), r.lr(), r.mapperFile(), t.demo() ? " (" + DemoNetworks.LABEL + ")" : "");
        return 0;
    }

    private record Trained(MapperTrainingJob.Result result, boolean demo) {
    }

    /** Every w in the .npy/.npz files of a folder, as [num_ws·w_dim] rows (a [n, num_ws, w_dim] array gives n rows). */
    static List<float[]> readLatents(Path dir, int numWs, int wDim) throws Exception {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException("--latents " + dir + " is not a directory");
        List<float[]> out = new ArrayList<>();
        int per = numWs * wDim;
        List<Path> files;
        try (var s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".npy") || p.toString().endsWith(".npz")).sorted().toList();
        }
        for (Path f : files) {
            for (Npz.Array a : Npz.read(f).values()) {
                long size = dev.styleclip.io.Tensor.numel(a.shape());
                if (size % per != 0 || a.shape().length < 2 || a.shape()[a.shape().length - 1] != wDim) continue;
                float[] data = a.toFloatArray();
                for (int i = 0; i < size / per; i++) {
                    float[] w = new float[per];
                    System.arraycopy(data, i * per, w, 0, per);
                    out.add(w);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--latents " + dir + " holds no [" + numWs + ", " + wDim + "] latents in .npy/.npz files");
        }
        return out;
    }
}
