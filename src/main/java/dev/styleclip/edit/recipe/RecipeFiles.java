package dev.styleclip.edit.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.edit.EditRegions;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recipes on disk. {@code NAME.json} ({@value #FORMAT}, version 1) lists the steps: kind, label, strength, enabled,
 * settings, metrics and the step's data: a W+ offset or a StyleSpace direction by name in the sidecar
 * {@code NAME.latents.npz} (float32, numpy-readable: offsets [1, numWs, wDim], directions [C]), a mapper by path,
 * relative to the recipe's folder when it lies below it; an optimisation step's region choice, when it had one, as
 * {@code "regions"} ({@link EditRegions#toMap}; files written before regions existed have none and read as before). Both files are written atomically, the JSON last, so a recipe
 * that can be read is whole. The step codec is shared with the studio's session files.
 */
public final class RecipeFiles {
    public static final String FORMAT = "styleclip-recipe";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RecipeFiles() {
    }

    /** The sidecar of a recipe or session file: {@code NAME.latents.npz}. */
    public static Path arraysFile(Path json) {
        String n = json.getFileName().toString();
        return json.resolveSibling((n.endsWith(".json") ? n.substring(0, n.length() - 5) : n) + ".latents.npz");
    }

    /** Names the arrays of the steps being written (one name per distinct array object). */
    public static final class ArrayPool {
        private final String prefix;
        private final Map<Object, String> names = new IdentityHashMap<>();
        private final Map<String, Npz.Array> arrays = new LinkedHashMap<>();

        public ArrayPool(String prefix) {
            this.prefix = prefix;
        }

        /** The array's name, adding it on first sight. */
        public String name(float[] data, long... shape) {
            return names.computeIfAbsent(data, k -> {
                String n = prefix + arrays.size();
                arrays.put(n, Npz.Array.of(data, shape));
                return n;
            });
        }

        public Map<String, Npz.Array> arrays() {
            return arrays;
        }
    }

    public static void write(Path json, Recipe r) throws IOException {
        if (r.steps().isEmpty()) throw new IllegalArgumentException("the recipe has no steps");
        Path folder = json.toAbsolutePath().getParent();
        ArrayPool pool = new ArrayPool("a");
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("version", 1);
        if (r.generator() != null) root.put("generator", r.generator());
        root.set("steps", toJson(r.steps(), pool, folder));
        Files.createDirectories(folder);
        Path side = arraysFile(json);
        if (pool.arrays().isEmpty()) Files.deleteIfExists(side);
        else Npz.write(side, pool.arrays());
        AtomicFiles.writeString(json, JSON.writeValueAsString(root));
    }

    public static Recipe read(Path json) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(json.getFileName() + " is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.FileNotFoundException | NoSuchFileException e) {
            throw new IOException(json + ": no such file");
        }
        if (root == null || !FORMAT.equals(root.path("format").asText())) {
            throw new IOException(json.getFileName() + " is not a recipe (no \"format\": \"" + FORMAT + "\")");
        }
        int version = root.path("version").asInt(1);
        if (version > 1) throw new IOException(json.getFileName() + " is recipe version " + version + "; this build reads version 1");
        JsonNode steps = root.path("steps");
        if (!steps.isArray() || steps.isEmpty()) throw new IOException(json.getFileName() + " has no steps");
        Path side = arraysFile(json);
        Map<String, Npz.Array> arrays = Files.exists(side) ? Npz.read(side) : Map.of();
        String gen = root.hasNonNull("generator") ? root.get("generator").asText() : null;
        return new Recipe(gen, fromJson(steps, arrays, json.toAbsolutePath().getParent(), json.getFileName().toString()));
    }

    /** The steps as JSON; arrays go into the pool; mapper paths are written relative to {@code folder} when below it. */
    public static ArrayNode toJson(List<RecipeStep> steps, ArrayPool pool, Path folder) {
        ArrayNode a = JSON.createArrayNode();
        for (RecipeStep e : steps) {
            ObjectNode o = a.addObject();
            o.put("kind", RecipeStep.kind(e)).put("label", e.label()).put("strength", e.strength()).put("enabled", e.enabled());
            o.set("settings", JSON.valueToTree(e.settings() == null ? Map.of() : e.settings()));
            o.set("metrics", JSON.valueToTree(e.metrics() == null ? Map.of() : e.metrics()));
            if (e instanceof RecipeStep.LatentDelta d) {
                o.put("delta", pool.name(d.delta(), 1, d.numWs(), d.wDim()));
                if (d.regions() != null) o.set("regions", JSON.valueToTree(d.regions().toMap()));
            }
            else if (e instanceof RecipeStep.Direction d) o.put("direction", pool.name(d.direction(), d.direction().length));
            else if (e instanceof RecipeStep.Mapper m) o.put("mapper", mapperPath(m.file(), folder));
        }
        return a;
    }

    private static String mapperPath(Path file, Path folder) {
        Path abs = file.toAbsolutePath().normalize();
        if (folder != null && abs.startsWith(folder.toAbsolutePath().normalize())) {
            return folder.toAbsolutePath().normalize().relativize(abs).toString().replace('\\', '/');
        }
        return abs.toString();
    }

    /**
     * Steps from JSON: arrays are looked up by name (their shapes checked), relative mapper paths resolved against
     * {@code folder}. {@code source} names the file in messages.
     */
    @SuppressWarnings("unchecked")
    public static List<RecipeStep> fromJson(JsonNode steps, Map<String, Npz.Array> arrays, Path folder, String source)
            throws IOException {
        List<RecipeStep> out = new ArrayList<>();
        int i = 0;
        for (JsonNode o : steps) {
            i++;
            String label = o.path("label").asText("");
            String where = source + ", step " + i + (label.isEmpty() ? "" : " “" + label + "”");
            Map<String, Object> settings = o.path("settings").isObject() ? JSON.convertValue(o.path("settings"), Map.class) : Map.of();
            Map<String, Double> metrics = new LinkedHashMap<>();
            o.path("metrics").fields().forEachRemaining(f -> metrics.put(f.getKey(), f.getValue().asDouble()));
            JsonNode sn = o.path("strength");
            if (!sn.isMissingNode() && !sn.isNumber()) throw new IOException(where + ": the strength is not a number");
            double s = sn.asDouble(1);
            if (!Double.isFinite(s)) throw new IOException(where + ": the strength is not finite");
            boolean on = o.path("enabled").asBoolean(true);
            String kind = o.path("kind").asText("");
            switch (kind) {
                case "optimisation" -> {
                    Npz.Array d = array(arrays, o.path("delta"), where, 3);
                    long[] sh = d.shape();
                    if (sh[0] != 1) throw new IOException(where + ": the W+ offset has batch " + sh[0] + ", not 1");
                    out.add(new RecipeStep.LatentDelta(label, (int) sh[1], (int) sh[2], d.toFloatArray(), s, on, settings, metrics,
                            regions(o.path("regions"), where)));
                }
                case "direction" -> {
                    Npz.Array d = array(arrays, o.path("direction"), where, 1);
                    out.add(new RecipeStep.Direction(label, d.toFloatArray(), s, on, settings, metrics));
                }
                case "mapper" -> {
                    String p = o.path("mapper").asText("");
                    if (p.isBlank()) throw new IOException(where + ": the mapper step names no mapper file");
                    Path f = Path.of(p);
                    if (!f.isAbsolute() && folder != null) {
                        // relative paths are written only for mappers below the recipe's folder: one that climbs out
                        // of it was not written by this app, and would read whatever file it points at
                        Path base = folder.toAbsolutePath().normalize();
                        f = base.resolve(f).normalize();
                        if (!f.startsWith(base)) throw new IOException(where + ": the mapper path \"" + p + "\" leaves the recipe's folder");
                    }
                    out.add(new RecipeStep.Mapper(label, f, s, on, settings, metrics));
                }
                default -> throw new IOException(where + ": unknown step kind \"" + kind + "\" (optimisation, mapper or direction)");
            }
        }
        return out;
    }

    /** An optimisation step's regions, or null when it has none (older files, edits of the whole face). */
    private static EditRegions regions(JsonNode n, String where) throws IOException {
        if (n.isMissingNode() || n.isNull()) return null;
        if (!n.isObject()) throw new IOException(where + ": its regions are not an object");
        try {
            return EditRegions.fromMap(JSON.convertValue(n, Map.class));
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": " + e.getMessage());
        }
    }

    private static Npz.Array array(Map<String, Npz.Array> arrays, JsonNode name, String where, int rank) throws IOException {
        if (!name.isTextual()) throw new IOException(where + ": the step names no array");
        Npz.Array a = arrays.get(name.asText());
        if (a == null) throw new IOException(where + ": its array " + name.asText() + " is missing from the .latents.npz beside it");
        if (a.shape().length != rank) {
            throw new IOException(where + ": its array " + name.asText() + " has rank " + a.shape().length + ", expected " + rank);
        }
        for (double v : a.toFloatArray()) {
            if (!Double.isFinite(v)) throw new IOException(where + ": its array " + name.asText() + " holds NaN or infinite values");
        }
        return a;
    }
}
