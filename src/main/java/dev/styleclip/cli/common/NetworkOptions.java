package dev.styleclip.cli.common;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.runtime.models.ModelRole;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The network files of an editing command, one mixin for every command that edits: each given file, else the one
 * installed in the models folder, else a demo network ({@link InstalledNetworks}).
 */
public final class NetworkOptions {
    @Mixin
    public GeneratorOption generator;

    @Mixin
    public MemoryOption memory;

    @Option(names = "--clip", paramLabel = "C.pt", description = "CLIP ViT checkpoint (default: the models folder's, else a demo network)")
    public Path clip;

    @Option(names = "--id", paramLabel = "ID.pth", description = "ArcFace IR-SE weights (default: the models folder's, else a demo network)")
    public Path id;

    @Option(names = "--lpips-vgg", paramLabel = "VGG.pth",
            description = "torchvision VGG16 weights for LPIPS (default: the models folder's, else a demo trunk)")
    public Path lpipsVgg;

    /** The files the command uses (explicit, else installed, else null: demo); missing given files are bad input. */
    public EditNetworks.Files files() {
        boolean demo = generator.demoNetworks();
        return new EditNetworks.Files(generator.source(), InstalledNetworks.find(clip, "--clip", ModelRole.CLIP, demo),
                InstalledNetworks.find(id, "--id", ModelRole.IDENTITY, demo),
                InstalledNetworks.find(lpipsVgg, "--lpips-vgg", ModelRole.VGG16, demo));
    }

    /** The files given, demo networks for the rest (the benchmarks': they never read the models folder). */
    public EditNetworks.Files explicitFiles() {
        for (Path p : new Path[]{clip, id, lpipsVgg}) {
            if (p != null && !Files.isRegularFile(p)) throw new IllegalArgumentException(p + ": no such file");
        }
        return new EditNetworks.Files(generator.explicitOrDemo(), clip, id, lpipsVgg);
    }

    /** Prints the "using: …" line of these files on {@code err}. */
    public static void printUsing(EditNetworks.Files f, PrintWriter err) {
        new InstalledNetworks.Using().add(f.generator()).add("CLIP", f.clip()).add("ID", f.id()).add("LPIPS", f.lpipsVgg()).print(err);
    }
}
