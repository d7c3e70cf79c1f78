package dev.styleclip.runtime.models;


import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of model files the app uses and where it looks for them ({@code models/} beside the app, or the folder
 * named by the system property {@code styleclip.models}). Without real files the app runs on demo networks.
 * The official files, with their sources and hashes, are the {@link ModelEntries catalog}; {@link #installer()} downloads,
 * imports and verifies them.
 */
public final class ModelCatalog {

    /** What was found for one role. */
    public record Status(ModelRole role, Optional<Path> file) {
        public boolean installed() {
            return file.isPresent();
        }
    }

    private final Path dir;

    private final java.util.Map<ModelRole, Path> preferred = new java.util.concurrent.ConcurrentHashMap<>();

    public ModelCatalog(Path dir) {
        this.dir = dir;
    }

    /** The catalog of the default models folder. */
    public static ModelCatalog standard() {
        return new ModelCatalog(defaultDir());
    }

    /**
     * The models folder: the system property {@code styleclip.models} if set; in an installed package
     * ({@code styleclip.packaged=true}, whose own folder is read-only) the user's data folder
     * ({@code $XDG_DATA_HOME/styleclip/models}, default {@code ~/.local/share/styleclip/models}; on Windows
     * {@code %LOCALAPPDATA%\StyleCLIP Studio\models}; on macOS {@code ~/Library/Application Support/StyleCLIP Studio/models});
     * otherwise {@code models/} under {@code styleclip.home} (the checkout, set by {@code ./styleclip}) or the working folder.
     */
    public static Path defaultDir() {
        String p = System.getProperty("styleclip.models");
        if (p != null && !p.isBlank()) return Paths.get(p).toAbsolutePath();
        if (Boolean.getBoolean("styleclip.packaged")) return userDataDir().resolve("models");
        String home = System.getProperty("styleclip.home");
        return (home != null ? Paths.get(home) : Paths.get("")).resolve("models").toAbsolutePath();
    }

    /** The per-user data folder of an installed app. */
    public static Path userDataDir() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        Path userHome = Paths.get(System.getProperty("user.home"));
        if (os.contains("win")) {
            String local = System.getenv("LOCALAPPDATA");
            return (local != null ? Paths.get(local) : userHome.resolve("AppData").resolve("Local")).resolve("StyleCLIP Studio");
        }
        if (os.contains("mac")) return userHome.resolve("Library").resolve("Application Support").resolve("StyleCLIP Studio");
        String xdg = System.getenv("XDG_DATA_HOME");
        return (xdg != null && !xdg.isBlank() ? Paths.get(xdg) : userHome.resolve(".local").resolve("share")).resolve("styleclip");
    }

    /**
     * A folder of the app's own files ({@code mappers}, {@code sessions}) beside the models folder when that place is
     * writable (the checkout, or the user's data folder of an installed app), else in the user's data folder — never
     * inside the application's own folder.
     */
    public static Path besideModels(Path modelsDir, String name) {
        Path parent = modelsDir == null ? null : modelsDir.toAbsolutePath().getParent();
        if (parent != null && Files.isDirectory(parent) && Files.isWritable(parent)) return parent.resolve(name);
        return userDataDir().resolve(name);
    }

    public Path dir() {
        return dir;
    }

    /** Every official file of the catalog. */
    public List<ModelEntry> entries() {
        return ModelEntries.all();
    }

    /** The catalog entries of one role. */
    public List<ModelEntry> entries(ModelRole role) {
        List<ModelEntry> out = new ArrayList<>();
        for (ModelEntry e : entries()) if (e.role() == role) out.add(e);
        return out;
    }

    /** Downloads, imports and verifies files of this folder. */
    public ModelInstaller installer() {
        return new ModelInstaller(dir);
    }

    /** Whether a catalog entry is installed in this folder. */
    public boolean installed(ModelEntry e) {
        return installer().installed(e);
    }

    /** The status of every role, in catalog order. */
    public List<Status> scan() {
        List<Status> out = new ArrayList<>();
        for (ModelRole r : ModelRole.values()) out.add(new Status(r, find(r)));
        return out;
    }

    /** Whether no real generator is installed (the app then uses demo networks). */
    public boolean demoMode() {
        return find(ModelRole.GENERATOR).isEmpty();
    }

    /**
     * The file that fills a role: the user's choice ({@link #prefer}) while it exists, then an installed catalog file
     * (recommended ones first), then any file in the models folder (one level of sub-folders included) whose name fits.
     * For face-api: the manifest inside its folder.
     */
    public Optional<Path> find(ModelRole role) {
        Path chosen = preferred.get(role);
        if (chosen != null && Files.isRegularFile(chosen)) return Optional.of(chosen);
        List<Path> all = findAll(role);
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
    }

    /**
     * face-api's model folder (the folder of the manifest {@link #find} gives for {@link ModelRole#FACE_API}): the one
     * rule by which the studio and every command find its weights.
     */
    public Optional<Path> faceApiDir() {
        return find(ModelRole.FACE_API).map(Path::getParent);
    }

    /** Every file that can fill a role, in the order {@link #find} prefers them (the user's choice aside). */
    public List<Path> findAll(ModelRole role) {
        java.util.LinkedHashSet<Path> out = new java.util.LinkedHashSet<>();
        if (Files.isDirectory(dir)) {
            ModelInstaller inst = installer();
            List<ModelEntry> es = entries(role);
            for (int pass = 0; pass < 2; pass++) {
                for (ModelEntry e : es) {
                    if (e.isDefault() != (pass == 0) || !inst.installed(e)) continue;
                    Path t = inst.target(e);
                    out.add((e.isArchive() ? t.resolve(e.marker()) : t).toAbsolutePath().normalize());
                }
            }
        }
        if (role == ModelRole.FACE_API) {
            // face-api's weights unpacked from its npm package outside the models folder (scripts/fetch-face-api)
            for (Path f : faceApiFolders()) {
                for (Path m : new Path[]{f.resolve(role.marker()), f.resolve("model").resolve(role.marker())}) {
                    if (Files.isRegularFile(m)) out.add(m.toAbsolutePath().normalize());
                }
            }
        }
        if (!Files.isDirectory(dir)) return new ArrayList<>(out);
        List<Path> candidates = new ArrayList<>();
        collect(dir, 2, candidates);
        candidates.sort(null);
        for (Path p : candidates) {
            String n = p.getFileName().toString();
            if (n.startsWith(".")) continue; // .verified.json, .partial downloads
            String lower = n.toLowerCase(Locale.ROOT);
            boolean match;
            switch (role) {
                case GENERATOR: match = lower.endsWith(".pkl"); break;
                case CLIP: match = n.startsWith(role.marker()) && lower.endsWith(".pt"); break;
                case FACE_API:
                case LPIPS: match = n.equals(role.marker()); break;
                case ENCODER: match = lower.startsWith(role.marker()) && lower.endsWith(".pt"); break;
                default: match = lower.startsWith(role.marker()) && lower.endsWith(".pth");
            }
            if (match) out.add(p.toAbsolutePath().normalize());
        }
        return new ArrayList<>(out);
    }

    /**
     * Folders outside the models folder where face-api's weights may be, in the order they count after it: the
     * {@code faceapi.dir} system property, the {@code STYLECLIP_FACEAPI_DIR} variable, the cache that
     * {@code scripts/fetch-face-api} fills. Each may be the npm package's root or its {@code model/} folder.
     */
    public static List<Path> faceApiFolders() {
        List<Path> out = new ArrayList<>();
        String property = System.getProperty("faceapi.dir");
        if (property != null && !property.isBlank()) out.add(Paths.get(property));
        String env = System.getenv("STYLECLIP_FACEAPI_DIR");
        if (env != null && !env.isBlank()) out.add(Paths.get(env));
        out.add(Paths.get(System.getProperty("user.home"), ".cache", "styleclip", "face-api-1.7.15"));
        return out;
    }

    /** The user's choice for a role (null: the catalog's own order); kept in memory, the studio remembers it. */
    public void prefer(ModelRole role, Path file) {
        if (file == null) preferred.remove(role);
        else preferred.put(role, file.toAbsolutePath().normalize());
    }

    private static void collect(Path d, int depth, List<Path> out) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) out.add(p);
                else if (depth > 1 && Files.isDirectory(p) && !p.getFileName().toString().startsWith(".")) {
                    collect(p, depth - 1, out);
                }
            }
        } catch (IOException e) {
            // an unreadable folder holds nothing usable
        }
    }
}
