package dev.styleclip.cli.common;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.model.clip.ClipDemo;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Engines;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.MemoryBudget;
import dev.styleclip.runtime.models.ModelRole;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Consumer;

/** The networks of the mapper / directions commands, with the demo networks when no file is given (labelled). */
public final class EditCliModels implements AutoCloseable {
    public final NDManager manager;
    public final StyleGan3Generator generator;
    public final ClipModel clip;
    public final IdentityLoss idLoss;
    public final boolean demo;
    /** Where the generator came from. */
    public GeneratorSource source;
    /** The CLIP and ID files used (null: the demo network, or not loaded). */
    public Path clipFile;
    public Path idFile;

    private EditCliModels(NDManager manager, StyleGan3Generator generator, ClipModel clip, IdentityLoss idLoss, boolean demo) {
        this.manager = manager;
        this.generator = generator;
        this.clip = clip;
        this.idLoss = idLoss;
        this.demo = demo;
    }

    public static void requireFile(Path p, String option) {
        if (p != null && !Files.isRegularFile(p)) throw new IllegalArgumentException(option + " " + p + ": no such file");
    }

    /**
     * The networks by the discovery rule ({@link InstalledNetworks}: the files given, else the models folder's, else demo
     * networks), after the "using: …" line on {@code err}.
     */
    public static EditCliModels open(GeneratorOption generator, Path clip, Path id, boolean needClip, boolean needId,
                                     PrintWriter out, PrintWriter err) throws Exception {
        boolean demo = generator.demoNetworks();
        GeneratorSource g = generator.source();
        Path c = needClip ? InstalledNetworks.find(clip, "--clip", ModelRole.CLIP, demo) : null;
        Path i = needId ? InstalledNetworks.find(id, "--id", ModelRole.IDENTITY, demo) : null;
        InstalledNetworks.Using using = new InstalledNetworks.Using().add(g);
        if (needClip) using.add("CLIP", c);
        if (needId) using.add("ID", i);
        EditCliModels models = open(g, c, i, needClip, needId, out);
        using.print(err); // once they are open: a bad file stays a one-line error
        return models;
    }

    public static EditCliModels open(GeneratorSource generator, Path clip, Path id, boolean needClip, boolean needId, PrintWriter out)
            throws Exception {
        requireFile(clip, "--clip");
        requireFile(id, "--id");
        Engines.pytorch();
        NDManager m = NDManager.newBaseManager();
        try {
            StyleGan3Generator g = generator.open(m);
            ClipModel c = !needClip ? null : clip == null ? ClipDemo.create(m) : ClipModel.load(ModelFiles.openStore(clip), m);
            IdentityLoss l = !needId ? null : new IdentityLoss(id == null ? IrSeBackbone.demo() : IrSeBackbone.load(id));
            EditCliModels r = new EditCliModels(m, g, c, l, g.isDemo() || (c != null && clip == null) || (l != null && id == null));
            r.source = generator;
            r.clipFile = needClip ? clip : null;
            r.idFile = needId ? id : null;
            if (g.isDemo()) out.println("Using the " + generator.describe() + ": images are patterns, not faces.");
            if (c != null && clip == null) out.println("Using the " + DemoNetworks.LABEL + " CLIP (random weights): edits follow no text.");
            if (l != null && id == null) out.println("Using the " + DemoNetworks.LABEL + " ID backbone (random weights).");
            out.flush();
            return r;
        } catch (Exception | Error e) {
            m.close();
            throw e;
        }
    }

    /** The generator's options for rendering one image at a time within a budget (the plan refuses what cannot fit). */
    public StyleGan3Generator.Options renderOptions(MemoryBudget budget) throws Exception {
        return StyleGan3Generator.Options.with(
                MemoryPlanner.plan(MemoryPlanner.Task.GENERATE, 1, generator, java.util.List.of(), budget).synthesis());
    }

    /** A progress bar on stderr driven by frames. */
    public static Consumer<Frame> progressBar(PrintWriter err, String what) {
        return f -> {
            int width = 30;
            int filled = f.total() > 0 ? (int) Math.min(width, (long) f.step() * width / f.total()) : 0;
            StringBuilder sb = new StringBuilder("\r").append(what).append(" [").append("#".repeat(filled))
                    .append(".".repeat(width - filled)).append("] ").append(f.step()).append('/').append(f.total());
            Double loss = f.losses().get("total");
            if (loss == null) loss = f.losses().get("epoch_loss");
            if (loss != null) sb.append(String.format(Locale.ROOT, " loss %.5f", loss));
            if (!Double.isNaN(f.lr())) sb.append(String.format(Locale.ROOT, " lr %.2g", f.lr()));
            if (f.message() != null) sb.append(' ').append(f.message());
            while (sb.length() < 110) sb.append(' ');
            err.print(sb);
            err.flush();
        };
    }

    @Override
    public void close() {
        if (idLoss != null) {
            idLoss.backbone().close();
            idLoss.close();
        }
        manager.close();
    }
}
