package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFileException;

import java.nio.file.Path;

/**
 * Where a generator comes from: a network file, or a random-weight demo network in one of the published architectures
 * ({@link DemoNetworks#ARCHITECTURES}). What the CLI's {@code --generator FILE} / {@code --demo ARCH} and the studio's
 * generator choice produce.
 */
public record GeneratorSource(Path file, String demo) {
    public GeneratorSource {
        if ((file == null) == (demo == null)) throw new IllegalArgumentException("give either a generator file or a demo architecture");
        if (demo != null) DemoNetworks.kwargs(demo); // validates the name
    }

    /** A network pickle (or safetensors + kwargs). */
    public static GeneratorSource file(Path file) {
        return new GeneratorSource(file, null);
    }

    /** A demo network in a published architecture. */
    public static GeneratorSource demo(String architecture) {
        return new GeneratorSource(null, architecture.trim().toLowerCase(java.util.Locale.ROOT));
    }

    /** The file when given, else the default demo network. */
    public static GeneratorSource fileOrDemo(Path file) {
        return file != null ? file(file) : demo(DemoNetworks.DEFAULT);
    }

    public boolean isDemo() {
        return demo != null;
    }

    /** Loads it; parameters in a sub-manager of {@code manager}. */
    public StyleGan3Generator open(NDManager manager) throws ModelFileException {
        return demo != null ? DemoNetworks.generator(demo, manager) : StyleGan3Files.open(file, manager);
    }

    /**
     * The side of its pictures in pixels, from the architecture alone (the demo's published configuration, a file's
     * init kwargs): nothing is built.
     */
    public int resolution() throws ModelFileException {
        return demo != null ? new StyleGan3Config(DemoNetworks.kwargs(demo)).imgResolution : StyleGan3Files.config(file).imgResolution;
    }

    /** A key that tells sources apart (model caches). */
    public String key() {
        return demo != null ? "demo:" + demo : file.toAbsolutePath().normalize().toString();
    }

    /** For messages and reports: the file, or the demo network's description. */
    public String describe() {
        return demo != null ? DemoNetworks.source(demo) : file.toString();
    }
}
