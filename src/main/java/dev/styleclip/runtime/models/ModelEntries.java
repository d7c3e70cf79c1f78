package dev.styleclip.runtime.models;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The catalog of official model files, read from the resource {@value #RESOURCE}. */
public final class ModelEntries {

    public static final String RESOURCE = "/dev/styleclip/models/catalog.json";
    private static volatile List<ModelEntry> all;

    private ModelEntries() {
    }

    /** Every entry, in catalog order. */
    public static List<ModelEntry> all() {
        List<ModelEntry> a = all;
        if (a == null) {
            try (InputStream in = ModelEntries.class.getResourceAsStream(RESOURCE)) {
                if (in == null) throw new IllegalStateException("resource " + RESOURCE + " is missing");
                a = parse(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
            all = a;
        }
        return a;
    }

    /** Parses a catalog document ({@code {"version":1,"models":[...]}}). */
    public static List<ModelEntry> parse(InputStream in) throws IOException {
        ObjectMapper m = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        JsonNode root = m.readTree(in);
        List<ModelEntry> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (JsonNode n : root.path("models")) {
            ModelEntry e = m.treeToValue(n, ModelEntry.class);
            if (!names.add(e.name())) throw new IOException("duplicate catalog name " + e.name());
            out.add(e);
        }
        return List.copyOf(out);
    }

    /** The entry of a name (case-insensitive; also accepts the file name, e.g. {@code ViT-B-32.pt}). */
    /** The recommended set that can be downloaded by a program (the manual ones sit behind share links). */
    public static List<ModelEntry> recommended() {
        return all().stream().filter(e -> e.isDefault() && !e.manual()).toList();
    }

    public static Optional<ModelEntry> find(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (ModelEntry e : all()) if (e.name().toLowerCase(Locale.ROOT).equals(n)) return Optional.of(e);
        for (ModelEntry e : all()) {
            if (e.fileName().toLowerCase(Locale.ROOT).equals(n) || e.file().toLowerCase(Locale.ROOT).equals(n)) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The entry of a name, or an exception listing the names. */
    public static ModelEntry require(String name) throws ModelsException {
        return find(name).orElseThrow(() -> new ModelsException("no model named '" + name + "' in the catalog; "
                + "./styleclip models list shows the names"));
    }
}
