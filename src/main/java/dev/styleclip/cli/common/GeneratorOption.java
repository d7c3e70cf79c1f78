package dev.styleclip.cli.common;

import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --generator FILE}, {@code --demo ARCH} or {@code --demo-networks}: the generator of every command that runs one
 * (a picocli mixin); without them, the one installed in the models folder ({@link InstalledNetworks}).
 */
public final class GeneratorOption {
    @Option(names = "--generator", paramLabel = "G.pkl",
            description = "StyleGAN3 network pickle (default: the one in the models folder, else a demo network)")
    Path file;

    @Option(names = "--demo", paramLabel = "ARCH", description = "random-weight demo network in a published architecture: "
            + "stylegan3-t-256 (default), stylegan3-t-512, stylegan3-t-1024, stylegan3-r-256, stylegan3-r-512, stylegan3-r-1024")
    String demo;

    @Option(names = "--demo-networks", description = "demo networks (random weights) for every network not given as a file, "
            + "whatever the models folder holds")
    boolean demoNetworks;

    /** The choice (explicit, else installed, else demo); bad combinations and missing files are bad input. */
    public GeneratorSource source() {
        return InstalledNetworks.generator(file, demo, demoNetworks);
    }

    /** Whether the models folder is to be skipped ({@code --demo-networks}). */
    public boolean demoNetworks() {
        return demoNetworks;
    }

    /** The benchmarks' choice: the file or architecture given, else the default demo network (never the models folder). */
    public GeneratorSource explicitOrDemo() {
        if (file != null && demo != null) throw new IllegalArgumentException("give --generator FILE or --demo ARCH, not both");
        if (file != null) {
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--generator " + file + ": no such file");
            return GeneratorSource.file(file);
        }
        return GeneratorSource.demo(demo != null ? demo : DemoNetworks.DEFAULT);
    }
}
