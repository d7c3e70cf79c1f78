package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.studio.service.EditPort;
import dev.styleclip.studio.service.SourcePort.GenerateRequest;
import dev.styleclip.studio.service.SourcePort.Rendered;
import dev.styleclip.studio.service.EditPort.StackRequest;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The document every panel works on: the current {@link Snapshot} (source, edit stack, pictures) in an undo
 * {@link History}, shown in the live view, and the queue that re-renders the stack after a change. Panels change it
 * only through {@link #commit} and {@link #changeEdits}, so undo, the live view and the stack list never disagree.
 * While a run that will change the document is going (an edit, an inversion: see {@link #guardWith}), undo and redo
 * wait and the document is {@link #busyProperty() busy}.
 */
public final class Document {
    private final EditPort backend;
    private final StatusViewModel status;
    private final LiveViewModel live;
    private final History<Snapshot> history = new History<>(100);
    private final ObservableList<RecipeStep> editStack = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper hasLatent = new ReadOnlyBooleanWrapper(this, "hasLatent");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final List<ObservableBooleanValue> runs = new ArrayList<>();
    private final List<Consumer<Snapshot>> shownListeners = new ArrayList<>();
    /** Re-rendering the stack: one render at a time, and only the latest stack waits (slider drags coalesce). */
    private boolean rendering;
    private PendingRender pendingRender;

    /** A render waiting for the running one; {@code preview}: only show the picture (a slider being dragged). */
    private record PendingRender(List<RecipeStep> edits, String action, String metricsPrompt, boolean preview) {
    }

    Document(EditPort backend, StatusViewModel status, LiveViewModel live) {
        this.backend = backend;
        this.status = status;
        this.live = live;
    }

    public History<Snapshot> history() {
        return history;
    }

    public Snapshot current() {
        return history.current();
    }

    /** The current stack, as the Edit tab's list shows it. */
    public ObservableList<RecipeStep> editStack() {
        return editStack;
    }

    /** Whether the current face has a latent (edits need one; an aligned photo has none until inverted). */
    public ReadOnlyBooleanProperty hasLatentProperty() {
        return hasLatent.getReadOnlyProperty();
    }

    /** Whether a run that will change the document is going. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** Makes the document busy while {@code running} is true (several runs may guard it). */
    void guardWith(ObservableBooleanValue running) {
        runs.add(running);
        running.addListener((o, a, b) -> busy.set(runs.stream().anyMatch(ObservableBooleanValue::get)));
    }

    /** Called with every state shown (after a change, undo, redo, a session opened): e.g. the source panel's seed. */
    void onShown(Consumer<Snapshot> listener) {
        shownListeners.add(listener);
    }

    /** A new state, undoable. */
    void commit(Snapshot s) {
        history.push(s);
        show(s);
    }

    /**
     * A new state that, when the current one came from the same action (a ψ slider dragged, say), replaces it: one
     * undo step for one adjustment, however many pictures it rendered on the way.
     */
    void commitMerging(Snapshot s) {
        Snapshot cur = history.current();
        if (cur != null && cur.action().equals(s.action())) history.replace(s);
        else history.push(s);
        show(s);
    }

    /** Replaces the whole history (a session opened). */
    void reset(List<Snapshot> states, int index) {
        history.reset(states, index);
        showCurrent();
    }

    /**
     * Shows the current state again after a run that did not become part of it (failed, cancelled) drew its frames
     * and curves: those go, so nothing on screen describes a run the document does not hold.
     */
    void showCurrent() {
        live.clearRun();
        show(history.current());
    }

    private void show(Snapshot s) {
        if (s == null) return;
        editStack.setAll(s.edits());
        live.faceCheckProperty().set("");
        live.beforeProperty().set(s.baseImage());
        live.beforeLabelProperty().set("before — " + s.source().describe());
        live.currentProperty().set(s.current());
        live.currentLabelProperty().set(currentLabel(s.edits()));
        live.showScores(lastMetrics(s.edits()));
        hasLatent.set(s.base() != null);
        if (s.base() == null && s.source().kind().equals("photo")) live.beforeLabelProperty().set("aligned photo — invert it to edit");
        for (Consumer<Snapshot> l : shownListeners) l.accept(s);
    }

    public void undo() {
        if (busy.get() || renderingStack()) return;
        history.undo();
        showCurrent();
    }

    public void redo() {
        if (busy.get() || renderingStack()) return;
        history.redo();
        showCurrent();
    }

    /** "current (no edits)", "current — 1 edit", "current — 3 edits (1 off)". */
    static String currentLabel(List<RecipeStep> edits) {
        return edits.isEmpty() ? "current (no edits)" : "current — " + Steps.count(edits);
    }

    /** The scores of the last switched-on step that has them (what the picture shows), else none. */
    private static Map<String, Double> lastMetrics(List<RecipeStep> edits) {
        for (int i = edits.size() - 1; i >= 0; i--) {
            RecipeStep e = edits.get(i);
            if (e.enabled() && !e.metrics().isEmpty()) return e.metrics();
        }
        return Map.of();
    }

    // ---- the render queue -----------------------------------------------------------------------------------------

    /**
     * Re-renders the stack after a change (strength, on/off, removal, a new mapper or direction step) as one undoable
     * step; a {@code metricsPrompt} (may be null) also scores the result (status line, live view). One render runs at a
     * time; while it runs only the latest requested stack waits, so dragging a strength slider renders the latest
     * position, never every intermediate one.
     */
    void changeEdits(List<RecipeStep> edits, String action, String metricsPrompt) {
        render(new PendingRender(List.copyOf(edits), action, metricsPrompt, false));
    }

    /** Shows {@code edits} rendered without committing them (a slider being dragged). */
    void preview(List<RecipeStep> edits) {
        render(new PendingRender(List.copyOf(edits), "preview", null, true));
    }

    /** Adds a step at the end of the stack and renders it, scored against {@code metricsPrompt} (may be null). */
    void addStep(RecipeStep step, String action, String metricsPrompt) {
        List<RecipeStep> e = new ArrayList<>(latestEdits());
        e.add(step);
        changeEdits(e, action, metricsPrompt);
    }

    /** The stack the next change starts from: the latest one asked for, even if it is still rendering. */
    List<RecipeStep> latestEdits() {
        if (pendingRender != null && !pendingRender.preview()) return pendingRender.edits();
        return List.copyOf(editStack);
    }

    /** Whether a stack render is running or waiting (tests wait for it). */
    public boolean renderingStack() {
        return rendering || pendingRender != null;
    }

    /** The generator settings a state's source was made with (what a re-render of its stack needs). */
    static GenerateRequest sourceRequest(SourceState s) {
        return new GenerateRequest(s.seed(), s.psi(), s.translateX(), s.translateY(), s.rotateDeg());
    }

    private void render(PendingRender r) {
        if (history.current() == null) return;
        if (rendering) {
            // latest wins, but a preview never pushes out a change waiting to be committed
            if (!r.preview() || pendingRender == null || pendingRender.preview()) pendingRender = r;
            return;
        }
        renderNow(r);
    }

    private void renderNow(PendingRender r) {
        Snapshot cur = history.current();
        if (cur.base() == null) {
            if (!r.preview()) commit(cur.withEdits(r.edits(), cur.current(), null, r.action()));
            return;
        }
        rendering = true;
        BackgroundTask<Rendered> task = status.<Rendered>task("rendering", "Render failed")
                .onFinished(() -> rendering = false)
                .onFailure(error -> {
                    status.fail("Render failed", error);
                    showCurrent();
                    renderPending();
                })
                .onCancelled(() -> {
                    showCurrent();
                    renderPending();
                });
        backend.renderStack(new StackRequest(cur.base(), r.edits(), sourceRequest(cur.source()), r.metricsPrompt()), task.onSuccess(res -> {
            if (r.preview()) {
                // only while no newer state was committed meanwhile
                if (history.current() == cur) live.currentProperty().set(res.image());
                renderPending();
                return;
            }
            commit(cur.withEdits(r.edits(), res.image(), res.ws(), r.action()));
            if (!res.metrics().isEmpty()) {
                live.clipScoreProperty().set(res.metrics().getOrDefault("clip_score", Double.NaN));
                live.idSimilarityProperty().set(res.metrics().getOrDefault("id_similarity", Double.NaN));
                status.messageProperty().set(r.action() + ": " + CompareViewModel.caption(res.metrics()));
            }
            renderPending();
            if (!rendering) checkFaces(history.current());
        }));
    }

    private void renderPending() {
        PendingRender p = pendingRender;
        pendingRender = null;
        if (p != null) renderNow(p);
    }

    /** Asks face-api whether the edited face is still the same person (after the stack settles; needs face-api). */
    private void checkFaces(Snapshot s) {
        live.faceCheckProperty().set("");
        if (s == null || !backend.faceApiAvailable() || s.edits().isEmpty() || s.baseImage() == null || s.current() == null) return;
        backend.faceCheck(s.baseImage(), s.current(), new StudioPort.Listener<>() {
            @Override
            public void done(String line) {
                if (history.current() == s) live.faceCheckProperty().set("face-api: " + line);
            }

            @Override
            public void failed(Throwable error) {
                if (history.current() == s) live.faceCheckProperty().set("face-api: " + error.getMessage());
            }
        });
    }
}
