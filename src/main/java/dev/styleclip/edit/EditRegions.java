package dev.styleclip.edit;

import dev.styleclip.image.AlphaMask;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.image.FaceRegions;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which parts of a face an edit may change: only the chosen regions ({@link Mode#EDIT_ONLY}, {@code --region mouth}) or
 * everything but them ({@link Mode#KEEP}, {@code --keep background,eyes}), drawn from the face's 68 landmarks
 * ({@link FaceRegions}) with the edge moved by {@code grow} pixels and spread over {@code feather} pixels of the
 * generated image. The part that must stay is held by the preservation term ({@link KeepLoss}) at weight
 * {@code keepWeight} (λ_keep), and measured after the edit ({@link Metrics#LPIPS_OUTSIDE}).
 *
 * @param grow       pixels of the generated image the regions' edge moves out (negative: in); NaN = {@link #DEFAULT_GROW}
 *                   of the image's side
 * @param feather    width of the soft edge in pixels of the generated image; NaN = {@link #DEFAULT_FEATHER} of the side
 * @param keepWeight λ_keep; 0 measures the change outside the regions without holding it
 */
public record EditRegions(Mode mode, Set<FaceRegion> regions, double grow, double feather, double keepWeight) {

    /**
     * λ_keep when regions are chosen and no weight is given. The term is a masked mean squared difference of images in
     * [−1, 1] plus a masked LPIPS: a visible change of the kept part (LPIPS ≈ 0.05, RMS ≈ 0.1, so L2 ≈ 0.01) then costs
     * about 0.06, as much as a whole edit gains in CLIP loss (1 − cos typically falls by 0.03–0.1 over a run) — so at
     * 1.0 the optimiser changes what the prompt needs inside the regions and resists spreading the change outside,
     * while λ_L2 and λ_ID (0.001 by default) keep their own, much smaller, scales.
     */
    public static final double DEFAULT_KEEP_WEIGHT = 1.0;
    /** Default grow and feather as shares of the image's side: paste-back's ({@code PasteBack}), so one mask serves both. */
    public static final double DEFAULT_GROW = 0.02;
    public static final double DEFAULT_FEATHER = 0.04;

    /** Edit only the regions, or keep them. */
    public enum Mode {
        EDIT_ONLY("region"), KEEP("keep");

        private final String id;

        Mode(String id) {
            this.id = id;
        }

        /** The name in recipes and reports: {@code region} (edit only these) or {@code keep}. */
        public String id() {
            return id;
        }

        public static Mode parse(String s) {
            for (Mode m : values()) if (m.id.equals(s)) return m;
            throw new IllegalArgumentException("unknown region mode '" + s + "': use region or keep");
        }
    }

    public EditRegions {
        if (mode == null) throw new IllegalArgumentException("no region mode given: region or keep");
        if (regions == null || regions.isEmpty()) throw new IllegalArgumentException("no face region given (choose from " + FaceRegion.names() + ")");
        regions = Collections.unmodifiableSet(EnumSet.copyOf(regions));
        if (!Double.isNaN(grow) && (!Double.isFinite(grow) || Math.abs(grow) > 4096)) {
            throw new IllegalArgumentException("the region grow must be a number of pixels between -4096 and 4096, got " + grow);
        }
        if (!Double.isNaN(feather) && (!(feather >= 0) || feather > 4096)) {
            throw new IllegalArgumentException("the region feather must be 0 to 4096 pixels, got " + feather);
        }
        if (!(keepWeight >= 0) || !Double.isFinite(keepWeight)) throw new IllegalArgumentException("the keep weight must be >= 0, got " + keepWeight);
    }

    /** The regions with the default grow, feather and λ_keep. */
    public static EditRegions of(Mode mode, Collection<FaceRegion> regions) {
        return new EditRegions(mode, regions == null || regions.isEmpty() ? Set.of() : EnumSet.copyOf(regions), Double.NaN, Double.NaN,
                DEFAULT_KEEP_WEIGHT);
    }

    public EditRegions withKeepWeight(double w) {
        return new EditRegions(mode, regions, grow, feather, w);
    }

    public EditRegions withEdge(double growPx, double featherPx) {
        return new EditRegions(mode, regions, growPx, featherPx, keepWeight);
    }

    /** The grow in pixels of a {@code size}² image. */
    public double growAt(int size) {
        return Double.isNaN(grow) ? DEFAULT_GROW * size : grow;
    }

    /** The feather in pixels of a {@code size}² image. */
    public double featherAt(int size) {
        return Double.isNaN(feather) ? DEFAULT_FEATHER * size : feather;
    }

    /** Whether the preservation term is in the loss (λ_keep > 0). */
    public boolean holds() {
        return keepWeight > 0;
    }

    /** The chosen regions' mask over a {@code size}² image with landmarks {@code lm} (what the overlay tints). */
    public AlphaMask chosenMask(double[][] lm, int size) {
        return FaceRegions.mask(lm, size, size, regions, growAt(size), featherAt(size));
    }

    /**
     * The mask of what the edit must leave as it was: outside the regions for {@link Mode#EDIT_ONLY}, the regions for
     * {@link Mode#KEEP}.
     */
    public AlphaMask keepMask(double[][] lm, int size) {
        AlphaMask chosen = chosenMask(lm, size);
        if (mode == Mode.KEEP) return chosen;
        float[] a = chosen.alpha().clone();
        for (int i = 0; i < a.length; i++) a[i] = 1 - a[i];
        return new AlphaMask(size, size, a);
    }

    /** "edit only mouth, eyes" / "keep background" (for messages and captions). */
    public String describe() {
        List<String> names = new ArrayList<>();
        for (FaceRegion r : regions) names.add(r.cliName());
        return (mode == Mode.KEEP ? "keep " : "edit only ") + String.join(", ", names);
    }

    /** As plain values for recipes and reports (grow and feather only when set; NaN means "the default for the size"). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode.id());
        List<String> names = new ArrayList<>();
        for (FaceRegion r : regions) names.add(r.cliName());
        m.put("regions", names);
        if (!Double.isNaN(grow)) m.put("grow", grow);
        if (!Double.isNaN(feather)) m.put("feather", feather);
        m.put("keep_weight", keepWeight);
        return m;
    }

    /**
     * The values {@link #toMap} wrote.
     *
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static EditRegions fromMap(Map<?, ?> m) {
        if (!(m.get("mode") instanceof String mode)) throw new IllegalArgumentException("the regions name no mode (region or keep)");
        if (!(m.get("regions") instanceof List<?> list)) throw new IllegalArgumentException("the regions list no face regions");
        List<String> names = new ArrayList<>();
        for (Object o : list) names.add(String.valueOf(o));
        Set<FaceRegion> regions = FaceRegion.parse(String.join(",", names));
        return new EditRegions(Mode.parse(mode.toLowerCase(Locale.ROOT)), regions, number(m, "grow", Double.NaN),
                number(m, "feather", Double.NaN), number(m, "keep_weight", DEFAULT_KEEP_WEIGHT));
    }

    private static double number(Map<?, ?> m, String key, double absent) {
        Object v = m.get(key);
        if (v == null) return absent;
        if (!(v instanceof Number n)) throw new IllegalArgumentException("the regions' " + key + " is not a number");
        return n.doubleValue();
    }
}
