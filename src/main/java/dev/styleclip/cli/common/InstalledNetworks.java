package dev.styleclip.cli.common;

import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.models.ModelRole;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The one rule by which every command finds its networks, the studio's: a file given on the command line first, else
 * the file installed in the models folder ({@link ModelCatalog#standard()}: {@code -Dstyleclip.models}, the checkout's
 * or the installed app's {@code models/}; face-api also in its own folders), else the demo network (random weights).
 * {@code --demo-networks} skips the models folder. {@link Using} is the one "using: …" line a command prints on stderr.
 */
public final class InstalledNetworks {
    private InstalledNetworks() {
    }

    /** The models folder's catalog, as the studio opens it. */
    public static ModelCatalog catalog() {
        return ModelCatalog.standard();
    }

    /**
     * The file for a role: {@code explicit} (checked: a missing file is bad input, named as {@code option}), else the
     * installed one unless {@code demo}, else null (the demo network).
     */
    public static Path find(Path explicit, String option, ModelRole role, boolean demo) {
        if (explicit != null) {
            if (!Files.isRegularFile(explicit)) throw new IllegalArgumentException(option + " " + explicit + ": no such file");
            return explicit;
        }
        return demo ? null : catalog().find(role).orElse(null);
    }

    /**
     * face-api's model folder: {@code explicit} (checked: a folder, named as {@code option} when it is not; the npm
     * package's root or its {@code model/} folder), else the one the catalog finds as the studio does (installed in the
     * models folder, then {@code -Dfaceapi.dir}, {@code STYLECLIP_FACEAPI_DIR}, the cache {@code scripts/fetch-face-api}
     * fills), else null: not installed. face-api has no demo network, so {@code --demo-networks} does not apply.
     */
    public static Path faceApi(Path explicit, String option) {
        if (explicit == null) return catalog().faceApiDir().orElse(null);
        if (!Files.isDirectory(explicit)) throw new IllegalArgumentException(option + " " + explicit + " is not a folder");
        Path inner = explicit.resolve("model");
        String marker = ModelRole.FACE_API.marker();
        return !Files.isRegularFile(explicit.resolve(marker)) && Files.isRegularFile(inner.resolve(marker)) ? inner : explicit;
    }

    /**
     * {@link #faceApi}, where a command cannot go on without it: not installed is bad input that says how to install
     * it, and what else the command takes ({@code otherwise}, e.g. the face's points; null: nothing).
     */
    public static Path requireFaceApi(Path explicit, String option, String otherwise) {
        Path dir = faceApi(explicit, option);
        if (dir == null) {
            throw new IllegalArgumentException("face-api's networks are not installed: ./styleclip models fetch face-api"
                    + " (or scripts/fetch-face-api), or give their folder with " + option + " DIR"
                    + (otherwise == null ? "" : "; or " + otherwise));
        }
        return dir;
    }

    /** The generator: {@code --generator}, {@code --demo ARCH}, else the installed one (unless {@code demo}), else the default demo. */
    public static GeneratorSource generator(Path explicit, String demoArch, boolean demo) {
        if (explicit != null && demoArch != null) throw new IllegalArgumentException("give --generator FILE or --demo ARCH, not both");
        if (demoArch != null) return GeneratorSource.demo(demoArch);
        Path f = find(explicit, "--generator", ModelRole.GENERATOR, demo);
        return f != null ? GeneratorSource.file(f) : GeneratorSource.demo(DemoNetworks.DEFAULT);
    }

    /** The "using: generator G.pkl · CLIP demo · …" line: which network each part of a command runs. */
    public static final class Using {
        private final List<String> parts = new ArrayList<>();

        /** A network read from {@code file}, or its demo network when null. */
        public Using add(String what, Path file) {
            parts.add(what + " " + (file == null ? "demo" : name(file)));
            return this;
        }

        /** The generator: its file, or "demo ARCH". */
        public Using add(GeneratorSource g) {
            parts.add("generator " + (g.isDemo() ? "demo " + g.demo() : name(g.file())));
            return this;
        }

        /** The line, e.g. {@code using: generator stylegan3-t-ffhqu-256x256.pkl · CLIP ViT-B-32.pt · ID demo}. */
        public String line() {
            return "using: " + String.join(" · ", parts);
        }

        /** Prints the line on {@code err} (stderr: stdout stays the command's output). */
        public void print(PrintWriter err) {
            err.println(line());
            err.flush();
        }

        private static String name(Path p) {
            Path n = p.getFileName();
            String s = n == null ? p.toString() : n.toString();
            // face-api's file is the manifest inside its folder: name the folder
            if (s.equals(ModelRole.FACE_API.marker()) && p.getParent() != null) s = p.getParent().toString();
            StringBuilder sb = new StringBuilder(s.length());
            s.codePoints().forEach(c -> {
                if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
                else sb.appendCodePoint(c);
            });
            return sb.toString();
        }
    }
}
