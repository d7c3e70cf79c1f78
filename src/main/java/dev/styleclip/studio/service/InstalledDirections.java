package dev.styleclip.studio.service;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.directions.DirectionFiles;
import dev.styleclip.edit.directions.DirectionsPrepareJob;
import dev.styleclip.edit.directions.GlobalDirections;
import dev.styleclip.edit.directions.Precision;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Job;
import dev.styleclip.studio.service.DirectionsPort.DirectionsInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The global directions of the models folder's generator + CLIP pair: their cache folder per precision (the key made
 * from the two files, demo networks named as the CLI names them, so a preparation made by {@code directions prepare}
 * is found here too), whether a preparation finished, the line the Directions panel shows, and the preparation and
 * import jobs that write there.
 */
final class InstalledDirections {
    private final GeneratorSource generator;
    private final Path generatorFile;
    private final Path clipFile;

    /** The generator in use (a file or a demo architecture); the CLIP file may be null: the demo network. */
    InstalledDirections(GeneratorSource generator, Path clipFile) {
        this.generator = generator;
        this.generatorFile = generator.isDemo() ? null : generator.file();
        this.clipFile = clipFile;
    }

    Path dir(Precision precision) throws IOException {
        return DirectionFiles.cacheDir(generatorFile, clipFile, generatorSource(), clipSource(), precision);
    }

    /** The finished directions (default precision first, then the other), or null. */
    Path result() throws IOException {
        return DirectionFiles.preparedResult(generatorFile, clipFile, generatorSource(), clipSource());
    }

    /** {@link #result()}, or the reason there is none as the panel shows it. */
    Path requireResult() {
        Path file;
        try {
            file = result();
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage());
        }
        if (file == null) throw new IllegalStateException(info().description());
        return file;
    }

    /** As the CLI names it ({@code --demo ARCH} or the file), so both find the same cache folder. */
    private String generatorSource() {
        return generator.isDemo() ? DemoNetworks.source(generator.demo()) : generatorFile.toString();
    }

    private String clipSource() {
        return clipFile == null ? "demo" : clipFile.toString();
    }

    DirectionsInfo info() {
        try {
            Path dir = dir(Precision.DEFAULT);
            Path f = result();
            if (f != null) {
                return new DirectionsInfo(true, f.getParent(), "channel effects ready (" + (Files.size(f) >> 10) + " KiB in "
                        + f.getParent().getFileName() + ")");
            }
            boolean partial = false;
            for (Precision p : Precision.values()) partial |= Files.isDirectory(dir(p));
            return new DirectionsInfo(false, dir, "channel effects not prepared for this generator + CLIP"
                    + (partial ? " (a stopped preparation will resume)" : "") + ": Prepare, or Import stylegan3-editing's files");
        } catch (IOException e) {
            return new DirectionsInfo(false, null, "channel effects: " + e.getMessage());
        }
    }

    /** The channel sweep over {@code images} sampled faces, the other settings the reference's (precision null: the default). */
    Job<Path> prepare(EditNetworks.Files files, int images, Precision precision) {
        return ctx -> {
            EditNetworks nets = EditNetworks.load(ctx.models(), files);
            StyleGan3Generator g = nets.generator();
            DirectionsPrepareJob.Settings d = DirectionsPrepareJob.Settings.defaults();
            Precision p = precision == null ? d.precision() : precision;
            DirectionsPrepareJob job = new DirectionsPrepareJob(g, nets.clip(), new DirectionsPrepareJob.Settings(d.seed(),
                    Math.max(2, images), d.psi(), DirectionsPrepareJob.Settings.cutoff(g), d.strength(), d.chunk(), p), dir(p));
            return job.run(ctx);
        };
    }

    /** stylegan3-editing's published files from {@code folder}, checked against the generator's channel count. */
    Job<Path> importPublished(Path folder) {
        return ctx -> {
            StyleGan3Generator g = EditNetworks.generator(ctx, generator);
            Path target = dir(Precision.DEFAULT).resolve(DirectionsPrepareJob.RESULT);
            Files.createDirectories(target.getParent());
            DirectionFiles.importPublished(folder, target, GlobalDirections.channelCount(g));
            return target;
        };
    }
}
