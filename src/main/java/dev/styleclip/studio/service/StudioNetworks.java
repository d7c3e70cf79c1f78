package dev.styleclip.studio.service;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.models.ModelRole;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks the studio's jobs run with: the files the models folder holds (through its {@link ModelCatalog}) and the
 * generator the user chose — an installed file, or a demo architecture in place of them. Every feature service asks
 * here when it builds a job, so the generator chosen on the Source tab is the one every tab's next job uses.
 */
final class StudioNetworks {
    private final ModelCatalog catalog;
    /** A demo architecture the user chose over the installed files, or null. */
    private volatile GeneratorSource chosenDemo;
    private volatile Resolution resolution;

    StudioNetworks(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    /** The generator in use: a chosen demo network, else the chosen or installed file, else the default demo. */
    GeneratorSource generator() {
        GeneratorSource d = chosenDemo;
        return d != null ? d : GeneratorSource.fileOrDemo(file(ModelRole.GENERATOR));
    }

    /**
     * The side of the pictures of the generator in use, from its architecture (nothing is built); 0 when its file
     * cannot be read (the next job says why). A file is read once, and again when it changes.
     */
    int generatorResolution() {
        GeneratorSource gen = generator();
        long modified = modified(gen);
        Resolution known = resolution;
        if (known != null && known.source().equals(gen) && known.modified() == modified) return known.pixels();
        int pixels;
        try {
            pixels = gen.resolution();
        } catch (IOException e) {
            pixels = 0;
        }
        resolution = new Resolution(gen, modified, pixels);
        return pixels;
    }

    /** The last generator asked about, its file's time stamp and its resolution. */
    private record Resolution(GeneratorSource source, long modified, int pixels) {
    }

    private static long modified(GeneratorSource gen) {
        try {
            return gen.isDemo() ? 0 : Files.getLastModifiedTime(gen.file()).toMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The installed generator files, then the demo networks in the published architectures. */
    List<GeneratorSource> generators() {
        List<GeneratorSource> out = new ArrayList<>();
        for (Path p : catalog.findAll(ModelRole.GENERATOR)) out.add(GeneratorSource.file(p));
        out.addAll(DemoNetworks.ARCHITECTURES.stream().map(GeneratorSource::demo).toList());
        return out;
    }

    /** Makes {@code source} the generator in use (null: the catalog's default); a file becomes the catalog's choice. */
    void choose(GeneratorSource source) {
        if (source != null && source.isDemo()) {
            chosenDemo = source;
        } else {
            chosenDemo = null;
            catalog.prefer(ModelRole.GENERATOR, source == null ? null : source.file());
        }
    }

    /** The installed file of {@code role}, or null (then a job uses the demo network, or does without). */
    Path file(ModelRole role) {
        return catalog.find(role).orElse(null);
    }

    /** face-api's model folder, or null when it is not installed. */
    Path faceApiDir() {
        return catalog.faceApiDir().orElse(null);
    }

    /** The networks a photo becomes a latent with: the generator in use, the encoder, VGG16, ArcFace, face-api. */
    PhotoImport.Networks photoNetworks() {
        return new PhotoImport.Networks(generator(), file(ModelRole.ENCODER), file(ModelRole.VGG16), file(ModelRole.IDENTITY),
                faceApiDir());
    }

    /** The networks of an edit: the generator in use (a chosen demo architecture too), CLIP, ArcFace and VGG16. */
    EditNetworks.Files editFiles() {
        return new EditNetworks.Files(generator(), file(ModelRole.CLIP), file(ModelRole.IDENTITY), file(ModelRole.VGG16));
    }

    /** "sg3.pkl"; "demo network", with the architecture when it is not the default one. */
    static String label(GeneratorSource source) {
        if (!source.isDemo()) return source.file().getFileName().toString();
        return source.demo().equals(DemoNetworks.DEFAULT) ? DemoNetworks.LABEL : DemoNetworks.LABEL + " (" + source.demo() + ")";
    }
}
