package dev.styleclip.runtime.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * {@code models/.verified.json}: the sha256 and size of every file that was installed and checked, keyed by its path in
 * the models folder. For files whose hash is not published it is the reference recorded on the first verified download.
 */
public final class VerifiedStore {

    /** One record. */
    public record Record(String file, String sha256, long size, String source, String verified, boolean published,
                         Map<String, String> files) {
    }

    public static final String FILE_NAME = ".verified.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path path;

    public VerifiedStore(Path modelsDir) {
        this.path = modelsDir.resolve(FILE_NAME);
    }

    public Path path() {
        return path;
    }

    public synchronized Optional<Record> get(String file) throws IOException {
        JsonNode n = read().get(file);
        if (n == null || !n.isObject()) return Optional.empty();
        Map<String, String> files = n.has("files")
                ? JSON.convertValue(n.get("files"), JSON.getTypeFactory().constructMapType(Map.class, String.class, String.class))
                : Map.of();
        return Optional.of(new Record(file, n.path("sha256").asText(null), n.path("size").asLong(-1),
                n.path("source").asText(null), n.path("verified").asText(null), n.path("published").asBoolean(false), files));
    }

    public synchronized void put(String file, String sha256, long size, String source, boolean published,
                                 Map<String, String> files) throws IOException {
        ObjectNode root = read();
        ObjectNode n = root.putObject(file);
        n.put("sha256", sha256);
        n.put("size", size);
        if (source != null) n.put("source", source);
        n.put("verified", Instant.now().toString());
        n.put("published", published);
        if (files != null && !files.isEmpty()) {
            ObjectNode f = n.putObject("files");
            files.forEach(f::put);
        }
        AtomicFiles.writeString(path, JSON.writeValueAsString(root) + "\n");
    }

    public synchronized void remove(String file) throws IOException {
        ObjectNode root = read();
        if (root.remove(file) != null) AtomicFiles.writeString(path, JSON.writeValueAsString(root) + "\n");
    }

    private ObjectNode read() throws IOException {
        if (!Files.isRegularFile(path)) return JSON.createObjectNode();
        try {
            JsonNode n = JSON.readTree(path.toFile());
            return n instanceof ObjectNode ? (ObjectNode) n : JSON.createObjectNode();
        } catch (IOException e) {
            throw new ModelsException(path + " is not valid JSON (" + e.getMessage().lines().findFirst().orElse("")
                    + "); delete it to re-record the hashes");
        }
    }
}
