package dev.styleclip.edit.mapper;

import dev.styleclip.runtime.models.ModelCatalog;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Locale;

/**
 * Where trained mappers live by default, the one rule of the studio's Mapper tab and {@code train-mapper}: a folder per
 * prompt ({@link #slug}) under {@link #defaultRoot} — never inside the application's own folder.
 */
public final class MapperPlaces {
    private MapperPlaces() {
    }

    /** {@code mappers/} beside the models folder ({@link ModelCatalog#besideModels}). */
    public static Path defaultRoot(Path modelsDir) {
        return ModelCatalog.besideModels(modelsDir, "mappers");
    }

    /** The folder a prompt trains into by default: {@code <defaultRoot>/<slug of the prompt>}. */
    public static Path defaultFolder(Path modelsDir, String prompt) {
        return defaultRoot(modelsDir).resolve(slug(prompt));
    }

    /** A folder name for a prompt: lower-case ASCII letters and digits joined by '-', at most 60 characters. */
    public static String slug(String prompt) {
        String s = prompt == null ? "" : Normalizer.normalize(prompt, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
        s = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (s.length() > 60) s = s.substring(0, 60).replaceAll("-+$", "");
        return s.isEmpty() ? "mapper" : s;
    }
}
