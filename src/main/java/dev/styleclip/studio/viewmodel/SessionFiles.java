package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.Latent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npz;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.PngExport;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Sessions on disk. A session {@code NAME.json} holds the settings, the prompt history and the whole undo history
 * (sources, edit stacks); beside it {@code NAME.latents.npz} (float32 W+ latents and StyleSpace directions,
 * numpy-readable) and {@code NAME.images.zip} (the pictures as PNG). Every file is written atomically, the JSON last.
 * (Recipes, the edit stack alone, are {@link dev.styleclip.edit.recipe.RecipeFiles}.)
 */
public final class SessionFiles {
    /** Most bytes one stored picture (a PNG the app wrote: at most 1024² RGBA) and all of them may take. */
    private static final int MAX_PICTURE_BYTES = 64 << 20;
    private static final long MAX_PICTURES_BYTES = 1L << 30;

    public static final String FORMAT = "styleclip-session";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SessionFiles() {
    }

    /** A whole session. */
    public record Session(Map<String, Object> settings, List<String> promptHistory, List<Snapshot> history, int index) {
    }

    public static Path latentsFile(Path json) {
        return RecipeFiles.arraysFile(json);
    }

    public static Path imagesFile(Path json) {
        return json.resolveSibling(stem(json) + ".images.zip");
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    /** Gives each distinct latent / picture object one name (the history shares them between states). */
    private static final class Pool<T> {
        final Map<T, String> names = new IdentityHashMap<>();
        final Map<String, T> byName = new LinkedHashMap<>();
        final String prefix;

        Pool(String prefix) {
            this.prefix = prefix;
        }

        String name(T t) {
            if (t == null) return null;
            return names.computeIfAbsent(t, k -> {
                String n = prefix + names.size();
                byName.put(n, k);
                return n;
            });
        }
    }

    public static void save(Path json, Session s) throws IOException {
        Pool<Latent> lat = new Pool<>("w");
        RecipeFiles.ArrayPool steps = new RecipeFiles.ArrayPool("s");
        Pool<Pixels> img = new Pool<>("img");
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT).put("version", 1);
        root.set("settings", JSON.valueToTree(s.settings()));
        root.set("prompt_history", JSON.valueToTree(s.promptHistory()));
        root.put("index", s.index());
        ArrayNode states = root.putArray("history");
        for (Snapshot sn : s.history()) {
            ObjectNode o = states.addObject();
            o.put("action", sn.action());
            o.set("source", JSON.valueToTree(sn.source()));
            o.put("base", lat.name(sn.base()));
            o.put("base_image", img.name(sn.baseImage()));
            o.put("current", img.name(sn.current()));
            o.put("composed", lat.name(sn.composed()));
            o.set("edits", RecipeFiles.toJson(sn.edits(), steps, null));
        }
        Files.createDirectories(json.toAbsolutePath().getParent());
        Map<String, Npz.Array> arrays = new LinkedHashMap<>();
        for (Map.Entry<String, Latent> e : lat.byName.entrySet()) {
            arrays.put(e.getKey(), Npz.Array.of(e.getValue().values(), 1, e.getValue().numWs(), e.getValue().wDim()));
        }
        arrays.putAll(steps.arrays());
        if (arrays.isEmpty()) Files.deleteIfExists(latentsFile(json));
        else Npz.write(latentsFile(json), arrays);
        AtomicFiles.write(imagesFile(json), os -> {
            ZipOutputStream zip = new ZipOutputStream(os);
            for (Map.Entry<String, Pixels> e : img.byName.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".png"));
                ImageIO.write(PngExport.toImage(e.getValue()), "png", zip);
                zip.closeEntry();
            }
            zip.finish();
        });
        AtomicFiles.writeString(json, JSON.writeValueAsString(root));
    }

    @SuppressWarnings("unchecked")
    public static Session open(Path json) throws IOException {
        JsonNode root = readJson(json, FORMAT);
        Path side = latentsFile(json);
        Map<String, Npz.Array> arrays = Files.exists(side) ? Npz.read(side) : Map.of();
        Map<String, Latent> lat = new LinkedHashMap<>();
        for (Map.Entry<String, Npz.Array> e : arrays.entrySet()) {
            long[] sh = e.getValue().shape();
            if (sh.length == 3 && sh[0] == 1) lat.put(e.getKey(), new Latent((int) sh[1], (int) sh[2], e.getValue().toFloatArray()));
        }
        Map<String, Pixels> img = new LinkedHashMap<>();
        Path zipFile = imagesFile(json);
        if (Files.exists(zipFile)) {
            try (InputStream in = Files.newInputStream(zipFile); ZipInputStream zip = new ZipInputStream(in)) {
                ZipEntry e;
                long total = 0;
                while ((e = zip.getNextEntry()) != null) {
                    // inflated with a ceiling: an entry may claim nothing and inflate a thousandfold
                    byte[] b = zip.readNBytes(MAX_PICTURE_BYTES + 1);
                    total += b.length;
                    if (b.length > MAX_PICTURE_BYTES || total > MAX_PICTURES_BYTES) {
                        throw new IOException(zipFile.getFileName() + ": " + e.getName() + " is larger than a session's pictures are");
                    }
                    BufferedImage bi;
                    try {
                        bi = dev.styleclip.image.Images.decodePng(b, zipFile.getFileName() + ": " + e.getName());
                    } catch (dev.styleclip.image.ImageFileException ex) {
                        throw new IOException(ex.getMessage(), ex);
                    }
                    int w = bi.getWidth(), h = bi.getHeight();
                    int[] argb = bi.getRGB(0, 0, w, h, null, 0, w);
                    img.put(e.getName().replaceFirst("\\.png$", ""), new Pixels(w, h, argb));
                }
            }
        }
        Map<String, Object> settings = JSON.convertValue(root.path("settings"), Map.class);
        List<String> hist = JSON.convertValue(root.path("prompt_history"), List.class);
        List<Snapshot> states = new ArrayList<>();
        for (JsonNode o : root.path("history")) {
            SourceState src = JSON.treeToValue(o.path("source"), SourceState.class);
            states.add(new Snapshot(src, ref(lat, o.path("base")), ref(img, o.path("base_image")),
                    RecipeFiles.fromJson(o.path("edits"), arrays, json.toAbsolutePath().getParent(), json.getFileName().toString()),
                    ref(img, o.path("current")), ref(lat, o.path("composed")), o.path("action").asText("")));
        }
        if (states.isEmpty()) throw new IOException(json.getFileName() + " holds no state");
        return new Session(settings == null ? Map.of() : settings, hist == null ? List.of() : hist, states,
                root.path("index").asInt(states.size() - 1));
    }

    private static <T> T ref(Map<String, T> pool, JsonNode n) throws IOException {
        if (n.isNull() || n.isMissingNode()) return null;
        T t = pool.get(n.asText());
        if (t == null) throw new IOException("the session refers to " + n.asText() + ", which its side files lack");
        return t;
    }

    private static JsonNode readJson(Path json, String format) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(json.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(json.getFileName() + " is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !format.equals(root.path("format").asText())) {
            throw new IOException(json.getFileName() + " is not a " + format + " file");
        }
        return root;
    }

}
