package dev.styleclip.cli.common;

import dev.styleclip.edit.EditNetworks;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/** The network files of an editing command (each optional: a demo network); one mixin for every command that edits. */
public final class NetworkOptions {
    @Mixin
    public GeneratorOption generator;

    @Mixin
    public MemoryOption memory;

    @Option(names = "--clip", paramLabel = "C.pt", description = "CLIP ViT checkpoint (default: demo network)")
    public Path clip;

    @Option(names = "--id", paramLabel = "ID.pth", description = "ArcFace IR-SE weights (default: demo network)")
    public Path id;

    @Option(names = "--lpips-vgg", paramLabel = "VGG.pth", description = "torchvision VGG16 weights for LPIPS (default: demo trunk)")
    public Path lpipsVgg;

    public EditNetworks.Files files() {
        for (Path p : new Path[]{clip, id, lpipsVgg}) {
            if (p != null && !Files.isRegularFile(p)) throw new IllegalArgumentException(p + ": no such file");
        }
        return new EditNetworks.Files(generator.source(), clip, id, lpipsVgg);
    }
}
