package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.Format;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.TensorStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Opens a StyleGAN3 generator from a file, or the demo network. */
public final class StyleGan3Files {
    private StyleGan3Files() {
    }

    /**
     * Loads {@code G_ema} of a StyleGAN3 network pickle. Also accepted: a safetensors file of {@code G_ema}'s state dict
     * next to a {@code <name>.init_kwargs.json} file (e.g. {@code x.G_ema.safetensors} + {@code x.G_ema.init_kwargs.json}).
     *
     * @throws ModelFileException (one-line message) for missing, unreadable or non-StyleGAN3 files
     */
    public static StyleGan3Generator open(Path file, NDManager manager) throws ModelFileException {
        Found g = find(file);
        return g.kwargs() != null ? StyleGan3Generator.load(g.store(), g.kwargs(), manager) : StyleGan3Generator.load(g.store(), manager);
    }

    /**
     * The architecture of a generator file, from its init kwargs alone: nothing is built and no weight is read (a
     * pickle's tensors stay unread in the memory-mapped file), so it is cheap enough to ask before a job.
     *
     * @throws ModelFileException (one-line message) for missing, unreadable or non-StyleGAN3 files
     */
    public static StyleGan3Config config(Path file) throws ModelFileException {
        Found g = find(file);
        Object kw = g.kwargs() != null ? g.kwargs() : g.store().metadata().get("init_kwargs");
        if (!(kw instanceof Map<?, ?>)) throw new ModelFileException(file, "carries no generator init kwargs");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = (Map<String, Object>) kw;
            return new StyleGan3Config(kwargs);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ModelFileException(file, "has generator init kwargs that cannot be used: " + e.getMessage());
        }
    }

    /** {@code G_ema}'s tensors, and its init kwargs when they come from a file of their own (else in the store's metadata). */
    private record Found(TensorStore store, Map<String, Object> kwargs) {
    }

    private static Found find(Path file) throws ModelFileException {
        Checkpoint cp = ModelFiles.open(file);
        if (cp.format() == Format.SAFETENSORS) {
            String name = file.getFileName().toString();
            String stem = name.endsWith(".safetensors") ? name.substring(0, name.length() - ".safetensors".length()) : name;
            Path kw = file.resolveSibling(stem + ".init_kwargs.json");
            if (!Files.isRegularFile(kw)) {
                throw new ModelFileException(file, "is not a StyleGAN network pickle (safetensors needs " + kw.getFileName()
                        + " beside it)");
            }
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> kwargs = new ObjectMapper().readValue(kw.toFile(), Map.class);
                return new Found(cp.main(), kwargs);
            } catch (IOException e) {
                throw new ModelFileException(kw, "cannot be read: " + e.getMessage().replace('\n', ' '));
            }
        }
        if (cp.format() != Format.STYLEGAN_PICKLE) {
            throw new ModelFileException(file, "is not a StyleGAN network pickle (it is " + cp.format().id() + ")");
        }
        return new Found(cp.objects().containsKey("G_ema") ? cp.object("G_ema") : cp.main(), null);
    }

    /** {@link #open} for a file, or the 256² demo network when {@code file} is null. */
    public static StyleGan3Generator openOrDemo(Path file, NDManager manager) throws ModelFileException {
        return GeneratorSource.fileOrDemo(file).open(manager);
    }
}
