package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.DirectionsPort;
import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.studio.service.MapperFolders;
import dev.styleclip.studio.service.OptimizationEngine;
import dev.styleclip.studio.service.EditPort;
import dev.styleclip.studio.service.EditPort.EditMethod;
import dev.styleclip.studio.service.EditPort.EditRequest;
import dev.styleclip.studio.service.EditPort.EditResult;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableStringValue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Running an edit of the chosen method on the current face (the Edit tab's Run, Pause, Cancel and the compare grid):
 * an optimisation with live frames, a trained mapper or a global-direction step; each result becomes one step of the
 * {@link Document}'s stack. The settings themselves are {@link EditSettings}; the grid's cells are
 * {@link CompareViewModel}'s.
 */
public final class EditRunViewModel {
    private final EditPort backend;
    private final DirectionsPort directionsBackend;
    private final StudioPrefs prefs;
    private final StatusViewModel status;
    private final LiveViewModel live;
    private final Document document;
    private final EditSettings edit;
    private final DirectionsViewModel directions;
    private final CompareViewModel compare;
    /** The generator in use (its label): the runs' measured time per step is remembered per generator. */
    private final ObservableStringValue generator;
    private final LongSupplier clock;
    private final BooleanProperty editRunning = new SimpleBooleanProperty(this, "editRunning");
    private final BooleanProperty editPaused = new SimpleBooleanProperty(this, "editPaused");
    private final StringProperty runEstimate = new SimpleStringProperty(this, "runEstimate", "");
    /** What the compute thread said a run would need ("" until asked). */
    private String memoryEstimate = "";
    private StudioPort.Task editTask;

    EditRunViewModel(EditPort backend, DirectionsPort directionsBackend, StudioPrefs prefs, StatusViewModel status, LiveViewModel live, Document document,
                     EditSettings edit, DirectionsViewModel directions, CompareViewModel compare, ObservableStringValue generator,
                     LongSupplier clock) {
        this.backend = backend;
        this.directionsBackend = directionsBackend;
        this.prefs = prefs;
        this.status = status;
        this.live = live;
        this.document = document;
        this.edit = edit;
        this.directions = directions;
        this.compare = compare;
        this.generator = generator;
        this.clock = clock;
        document.guardWith(editRunning);
        compare.selectedProperty().addListener((o, a, b) -> showSelected(b));
        // what a run would need: known once a face is there, refreshed when the method, the generator (its memory,
        // its measured time per step) or, from the root, the memory budget changes
        edit.methodProperty().addListener((o, a, b) -> refreshRunEstimate());
        // regions add the keep term's LPIPS pass to a step
        edit.regionModeProperty().addListener((o, a, b) -> {
            if ((a == EditSettings.RegionMode.WHOLE_FACE) != (b == EditSettings.RegionMode.WHOLE_FACE)) refreshRunEstimate();
        });
        generator.addListener((o, a, b) -> {
            memoryEstimate = "";
            if (document.hasLatentProperty().get()) refreshRunEstimate();
            else showEstimate();
        });
        edit.steps().valueProperty().addListener((o, a, b) -> showEstimate());
        document.hasLatentProperty().addListener((o, a, b) -> {
            if (b && memoryEstimate.isEmpty()) refreshRunEstimate();
        });
    }

    public ReadOnlyBooleanProperty editRunningProperty() {
        return editRunning;
    }

    public ReadOnlyBooleanProperty editPausedProperty() {
        return editPaused;
    }

    /**
     * Next to Run: how long the run will take — from the time per step measured in the last run of this method on
     * this generator, remembered across starts — and what memory it needs ("" until known).
     */
    public StringProperty runEstimateProperty() {
        return runEstimate;
    }

    /**
     * Whether Run can start: a latent to start from, a mapper when that is the method, nothing changing the face, and
     * no preparation of the global directions holding the compute thread (a run would wait behind it for hours).
     */
    public BooleanBinding canRunProperty() {
        return Bindings.createBooleanBinding(() -> document.hasLatentProperty().get() && !document.busyProperty().get()
                        && !directions.preparingProperty().get()
                        && (edit.methodProperty().get() != EditMethod.MAPPER || edit.mapperFileProperty().get() != null),
                edit.methodProperty(), document.hasLatentProperty(), document.busyProperty(), edit.mapperFileProperty(),
                directions.preparingProperty());
    }

    /** Whether Cancel has something to stop: an edit or the compare grid. */
    public BooleanBinding cancellableProperty() {
        return editRunning.or(compare.runningProperty());
    }

    /** Why Run is disabled (tooltip text), or "" when it is enabled. */
    public String runUnavailableReason() {
        if (!document.hasLatentProperty().get()) return "generate a face first, or import a photo, align and invert it";
        if (directions.preparingProperty().get()) return "the global directions are being prepared (Stop ends it; Prepare resumes it later)";
        if (edit.methodProperty().get() == EditMethod.MAPPER && edit.mapperFileProperty().get() == null) {
            return "choose a trained mapper (Mapper tab, or Open mapper…)";
        }
        return "";
    }

    /** Asks the compute thread what a run of the chosen method would need now. */
    public void refreshRunEstimate() {
        boolean regions = edit.regionModeProperty().get() != EditSettings.RegionMode.WHOLE_FACE;
        backend.memoryEstimate(edit.methodProperty().get(), regions, new StudioPort.Listener<>() {
            @Override
            public void done(String summary) {
                memoryEstimate = summary == null || summary.isEmpty() ? "" : "memory: " + summary;
                showEstimate();
            }

            @Override
            public void failed(Throwable t) {
                memoryEstimate = "memory: " + Notice.describe(t);
                showEstimate();
            }
        });
    }

    private void showEstimate() {
        String time = "";
        double ms = prefs.getDouble(timingKey(), Double.NaN);
        EditMethod m = edit.methodProperty().get();
        if ((m == EditMethod.OPTIMIZE_W || m == EditMethod.OPTIMIZE_Z) && Double.isFinite(ms)) {
            int steps = (int) edit.steps().get();
            time = "≈ " + StepTimer.duration(ms * steps) + " for " + steps + " steps (" + StepTimer.duration(ms)
                    + "/step, measured here)";
        }
        runEstimate.set(time.isEmpty() ? memoryEstimate : memoryEstimate.isEmpty() ? time : time + " · " + memoryEstimate);
    }

    /** The preference holding the last measured time per step of the chosen method on the generator in use. */
    private String timingKey() {
        return StepTimer.preferenceKey("edit.msPerStep." + edit.methodProperty().get().name().toLowerCase(Locale.ROOT),
                generator.get());
    }

    // ---- run ----------------------------------------------------------------------------------------------------

    private String prompt() {
        return EditSettings.checkPrompt(edit.promptProperty().get(), "type a prompt first");
    }

    private String neutral() {
        String n = edit.neutralProperty().get() == null ? "" : edit.neutralProperty().get().strip();
        if (n.isEmpty()) throw new IllegalArgumentException("type the neutral text (e.g. “a face”)");
        return n;
    }

    /** The current state, when it has a latent to edit. */
    private Snapshot editable() {
        Snapshot cur = document.current();
        if (cur == null || cur.base() == null) throw new IllegalStateException("generate a face first, or invert a photo");
        return cur;
    }

    private EditRequest editRequest() {
        Snapshot cur = editable();
        EditRequest r = new EditRequest(prompt(), edit.methodProperty().get(), cur.composed(), Document.sourceRequest(cur.source()),
                edit.lambdaL2().get(), edit.lambdaId().get(), edit.lr().get(), (int) edit.steps().get(),
                edit.scheduleProperty().get(), edit.groups(), edit.regions(cur.baseImage().width()));
        // the engine's own check of the settings (e.g. no layer group on), before anything is marked as running
        OptimizationEngine.settings(r);
        return r;
    }

    /** Runs the edit of the chosen method on the current face (Ctrl+Enter). */
    public void runEdit() {
        if (document.busyProperty().get()) return;
        if (directions.preparingProperty().get()) {
            status.warn("Run", runUnavailableReason());
            return;
        }
        switch (edit.methodProperty().get()) {
            case MAPPER -> {
                Path f = edit.mapperFileProperty().get();
                if (f == null) status.warn("Mapper", runUnavailableReason());
                else applyMapper(f, edit.mapperStrength().get());
            }
            case GLOBAL_DIRECTION -> runDirection();
            default -> runOptimisation();
        }
    }

    /** The prompt a trained mapper was made for (its file's header), or null when the file is no mapper. */
    public static String mapperPrompt(Path mapper) {
        try {
            return MapperFolders.read(mapper).prompt();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Adds a trained latent mapper at strength λ_delta to the edit stack of the current face (undoable). */
    public void applyMapper(Path mapperFile, double strength) {
        Snapshot cur = document.current();
        if (cur == null || cur.base() == null) {
            status.warn("Mapper", "generate a face first, or invert a photo");
            return;
        }
        if (!Double.isFinite(strength)) return;
        MapperFolders.MapperInfo info;
        try {
            if (mapperFile == null) throw new IOException("no mapper chosen");
            info = MapperFolders.read(mapperFile);
        } catch (IOException | RuntimeException e) {
            status.fail("Mapper not applied", e);
            return;
        }
        String prompt = info.prompt();
        Path file = info.file();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("method", EditMethod.MAPPER.name());
        settings.put("mapper", file.toString());
        if (prompt != null) settings.put("prompt", prompt);
        edit.mapperFileProperty().set(file);
        edit.mapperStrength().set(strength);
        edit.save(prefs);
        document.addStep(new RecipeStep.Mapper(prompt, file, strength, true, settings, Map.of()),
                String.format(Locale.ROOT, "mapper “%s” λ_delta %.2f", prompt, strength), prompt);
    }

    private void runDirection() {
        String target;
        String neutral;
        try {
            editable();
            target = prompt();
            neutral = neutral();
            DirectionsPort.DirectionsInfo info = directions.refresh();
            if (info == null || !info.prepared()) {
                throw new IllegalStateException(info == null ? "the global directions are not prepared" : info.description());
            }
        } catch (RuntimeException e) {
            status.fail("Cannot run", e);
            return;
        }
        edit.remember(target);
        edit.save(prefs);
        DirectionsPort.DirectionRequest r = new DirectionsPort.DirectionRequest(neutral, target, edit.alpha().get(), edit.beta().get());
        editRunning.set(true);
        BackgroundTask<RecipeStep.Direction> task = status.<RecipeStep.Direction>task("global direction: " + target, "Global direction failed")
                .onFinished(() -> {
                    editRunning.set(false);
                    editTask = null;
                })
                .onSuccess(step -> document.addStep(step, String.format(Locale.ROOT, "direction “%s” α %.2f β %.2f",
                        step.label(), r.alpha(), r.beta()), target));
        editTask = StudioPort.start(task, () -> directionsBackend.direction(r, task));
    }

    private void runOptimisation() {
        EditRequest r;
        try {
            r = editRequest();
        } catch (RuntimeException e) {
            status.fail("Cannot run", e);
            return;
        }
        edit.remember(r.prompt());
        edit.save(prefs);
        Snapshot start = document.current();
        live.startRun(r.steps());
        editRunning.set(true);
        editPaused.set(false);
        BackgroundTask<EditResult> task = status.<EditResult>task("editing: " + r.prompt(), "Edit failed")
                .onFinished(() -> {
                    editRunning.set(false);
                    editPaused.set(false);
                    editTask = null;
                })
                .onFrame(f -> {
                    live.onFrame(f, clock.getAsLong());
                    status.jobProperty().set(String.format(Locale.ROOT, "editing: step %d/%d", f.step(), f.total()));
                })
                .onFailure(error -> {
                    document.showCurrent();
                    if (error instanceof DivergedException) {
                        status.notice(new Notice(Notice.Level.ERROR, "The optimisation diverged",
                                Notice.describe(error) + " — lower the learning rate; the face is unchanged"));
                    } else {
                        status.fail("Edit failed", error);
                    }
                })
                .onCancelled(() -> {
                    document.showCurrent();
                    status.info("Cancelled", "the edit was cancelled; the face is unchanged");
                })
                .onSuccess(res -> optimised(start, r, res));
        editTask = StudioPort.start(task, () -> backend.edit(r, task));
    }

    private void optimised(Snapshot start, EditRequest r, EditResult res) {
        if (Double.isFinite(live.msPerStep())) {
            prefs.putDouble(timingKey(), live.msPerStep());
            showEstimate();
        }
        List<RecipeStep> e = new ArrayList<>(start.edits());
        e.add(Steps.of(res));
        String action = "edit “" + r.prompt() + "”";
        // the composed latent as a re-render of the stack computes it (start + 1·offset), not the run's own w
        if (start.hasStyleEdits()) document.changeEdits(e, action, null);
        else document.commit(start.withEdits(e, res.image(), start.composed().plus(res.ws().minus(start.composed()), 1.0), action));
        status.messageProperty().set("edit done: " + CompareViewModel.caption(res.metrics()));
        if (res.warning() != null) {
            status.warn("The optimisation diverged", res.warning() + " — the last good step was kept as the edit (undo removes it)");
        }
    }

    public void togglePause() {
        StudioPort.Task t = editTask;
        if (t == null) return;
        if (t.isPaused()) {
            t.resume();
            editPaused.set(false);
            status.jobProperty().set("editing: resuming…");
        } else {
            t.pause();
            editPaused.set(true);
            status.jobProperty().set(String.format(Locale.ROOT, "editing: paused after step %d/%d — Resume continues",
                    live.stepProperty().get(), live.totalProperty().get()));
        }
    }

    /** Cancels the running edit and compare grid (each stops at its next step; the status says so until then). */
    public void cancel() {
        StudioPort.Task t = editTask;
        if (t != null) {
            t.resume();
            t.cancel();
            status.jobProperty().set("cancelling the edit…");
        }
        if (compare.runningProperty().get()) {
            compare.cancel();
            status.jobProperty().set("cancelling the grid…");
        }
    }

    // ---- compare ------------------------------------------------------------------------------------------------

    /**
     * Fills the compare grid for the current method: optimisation runs over λ_L2 × λ_ID (and prompt variants), the
     * chosen mapper over its λ_delta values, or the global direction over β (rows) × α (columns).
     */
    public void runCompare() {
        try {
            Snapshot cur = editable();
            CompareViewModel.Base base = new CompareViewModel.Base(cur.base(), cur.edits(), Document.sourceRequest(cur.source()));
            switch (edit.methodProperty().get()) {
                case MAPPER -> {
                    Path f = edit.mapperFileProperty().get();
                    if (f == null) throw new IllegalStateException(runUnavailableReason());
                    String p = mapperPrompt(f);
                    compare.runMapper(base, f, p != null ? p : f.getFileName().toString(), e -> status.fail("A grid cell failed", e),
                            status.begin("compare grid"));
                }
                case GLOBAL_DIRECTION -> {
                    DirectionsPort.DirectionsInfo info = directionsBackend.directionsInfo();
                    if (!info.prepared()) throw new IllegalStateException(info.description());
                    compare.runDirections(base, neutral(), prompt(), e -> status.fail("A grid cell failed", e), status.begin("compare grid"));
                }
                default -> compare.run(editRequest(), c -> { }, e -> status.fail("A grid cell failed", e), status.begin("compare grid"));
            }
        } catch (RuntimeException e) {
            status.fail("Cannot run the grid", e);
        }
    }

    /** Adds the clicked grid cell's edit (else the best cell's) to the stack (undoable). */
    public void promote() {
        CompareViewModel.Cell cell = compare.toPromote();
        Snapshot cur = document.current();
        if (cell == null || cur == null || cur.base() == null) {
            status.warn("Promote", "no finished grid cell yet");
            return;
        }
        compare.selectedProperty().set(null);
        document.addStep(cell.step(), "promote grid cell “" + cell.step().label() + "” (" + compare.describe(cell) + ")", null);
    }

    /** A clicked cell is shown large beside the source, until Promote adds it or another state is shown. */
    private void showSelected(CompareViewModel.Cell cell) {
        if (cell == null || cell.imageProperty().get() == null) return;
        live.currentProperty().set(cell.imageProperty().get());
        live.currentLabelProperty().set("grid cell “" + cell.prompt + "” " + compare.describe(cell) + " — not applied: Promote adds it");
        live.showScores(cell.metrics());
    }
}
