package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.WGroups;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.studio.service.EditPort.EditMethod;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Edit panel's settings: prompt (with history), method, λ_L2, λ_ID, lr, steps, schedule, layer groups and the
 * face regions it may change (whole face, edit only some, or keep some; their edge's grow and feather; λ_keep) for the
 * optimisation; the mapper file and its strength λ_delta; the neutral text, α and β of a global direction.
 */
public final class EditSettings {
    public static final List<String> SCHEDULES = List.of("step", "cosine", "constant");

    /** How much of the face an optimisation may change. */
    public enum RegionMode {
        WHOLE_FACE("whole face"), EDIT_ONLY("edit only"), KEEP("keep");

        private final String label;

        RegionMode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final StringProperty prompt = new SimpleStringProperty(this, "prompt", "a person with purple hair");
    private final ObservableList<String> promptHistory = FXCollections.observableArrayList();
    private final ObjectProperty<EditMethod> method = new SimpleObjectProperty<>(this, "method", EditMethod.OPTIMIZE_W);
    /**
     * The optimisation engine's defaults (LatentOptimization.Settings: Adam lr 0.01, StepLR, λ_L2 = λ_ID = 0.001 with a
     * mean L2); safe λ up to its suggested 0.7.
     */
    private final NumberParam lambdaL2 = new NumberParam("λ_L2", 0.001, 0, 0.7, 0, 100, false);
    private final NumberParam lambdaId = new NumberParam("λ_ID", 0.001, 0, 0.7, 0, 100, false);
    private final NumberParam lr = new NumberParam("lr", 0.01, 0.0005, 0.2, 1e-6, 10, false);
    private final NumberParam steps = new NumberParam("steps", 100, 1, 300, 1, 10000, true);
    private final StringProperty schedule = new SimpleStringProperty(this, "schedule", SCHEDULES.get(0));
    private final BooleanProperty coarse = new SimpleBooleanProperty(this, "coarse", true);
    private final BooleanProperty medium = new SimpleBooleanProperty(this, "medium", true);
    private final BooleanProperty fine = new SimpleBooleanProperty(this, "fine", true);
    /** The latent mapper to apply and its strength: ŵ = w + λ_delta·M(w) (trained with 0.1). */
    private final ObjectProperty<Path> mapperFile = new SimpleObjectProperty<>(this, "mapperFile");
    private final NumberParam mapperStrength = new NumberParam("λ_delta", 0.1, 0, 1, -2, 5, false);
    /** Global direction: neutral text (the target is the prompt), strength α and disentanglement threshold β. */
    private final StringProperty neutral = new SimpleStringProperty(this, "neutral", "a face");
    private final NumberParam alpha = new NumberParam("α", 3, -10, 10, -100, 100, false);
    private final NumberParam beta = new NumberParam("β", 0.1, 0.0, 0.3, 0, 1, false);
    /** Regions: the mode, one switch per region (the mouth on, so "edit only" has a choice at once), the edge, λ_keep. */
    private final ObjectProperty<RegionMode> regionMode = new SimpleObjectProperty<>(this, "regionMode", RegionMode.WHOLE_FACE);
    private final Map<FaceRegion, BooleanProperty> regionSwitches = new EnumMap<>(FaceRegion.class);
    /** Grow and feather in percent of the picture's side (the same share at every generator size): paste-back's defaults. */
    private final NumberParam regionGrow = new NumberParam("grow %", 100 * EditRegions.DEFAULT_GROW, -5, 10, -50, 50, false);
    private final NumberParam regionFeather = new NumberParam("feather %", 100 * EditRegions.DEFAULT_FEATHER, 0, 10, 0, 50, false);
    private final NumberParam lambdaKeep = new NumberParam("λ_keep", EditRegions.DEFAULT_KEEP_WEIGHT, 0, 5, 0, 100, false);

    public EditSettings() {
        for (FaceRegion r : FaceRegion.values()) regionSwitches.put(r, new SimpleBooleanProperty(this, r.cliName(), r == FaceRegion.MOUTH));
    }

    /** The longest prompt a run takes (CLIP reads 77 tokens; far longer text is a paste gone wrong). */
    static final int MAX_PROMPT = 300;

    /** {@code text} stripped, when it is a usable prompt; else one line saying why ({@code whenEmpty} for none). */
    static String checkPrompt(String text, String whenEmpty) {
        String p = text == null ? "" : text.strip();
        if (p.isEmpty()) throw new IllegalArgumentException(whenEmpty);
        if (p.length() > MAX_PROMPT) throw new IllegalArgumentException("the prompt is too long (at most " + MAX_PROMPT + " characters)");
        return p;
    }

    public StringProperty promptProperty() {
        return prompt;
    }

    public ObservableList<String> promptHistory() {
        return promptHistory;
    }

    /** Remembers a prompt at the top of the history (no duplicates, at most 30). */
    public void remember(String p) {
        if (p == null || p.isBlank()) return;
        promptHistory.remove(p);
        promptHistory.add(0, p);
        while (promptHistory.size() > 30) promptHistory.remove(promptHistory.size() - 1);
    }

    public ObjectProperty<EditMethod> methodProperty() {
        return method;
    }

    public NumberParam lambdaL2() {
        return lambdaL2;
    }

    public NumberParam lambdaId() {
        return lambdaId;
    }

    public NumberParam lr() {
        return lr;
    }

    public NumberParam steps() {
        return steps;
    }

    public List<NumberParam> numbers() {
        return List.of(lambdaL2, lambdaId, lr, steps, mapperStrength, alpha, beta, regionGrow, regionFeather, lambdaKeep);
    }

    public ObjectProperty<RegionMode> regionModeProperty() {
        return regionMode;
    }

    /** The face regions' names, in order: mouth, eyes, brows, nose, face, background. */
    public static List<String> regionNames() {
        return java.util.Arrays.stream(FaceRegion.values()).map(FaceRegion::cliName).toList();
    }

    /** The switch of one face region, by its name ({@link #regionNames}). */
    public BooleanProperty regionProperty(String name) {
        return regionSwitches.get(FaceRegion.parse(name).iterator().next());
    }

    public NumberParam regionGrow() {
        return regionGrow;
    }

    public NumberParam regionFeather() {
        return regionFeather;
    }

    public NumberParam lambdaKeep() {
        return lambdaKeep;
    }

    /** The regions switched on, in declaration order. */
    public Set<FaceRegion> checkedRegions() {
        Set<FaceRegion> out = EnumSet.noneOf(FaceRegion.class);
        regionSwitches.forEach((r, p) -> {
            if (p.get()) out.add(r);
        });
        return out;
    }

    /**
     * The region choice for a generated picture of {@code size} pixels (grow and feather turned into its pixels), or
     * null for the whole face.
     *
     * @throws IllegalArgumentException when a region mode is on but no region is switched on
     */
    public EditRegions regions(int size) {
        RegionMode m = regionMode.get();
        if (m == RegionMode.WHOLE_FACE) return null;
        Set<FaceRegion> chosen = checkedRegions();
        if (chosen.isEmpty()) throw new IllegalArgumentException("switch on at least one face region, or edit the whole face");
        return new EditRegions(m == RegionMode.KEEP ? EditRegions.Mode.KEEP : EditRegions.Mode.EDIT_ONLY, chosen,
                regionGrow.get() / 100 * size, regionFeather.get() / 100 * size, lambdaKeep.get());
    }

    public ObjectProperty<Path> mapperFileProperty() {
        return mapperFile;
    }

    public NumberParam mapperStrength() {
        return mapperStrength;
    }

    public StringProperty neutralProperty() {
        return neutral;
    }

    public NumberParam alpha() {
        return alpha;
    }

    public NumberParam beta() {
        return beta;
    }

    public StringProperty scheduleProperty() {
        return schedule;
    }

    /** The layer groups switched on (the three switches as one set). */
    public java.util.Set<WGroups.Group> groups() {
        return WGroups.of(coarse.get(), medium.get(), fine.get());
    }

    public BooleanProperty coarseProperty() {
        return coarse;
    }

    public BooleanProperty mediumProperty() {
        return medium;
    }

    public BooleanProperty fineProperty() {
        return fine;
    }

    /** The settings as plain values (for recipes, sessions and PNG metadata). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", prompt.get());
        m.put("method", method.get().name());
        m.put("lambda_l2", lambdaL2.get());
        m.put("lambda_id", lambdaId.get());
        m.put("lr", lr.get());
        m.put("steps", (int) steps.get());
        m.put("schedule", schedule.get());
        m.put("coarse", coarse.get());
        m.put("medium", medium.get());
        m.put("fine", fine.get());
        if (mapperFile.get() != null) m.put("mapper", mapperFile.get().toString());
        m.put("mapper_strength", mapperStrength.get());
        m.put("neutral", neutral.get());
        m.put("alpha", alpha.get());
        m.put("beta", beta.get());
        m.put("region_mode", regionMode.get().name());
        m.put("regions", checkedRegions().stream().map(FaceRegion::cliName).toList());
        m.put("region_grow", regionGrow.get());
        m.put("region_feather", regionFeather.get());
        m.put("lambda_keep", lambdaKeep.get());
        return m;
    }

    /** Applies values read from a file; unknown or bad values are ignored (never throws). */
    public void fromMap(Map<String, ?> m) {
        if (m == null) return;
        if (m.get("prompt") instanceof String s) prompt.set(s);
        if (m.get("method") instanceof String s) {
            try {
                method.set(EditMethod.valueOf(s));
            } catch (IllegalArgumentException e) {
                // keep the current method
            }
        }
        setNum(lambdaL2, m.get("lambda_l2"));
        setNum(lambdaId, m.get("lambda_id"));
        setNum(lr, m.get("lr"));
        setNum(steps, m.get("steps"));
        if (m.get("schedule") instanceof String s && SCHEDULES.contains(s)) schedule.set(s);
        if (m.get("coarse") instanceof Boolean b) coarse.set(b);
        if (m.get("medium") instanceof Boolean b) medium.set(b);
        if (m.get("fine") instanceof Boolean b) fine.set(b);
        if (m.get("mapper") instanceof String f && !f.isBlank()) mapperFile.set(Path.of(f));
        setNum(mapperStrength, m.get("mapper_strength"));
        if (m.get("neutral") instanceof String n && !n.isBlank()) neutral.set(n);
        setNum(alpha, m.get("alpha"));
        setNum(beta, m.get("beta"));
        if (m.get("region_mode") instanceof String s) regionModeProperty().set(regionModeOf(s, regionMode.get()));
        if (m.get("regions") instanceof List<?> names) checkRegions(names.stream().map(String::valueOf).toList());
        setNum(regionGrow, m.get("region_grow"));
        setNum(regionFeather, m.get("region_feather"));
        setNum(lambdaKeep, m.get("lambda_keep"));
    }

    private static RegionMode regionModeOf(String name, RegionMode otherwise) {
        try {
            return RegionMode.valueOf(name);
        } catch (IllegalArgumentException e) {
            return otherwise;
        }
    }

    /** Switches on exactly the named regions (unknown names ignored; none known: left as they are). */
    private void checkRegions(List<String> names) {
        Set<FaceRegion> on = EnumSet.noneOf(FaceRegion.class);
        for (String n : names) {
            for (FaceRegion r : FaceRegion.values()) if (r.cliName().equals(n)) on.add(r);
        }
        if (on.isEmpty()) return;
        regionSwitches.forEach((r, p) -> p.set(on.contains(r)));
    }

    /**
     * A file's number; one equal to the value shown changes nothing, so it does not count as chosen (the autosaved
     * session restored at start carries the defaults it was saved with).
     */
    private static void setNum(NumberParam p, Object v) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() != p.get()) p.set(n.doubleValue());
    }

    public void load(StudioPrefs prefs) {
        for (NumberParam p : numbers()) prefs.getChosen(key(p), p);
        String s = prefs.get("edit.schedule", schedule.get());
        if (SCHEDULES.contains(s)) schedule.set(s);
        neutral.set(prefs.get("edit.neutral", neutral.get()));
        String mf = prefs.get("edit.mapper", null);
        if (mf != null && !mf.isBlank()) mapperFile.set(Path.of(mf));
        try {
            method.set(EditMethod.valueOf(prefs.get("edit.method", method.get().name())));
        } catch (IllegalArgumentException e) {
            // keep the default method
        }
        regionMode.set(regionModeOf(prefs.get("edit.region_mode", regionMode.get().name()), regionMode.get()));
        checkRegions(List.of(prefs.get("edit.regions", "mouth").split(",")));
        String h = prefs.get("edit.history", "");
        for (String line : h.split("\n")) if (!line.isBlank()) promptHistory.add(line);
        if (!promptHistory.isEmpty()) prompt.set(promptHistory.get(0));
    }

    private static String key(NumberParam p) {
        return "edit." + p.name().replace("λ_", "lambda_").replace("α", "alpha").replace("β", "beta").replace(" %", "");
    }

    public void save(StudioPrefs prefs) {
        for (NumberParam p : numbers()) prefs.putChosen(key(p), p);
        prefs.put("edit.schedule", schedule.get());
        prefs.put("edit.neutral", neutral.get());
        prefs.put("edit.method", method.get().name());
        prefs.put("edit.region_mode", regionMode.get().name());
        prefs.put("edit.regions", String.join(",", checkedRegions().stream().map(FaceRegion::cliName).toList()));
        prefs.put("edit.mapper", mapperFile.get() == null ? null : mapperFile.get().toString());
        prefs.put("edit.history", String.join("\n", promptHistory.subList(0, Math.min(10, promptHistory.size()))));
    }
}
