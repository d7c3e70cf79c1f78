package dev.styleclip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.LatentOptimization;
import dev.styleclip.edit.Metrics;
import dev.styleclip.edit.WGroups;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.runtime.models.ModelRole;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Options and helpers shared by {@code edit} and {@code sweep}: networks, start latent, optimisation settings. */
public final class EditOptions {

    /** Where to start. */
    static final class StartOptions {
        @Option(names = "--seed", paramLabel = "N", description = "start from this seed's z (as gen_images.py)")
        Long seed;

        @Option(names = "--trunc", paramLabel = "PSI",
                description = "truncation psi for --seed (default 0.7, the studio's; 1 with --space z, which optimises the untruncated z)")
        Double trunc;

        @Option(names = "--latent", paramLabel = "w.npz", description = "start from a projected latent (NVIDIA .npz, key w)")
        Path latent;

        LatentOptimization.Start start(String space) throws IOException {
            if ((seed == null) == (latent == null)) throw new IllegalArgumentException("give either --seed N or --latent w.npz");
            if (latent != null) return LatentOptimization.Start.latent(LatentFile.read(latent));
            boolean z = space != null && space.trim().equalsIgnoreCase("z");
            return LatentOptimization.Start.seed(seed, trunc != null ? trunc : z ? 1.0 : FaceGeneration.DEFAULT_PSI);
        }
    }

    /** The optimisation settings except prompt and λs. */
    static final class Optimisation {
        @Option(names = "--space", paramLabel = "w+|z", defaultValue = "w+", description = "latent space to optimise (default ${DEFAULT-VALUE})")
        String space;

        @Option(names = "--groups", paramLabel = "LIST", defaultValue = "coarse,medium,fine",
                description = "style groups left free in w+ (default ${DEFAULT-VALUE})")
        String groups;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "300", description = "optimisation steps (default ${DEFAULT-VALUE})")
        int steps;

        @Option(names = "--lr", paramLabel = "X", defaultValue = "0.01", description = "Adam learning rate (default ${DEFAULT-VALUE})")
        double lr;

        @Option(names = "--l2-form", paramLabel = "sum|mean", defaultValue = "mean",
                description = "latent L2 as a sum of squares (StyleCLIP) or a mean (default ${DEFAULT-VALUE})")
        String l2Form;

        @Option(names = "--schedule", paramLabel = "cosine|step|constant", defaultValue = "step",
                description = "learning-rate schedule: StyleCLIP's cosine ramp, StepLR(50, 0.5) or constant (default ${DEFAULT-VALUE})")
        String schedule;

        LatentOptimization.Settings settings(String prompt, double l2, double lambdaId, int previewSize) {
            LatentOptimization.Space sp = LatentOptimization.Space.parse(space);
            Set<WGroups.Group> g = WGroups.parse(groups);
            return LatentOptimization.Settings.defaults(prompt).withSpace(sp, g).withSteps(steps).withLr(lr)
                    .withWeights(l2, lambdaId).withL2Form(LatentOptimization.L2Form.parse(l2Form))
                    .withSchedule(LatentOptimization.ScheduleKind.parse(schedule)).withPreviewSize(previewSize);
        }
    }

    /**
     * Region-limited edits: {@code --region} (edit only these) or {@code --keep} (keep these), the keep term's weight and
     * the regions' edge (edit, sweep, train-mapper).
     */
    static final class Regions {
        @Option(names = "--region", paramLabel = "LIST",
                description = "edit only these face regions (mouth, eyes, brows, nose, face, background), e.g. mouth,eyes: the rest is held by the keep term")
        String region;

        @Option(names = "--keep", paramLabel = "LIST", description = "keep these face regions and edit the rest, e.g. background,eyes")
        String keep;

        @Option(names = "--keep-weight", paramLabel = "X",
                description = "weight of the keep term, L2 + LPIPS where the edit should not reach (default 1.0 with --region or --keep; 0 only measures)")
        Double keepWeight;

        @Option(names = "--region-grow", paramLabel = "PX",
                description = "move the regions' edge out by PX pixels of the generated image, negative: in (default 2% of its side)")
        Double grow;

        @Option(names = "--region-feather", paramLabel = "PX", description = "soft edge of the regions, PX pixels wide (default 4% of the side)")
        Double feather;

        /** The choice, or null for an edit of the whole picture; one clear message for every bad combination. */
        EditRegions regions() {
            if (region != null && keep != null) {
                throw new IllegalArgumentException("give --region (the regions to edit) or --keep (the regions to keep), not both");
            }
            if (region == null && keep == null) {
                if (keepWeight != null || grow != null || feather != null) {
                    throw new IllegalArgumentException("--keep-weight, --region-grow and --region-feather need --region or --keep");
                }
                return null;
            }
            String option = region != null ? "--region" : "--keep";
            Set<FaceRegion> names;
            try {
                names = FaceRegion.parse(region != null ? region : keep);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + ": " + e.getMessage());
            }
            EditRegions r = EditRegions.of(region != null ? EditRegions.Mode.EDIT_ONLY : EditRegions.Mode.KEEP, names)
                    .withEdge(grow == null ? Double.NaN : grow, feather == null ? Double.NaN : feather);
            return keepWeight == null ? r : r.withKeepWeight(keepWeight);
        }

        /**
         * Where the start picture's landmarks come from: face-api's networks by the studio's rule (the models folder's;
         * none with {@code --demo-networks}), detecting on the picture; the mean face without them.
         */
        static FaceLandmarks.Finder landmarks(boolean demoNetworks) {
            Path marker = InstalledNetworks.find(null, "--face-api", ModelRole.FACE_API, demoNetworks);
            return FaceLandmarks.detecting(marker == null ? null : marker.getParent());
        }
    }

    private EditOptions() {
    }

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** "CLIP score 0.2512, ID similarity 0.9312, LPIPS 0.1044" (", LPIPS outside 0.0123" with regions). */
    static String describe(Metrics m) {
        return "CLIP score " + fmt(m.clipScore()) + ", ID similarity " + fmt(m.idSimilarity()) + ", LPIPS " + fmt(m.lpips())
                + (Double.isNaN(m.lpipsOutside()) ? "" : ", LPIPS outside " + fmt(m.lpipsOutside()));
    }

    static Map<String, Object> networks(EditNetworks.Files f, boolean demo, String description) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("demo", demo);
        m.put("description", description);
        m.put("generator", f.generator().describe());
        m.put("clip", f.clip() == null ? "demo network" : f.clip().toString());
        m.put("id", f.id() == null ? "demo network" : f.id().toString());
        m.put("lpips_vgg", f.lpipsVgg() == null ? "demo network" : f.lpipsVgg().toString());
        return m;
    }

    static Map<String, Object> start(LatentOptimization.Start s, Path latentFile) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (s.seed() != null) {
            m.put("seed", s.seed());
            m.put("trunc", s.psi());
        } else {
            m.put("latent", latentFile == null ? null : latentFile.toString());
        }
        return m;
    }

    static List<Map<String, Object>> history(LatentOptimization.Result r) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LatentOptimization.StepRecord s : r.history()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", s.step());
            m.put("lr", s.lr());
            m.put("total", s.total());
            m.put("clip", s.clip());
            m.put("l2", s.l2());
            m.put("id", s.id());
            if (!Double.isNaN(s.keep())) m.put("keep", s.keep());
            m.put(Metrics.CLIP_SCORE, s.clipScore());
            m.put(Metrics.ID_SIMILARITY, s.idSimilarity());
            out.add(m);
        }
        return out;
    }

    static Map<String, Object> metrics(Metrics m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(Metrics.CLIP_SCORE, m.clipScore());
        out.put(Metrics.ID_SIMILARITY, m.idSimilarity());
        out.put(Metrics.LPIPS, m.lpips());
        if (!Double.isNaN(m.lpipsOutside())) out.put(Metrics.LPIPS_OUTSIDE, m.lpipsOutside());
        return out;
    }

    static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.writeBytes(file, JSON.writeValueAsBytes(value));
    }

    static List<Double> parseDoubles(String text, String what) {
        List<Double> out = new ArrayList<>();
        for (String p : text.split(",")) {
            String t = p.trim();
            if (t.isEmpty()) continue;
            double v = Numbers.finite(t, what);
            if (v < 0) throw new IllegalArgumentException(what + " values must be >= 0, got " + t);
            out.add(v);
        }
        if (out.isEmpty()) throw new IllegalArgumentException(what + " needs at least one value");
        return out;
    }
}
