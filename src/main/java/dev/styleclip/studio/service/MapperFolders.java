package dev.styleclip.studio.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.TensorStore;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Trained mappers on disk, as plain data for the view models: the mappers folder beside the models folder, one folder
 * per prompt ({@code <mappers>/<slug of the prompt>/mapper.safetensors}), the description a mapper file carries
 * (prompt, groups, epoch in its safetensors metadata) and what a folder's {@code checkpoint.json} says about the run it
 * would resume. Only headers and small JSON files are read.
 */
public final class MapperFolders {
    private MapperFolders() {
    }

    /** A trained mapper file and what it says about itself. */
    public record MapperInfo(Path file, String prompt, int epoch, String groups) {
        /** One line for lists: “prompt” · groups · epochs, and the folder. */
        public String label() {
            return "“" + prompt + "” · " + (groups.isEmpty() ? "?" : groups) + (epoch > 0 ? " · " + epoch + " epochs" : "");
        }
    }

    /** The resumable state of a folder: the epoch reached and the settings a resume must keep. */
    public record Checkpoint(Path folder, String prompt, int epoch, int epochs, int stepsPerEpoch, int batch, long seed,
                             double psi, String groups) {
    }

    /** The mapper file of a folder, or the file itself. */
    public static Path mapperFile(Path fileOrFolder) {
        return Files.isDirectory(fileOrFolder) ? fileOrFolder.resolve(MapperTrainingJob.MAPPER_FILE) : fileOrFolder;
    }

    /** Reads a mapper file's header (a folder: its {@code mapper.safetensors}); refuses files that hold no mapper. */
    public static MapperInfo read(Path fileOrFolder) throws IOException {
        Path file = mapperFile(fileOrFolder);
        if (!Files.isRegularFile(file)) throw new IOException(fileOrFolder + " holds no " + MapperTrainingJob.MAPPER_FILE);
        TensorStore t = Safetensors.read(file);
        if (t.names().stream().noneMatch(n -> n.contains("mapping."))) {
            throw new IOException(file.getFileName() + " is not a latent mapper (no mapping layers in it)");
        }
        Map<String, Object> meta = t.metadata();
        String prompt = String.valueOf(meta.getOrDefault("prompt", file.toAbsolutePath().getParent().getFileName()));
        int epoch;
        try {
            epoch = Integer.parseInt(String.valueOf(meta.getOrDefault("epoch", "0")));
        } catch (NumberFormatException e) {
            epoch = 0;
        }
        return new MapperInfo(file.toAbsolutePath().normalize(), prompt, epoch, String.valueOf(meta.getOrDefault("groups", "")));
    }

    /** The mappers in the sub-folders of {@code root} (unreadable ones are left out), by prompt. */
    public static List<MapperInfo> scan(Path root) {
        List<MapperInfo> out = new ArrayList<>();
        if (root == null || !Files.isDirectory(root)) return out;
        try (var dirs = Files.list(root)) {
            for (Path d : (Iterable<Path>) dirs::iterator) {
                if (!Files.isRegularFile(d.resolve(MapperTrainingJob.MAPPER_FILE))) continue;
                try {
                    out.add(read(d));
                } catch (IOException | RuntimeException e) {
                    // a broken file is not a mapper to offer
                }
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(Comparator.comparing(MapperInfo::prompt).thenComparing(MapperInfo::file));
        return out;
    }

    /** What a folder's checkpoint would resume, or empty when it holds none (or an unreadable one). */
    public static Optional<Checkpoint> checkpoint(Path folder) {
        if (folder == null || !MapperTrainingJob.hasCheckpoint(folder)) return Optional.empty();
        try {
            JsonNode j = MapperTrainingJob.readCheckpoint(folder);
            JsonNode s = j.path("settings");
            return Optional.of(new Checkpoint(folder, j.path("prompt").asText(""), j.path("epoch").asInt(),
                    s.path("epochs").asInt(), s.path("steps_per_epoch").asInt(), s.path("batch").asInt(),
                    s.path("seed").asLong(), s.path("psi").asDouble(Double.NaN), s.path("groups").asText("")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
