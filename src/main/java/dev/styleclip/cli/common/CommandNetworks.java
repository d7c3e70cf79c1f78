package dev.styleclip.cli.common;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.models.ModelRole;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The generator, CLIP and identity networks of a command that needs some of them (the mapper and directions commands,
 * {@code bench mapper}): which files is settled before any work ({@link InstalledNetworks}' rule); inside the command's
 * job each network comes from its {@link EditNetworks} cache entry, the one loader the studio and every command share.
 * Once they are open the command says which ("using: …" on stderr) and, on its output, which are demo networks.
 */
public final class CommandNetworks {

    /** The open networks; CLIP or identity is null where the command does not use it. The job's cache owns them. */
    public record Loaded(StyleGan3Generator generator, ClipModel clip, IdentityLoss identity, boolean demo) {
    }

    private final GeneratorSource generator;
    private final boolean usesClip;
    private final Path clip;
    private final boolean usesIdentity;
    private final Path identity;

    private CommandNetworks(GeneratorSource generator, boolean usesClip, Path clip, boolean usesIdentity, Path identity) {
        this.generator = generator;
        this.usesClip = usesClip;
        this.clip = clip;
        this.usesIdentity = usesIdentity;
        this.identity = identity;
    }

    /**
     * The files given, else the models folder's (not with {@code --demo-networks}), else the demo networks. A given file
     * that is missing is bad input, named by its option ({@code --clip}, {@code --id}).
     */
    public static CommandNetworks find(GeneratorOption generator, Path clip, boolean usesClip, Path id, boolean usesIdentity) {
        boolean demo = generator.demoNetworks();
        GeneratorSource g = generator.source();
        return new CommandNetworks(g, usesClip, usesClip ? InstalledNetworks.find(clip, "--clip", ModelRole.CLIP, demo) : null,
                usesIdentity, usesIdentity ? InstalledNetworks.find(id, "--id", ModelRole.IDENTITY, demo) : null);
    }

    /** The files given, else the demo networks: the benchmarks', which measure what they are told, never the models folder. */
    public static CommandNetworks explicit(GeneratorSource generator, Path clip, Path id) {
        return new CommandNetworks(generator, true, InstalledNetworks.find(clip, "--clip", ModelRole.CLIP, true),
                true, InstalledNetworks.find(id, "--id", ModelRole.IDENTITY, true));
    }

    public GeneratorSource generator() {
        return generator;
    }

    /** The CLIP file, or null for the demo CLIP (or none used). */
    public Path clipFile() {
        return clip;
    }

    /**
     * Opens the networks on the job's compute thread; then prints the "using: …" line on {@code using} (null: none, the
     * benchmarks' tables say it) and a notice for each demo network on {@code notices}. A bad file fails before either.
     */
    public Loaded load(JobContext ctx, PrintWriter notices, PrintWriter using) throws Exception {
        StyleGan3Generator g = EditNetworks.generator(ctx, generator);
        ClipModel c = usesClip ? EditNetworks.clip(ctx.models(), clip) : null;
        IdentityLoss id = usesIdentity ? EditNetworks.identity(ctx.models(), identity) : null;
        if (using != null) {
            InstalledNetworks.Using line = new InstalledNetworks.Using().add(generator);
            if (usesClip) line.add("CLIP", clip);
            if (usesIdentity) line.add("ID", identity);
            line.print(using);
        }
        boolean clipDemo = usesClip && clip == null;
        boolean idDemo = usesIdentity && identity == null;
        if (generator.isDemo()) notices.println(generatorNotice(generator));
        if (clipDemo) notices.println("Using the " + DemoNetworks.LABEL + " CLIP (random weights): edits follow no text.");
        if (idDemo) notices.println("Using the " + DemoNetworks.LABEL + " ID backbone (random weights).");
        notices.flush();
        return new Loaded(g, c, id, generator.isDemo() || clipDemo || idDemo);
    }

    /** The notice of a demo generator: its pictures are patterns. */
    public static String generatorNotice(GeneratorSource demo) {
        return "Using the " + demo.describe() + ": images are patterns, not faces.";
    }
}
