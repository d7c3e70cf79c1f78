package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.WGroups;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Edit panel's settings: prompt (with history), method, λ_L2, λ_ID, lr, steps, schedule and layer groups for the
 * optimisation; the mapper file and its strength λ_delta; the neutral text, α and β of a global direction.
 */
public final class EditSettings {
    public static final List<String> SCHEDULES = List.of("step", "cosine", "constant");

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
        return List.of(lambdaL2, lambdaId, lr, steps, mapperStrength, alpha, beta);
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
    }

    private static void setNum(NumberParam p, Object v) {
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) p.set(n.doubleValue());
    }

    public void load(StudioPrefs prefs) {
        for (NumberParam p : numbers()) p.set(prefs.getDouble(key(p), p.get()));
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
        String h = prefs.get("edit.history", "");
        for (String line : h.split("\n")) if (!line.isBlank()) promptHistory.add(line);
        if (!promptHistory.isEmpty()) prompt.set(promptHistory.get(0));
    }

    private static String key(NumberParam p) {
        return "edit." + p.name().replace("λ_", "lambda_").replace("α", "alpha").replace("β", "beta");
    }

    public void save(StudioPrefs prefs) {
        for (NumberParam p : numbers()) prefs.putDouble(key(p), p.get());
        prefs.put("edit.schedule", schedule.get());
        prefs.put("edit.neutral", neutral.get());
        prefs.put("edit.method", method.get().name());
        prefs.put("edit.mapper", mapperFile.get() == null ? null : mapperFile.get().toString());
        prefs.put("edit.history", String.join("\n", promptHistory.subList(0, Math.min(10, promptHistory.size()))));
    }
}
