package dev.styleclip.io;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a model file holds once read: one or more named tensor stores (a StyleGAN snapshot has {@code G_ema}, {@code G},
 * {@code D}; other formats one, named {@link #MAIN}) and any top-level non-tensor information as plain data.
 */
public final class Checkpoint {
    /** The object name of single-object formats. */
    public static final String MAIN = "";

    private final Path file;
    private final Format format;
    private final Map<String, TensorStore> objects;
    private final Map<String, Object> info;
    private final String primary;

    public Checkpoint(Path file, Format format, Map<String, TensorStore> objects, String primary, Map<String, Object> info) {
        this.file = file;
        this.format = format;
        this.objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
        this.primary = primary;
        this.info = info == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(info));
    }

    public static Checkpoint single(Path file, TensorStore store) {
        return new Checkpoint(file, store.format(), Map.of(MAIN, store), MAIN, null);
    }

    public Path file() {
        return file;
    }

    public Format format() {
        return format;
    }

    /** The store a user means by default: {@code G_ema} for StyleGAN snapshots, the only store otherwise. */
    public TensorStore main() {
        return objects.get(primary);
    }

    /** The names of the objects held (e.g. G_ema, G, D). */
    public Map<String, TensorStore> objects() {
        return objects;
    }

    /** An object by name. @throws ModelFileException when the file has no such object */
    public TensorStore object(String name) throws ModelFileException {
        TensorStore s = objects.get(name);
        if (s == null) throw new ModelFileException(file, "holds no object '" + name + "' (it has " + objects.keySet() + ")");
        return s;
    }

    /**
     * The other top-level entries (e.g. a snapshot's training_set_kwargs, an encoder checkpoint's opts and latent_avg)
     * as plain data: String, Number, Boolean, null, List, Map; tensors among them (e.g. {@code latent_avg}) are
     * {@link Tensor} values named by their key path.
     */
    public Map<String, Object> info() {
        return info;
    }
}
