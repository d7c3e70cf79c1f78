package dev.styleclip.studio.viewmodel;

import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The live view: before and current pictures (side by side, or the current one as a before / after wipe over the
 * before one: {@link #comparingProperty()}, {@link #dividerProperty()}; the chosen face regions tinted over the
 * before one, when shown), step counter, loss curves (total, CLIP, L2, ID; keep for region-limited edits; LPIPS
 * for inversions) and the current frame's CLIP score and identity similarity. Pictures update at most
 * {@link #MIN_FRAME_INTERVAL_MS} apart (≈ 10 frames/s);
 * loss points are kept for every frame that arrives.
 */
public final class LiveViewModel {
    public static final long MIN_FRAME_INTERVAL_MS = 100;
    public static final List<String> LOSS_TERMS = List.of("total", "clip", "l2", "id", "lpips", "keep");

    /** One point of a loss curve. */
    public record LossPoint(int step, double value) {
    }

    private final ObjectProperty<Pixels> before = new SimpleObjectProperty<>(this, "before");
    private final ObjectProperty<Pixels> current = new SimpleObjectProperty<>(this, "current");
    private final StringProperty beforeLabel = new SimpleStringProperty(this, "beforeLabel", "before");
    private final StringProperty currentLabel = new SimpleStringProperty(this, "currentLabel", "current");
    private final IntegerProperty step = new SimpleIntegerProperty(this, "step");
    private final IntegerProperty total = new SimpleIntegerProperty(this, "total");
    private final DoubleProperty clipScore = new SimpleDoubleProperty(this, "clipScore", Double.NaN);
    private final DoubleProperty idSimilarity = new SimpleDoubleProperty(this, "idSimilarity", Double.NaN);
    private final StringProperty faceCheck = new SimpleStringProperty(this, "faceCheck", "");
    private final StringProperty timing = new SimpleStringProperty(this, "timing", "");
    private final BooleanProperty regionOverlayShown = new SimpleBooleanProperty(this, "regionOverlayShown");
    private final ObjectProperty<Pixels> regionOverlay = new SimpleObjectProperty<>(this, "regionOverlay");
    private final StringProperty regionNote = new SimpleStringProperty(this, "regionNote", "");
    private final BooleanProperty comparing = new SimpleBooleanProperty(this, "comparing");
    private final DoubleProperty divider = new SimpleDoubleProperty(this, "divider", 0.5);
    private final BooleanBinding canCompare = before.isNotNull().and(current.isNotNull()).or(comparing);
    private final StepTimer timer = new StepTimer();
    private final Map<String, ObservableList<LossPoint>> losses = new LinkedHashMap<>();
    private long lastPictureMs = Long.MIN_VALUE / 2;
    private int framesShown;

    public LiveViewModel() {
        for (String t : LOSS_TERMS) losses.put(t, FXCollections.observableArrayList());
    }

    public ObjectProperty<Pixels> beforeProperty() {
        return before;
    }

    public ObjectProperty<Pixels> currentProperty() {
        return current;
    }

    public StringProperty beforeLabelProperty() {
        return beforeLabel;
    }

    public StringProperty currentLabelProperty() {
        return currentLabel;
    }

    public IntegerProperty stepProperty() {
        return step;
    }

    public IntegerProperty totalProperty() {
        return total;
    }

    public DoubleProperty clipScoreProperty() {
        return clipScore;
    }

    public DoubleProperty idSimilarityProperty() {
        return idSimilarity;
    }

    /**
     * Whether the current picture is shown as a before / after wipe over the before picture (Compare, the \ key) — a grid
     * cell clicked is the current picture, so this compares the cell with the source.
     */
    public BooleanProperty comparingProperty() {
        return comparing;
    }

    /** Where the wipe's divider stands: a fraction (0 … 1) of the picture's width, before left of it, current right. */
    public DoubleProperty dividerProperty() {
        return divider;
    }

    /** Whether Compare can be switched: on when there are two pictures to compare, off always. */
    public BooleanBinding canCompareProperty() {
        return canCompare;
    }

    /** Compare on or off (\); it goes on only when there are two pictures. */
    public void toggleCompare() {
        comparing.set(!comparing.get() && canCompare.get());
    }

    /** face-api's line on source vs current ("same person …, expression, age, gender"), empty when not computed. */
    public StringProperty faceCheckProperty() {
        return faceCheck;
    }

    /** The running (or last) job's measured milliseconds per step (NaN until two steps were seen). */
    public double msPerStep() {
        return timer.msPerStep();
    }

    /** "120 ms/step · ETA 14 s" of the running job, measured from its frames ("" until known). */
    public StringProperty timingProperty() {
        return timing;
    }

    /** Whether the chosen face regions are shown tinted over the before picture (View ▸ Region overlay, Ctrl+R). */
    public BooleanProperty regionOverlayShownProperty() {
        return regionOverlayShown;
    }

    /** The tint over the before picture: the chosen regions, the picture's shape (null: nothing to draw). */
    public ObjectProperty<Pixels> regionOverlayProperty() {
        return regionOverlay;
    }

    /** What the overlay shows and where its landmarks came from ("" while hidden). */
    public StringProperty regionNoteProperty() {
        return regionNote;
    }

    /** The curve of one loss term (see {@link #LOSS_TERMS}). */
    public ObservableList<LossPoint> losses(String term) {
        return losses.get(term);
    }

    public int framesShown() {
        return framesShown;
    }

    /** Clears curves and counters for a new run. */
    public void startRun(int totalSteps) {
        losses.values().forEach(List::clear);
        step.set(0);
        total.set(totalSteps);
        clipScore.set(Double.NaN);
        idSimilarity.set(Double.NaN);
        lastPictureMs = Long.MIN_VALUE / 2;
        timer.reset();
        timing.set("");
    }

    /** Clears the curves and counters of a run that is no longer on screen (undone, cancelled, failed). */
    public void clearRun() {
        startRun(0);
    }

    /** The CLIP score and identity similarity of the picture shown ({@code clip_score}, {@code id_similarity}; NaN when absent). */
    public void showScores(Map<String, Double> metrics) {
        clipScore.set(metrics.getOrDefault("clip_score", Double.NaN));
        idSimilarity.set(metrics.getOrDefault("id_similarity", Double.NaN));
    }

    /** Takes one frame of a running job (FX thread). */
    public void onFrame(Frame f, long nowMs) {
        step.set(f.step());
        if (f.total() > 0) total.set(f.total());
        timer.onFrame(f);
        timing.set(timer.describe(f.step(), total.get()));
        for (String t : LOSS_TERMS) {
            Double v = f.losses().get(t);
            if (v != null && Double.isFinite(v)) {
                ObservableList<LossPoint> l = losses.get(t);
                if (l.isEmpty() || l.get(l.size() - 1).step() < f.step()) l.add(new LossPoint(f.step(), v));
            }
        }
        Double c = f.metrics().get("clip_score");
        if (c != null) clipScore.set(c);
        Double id = f.metrics().get("id_similarity");
        if (id != null) idSimilarity.set(id);
        if (f.preview() != null && nowMs - lastPictureMs >= MIN_FRAME_INTERVAL_MS) {
            lastPictureMs = nowMs;
            current.set(f.preview());
            currentLabel.set(f.total() > 0 ? String.format(Locale.ROOT, "live — step %d / %d", f.step(), f.total()) : "live");
            framesShown++;
        }
    }
}
