package dev.styleclip.runtime;

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
 */
public final class ModelCatalog {

    /** One role a model file plays. */
    public enum Role {
        GENERATOR("StyleGAN3 generator", "network pickle (*.pkl) from NVIDIA's StyleGAN3 release", ".pkl"),
        CLIP("CLIP", "OpenAI CLIP TorchScript archive (ViT-B-32.pt, ViT-B-16.pt, ViT-L-14.pt)", "ViT-"),
        IDENTITY("ArcFace IR-SE50", "model_ir_se50.pth (identity loss)", "model_ir_se50"),
        VGG16("VGG16 (LPIPS trunk)", "torchvision vgg16-397923af.pth", "vgg16"),
        FACE_API("face-api networks", "TF.js weights from @vladmandic/face-api 1.7.15", "ssd_mobilenetv1_model-weights_manifest.json");

        private final String label;
        private final String description;
        private final String marker;

        Role(String label, String description, String marker) {
            this.label = label;
            this.description = description;
            this.marker = marker;
        }

        public String label() {
            return label;
        }

        public String description() {
            return description;
        }
    }

    /** What was found for one role. */
    public record Status(Role role, Optional<Path> file) {
        public boolean installed() {
            return file.isPresent();
        }
    }

    private final Path dir;

    public ModelCatalog(Path dir) {
        this.dir = dir;
    }

    /** The catalog of the default models folder. */
    public static ModelCatalog standard() {
        return new ModelCatalog(defaultDir());
    }

    public static Path defaultDir() {
        String p = System.getProperty("styleclip.models");
        if (p != null && !p.isBlank()) return Paths.get(p);
        String home = System.getProperty("styleclip.home");
        return (home != null ? Paths.get(home) : Paths.get("")).resolve("models").toAbsolutePath();
    }

    public Path dir() {
        return dir;
    }

    /** The status of every role, in catalog order. */
    public List<Status> scan() {
        List<Status> out = new ArrayList<>();
        for (Role r : Role.values()) out.add(new Status(r, find(r)));
        return out;
    }

    /** Whether no real generator is installed (the app then uses demo networks). */
    public boolean demoMode() {
        return find(Role.GENERATOR).isEmpty();
    }

    /** The first file in the models folder (one level of sub-folders included) that fills a role. */
    public Optional<Path> find(Role role) {
        if (role == Role.FACE_API) {
            // face-api's weights are unpacked from its npm package into a cache folder (scripts/fetch-face-api)
            String cache = System.getProperty("faceapi.dir");
            if (cache != null) {
                Path m = Paths.get(cache, "model", role.marker);
                if (Files.isRegularFile(m)) return Optional.of(m);
            }
        }
        if (!Files.isDirectory(dir)) return Optional.empty();
        List<Path> candidates = new ArrayList<>();
        collect(dir, 2, candidates);
        candidates.sort(null);
        for (Path p : candidates) {
            String n = p.getFileName().toString();
            String lower = n.toLowerCase(Locale.ROOT);
            boolean match;
            switch (role) {
                case GENERATOR: match = lower.endsWith(".pkl"); break;
                case CLIP: match = n.startsWith(role.marker) && lower.endsWith(".pt"); break;
                case FACE_API: match = n.equals(role.marker); break;
                default: match = lower.startsWith(role.marker) && lower.endsWith(".pth");
            }
            if (match) return Optional.of(p);
        }
        return Optional.empty();
    }

    private static void collect(Path d, int depth, List<Path> out) {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) out.add(p);
                else if (depth > 1 && Files.isDirectory(p)) collect(p, depth - 1, out);
            }
        } catch (IOException e) {
            // an unreadable folder holds nothing usable
        }
    }
}
