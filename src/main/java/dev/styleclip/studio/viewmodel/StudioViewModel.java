package dev.styleclip.studio.viewmodel;

import dev.styleclip.AppInfo;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.Latents;
import dev.styleclip.studio.service.PngExport;
import dev.styleclip.studio.service.StudioBackend;
import dev.styleclip.studio.service.StudioBackend.EditMethod;
import dev.styleclip.studio.service.StudioBackend.EditRequest;
import dev.styleclip.studio.service.StudioBackend.EditResult;
import dev.styleclip.studio.service.StudioBackend.GenerateRequest;
import dev.styleclip.studio.service.StudioBackend.PhotoFaces;
import dev.styleclip.studio.service.StudioBackend.Rendered;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * The studio's state and commands (no JavaFX nodes, no NDArrays; unit-testable without a stage with a fake
 * {@link StudioBackend}). The document is a {@link Snapshot} (source + edit stack + pictures) kept in an undo
 * {@link History}; every failure becomes a {@link Notice} and leaves the document as it was.
 */
public final class StudioViewModel {
    public static final double PSI_MIN = -1, PSI_MAX = 2;

    private final StudioBackend backend;
    private final StudioPrefs prefs;
    private final MainViewModel models;
    private final EditSettings edit = new EditSettings();
    private final LiveViewModel live = new LiveViewModel();
    private final CompareViewModel compare;
    private final History<Snapshot> history = new History<>(100);
    private final LongSupplier clock;

    private final LongProperty seed = new SimpleLongProperty(this, "seed", 0);
    private final DoubleProperty psi = new SimpleDoubleProperty(this, "psi", 0.7);
    private final DoubleProperty translateX = new SimpleDoubleProperty(this, "translateX", 0);
    private final DoubleProperty translateY = new SimpleDoubleProperty(this, "translateY", 0);
    private final DoubleProperty rotate = new SimpleDoubleProperty(this, "rotate", 0);

    private final ObservableList<EditEntry> editStack = FXCollections.observableArrayList();
    private final ObservableList<Notice> notices = FXCollections.observableArrayList();
    private final StringProperty jobState = new SimpleStringProperty(this, "jobState", "idle");
    private final StringProperty status = new SimpleStringProperty(this, "status", "");
    private final StringProperty memory = new SimpleStringProperty(this, "memory", "");
    private final StringProperty generatorLabel = new SimpleStringProperty(this, "generatorLabel", "");
    private final BooleanProperty demo = new SimpleBooleanProperty(this, "demo");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy");
    private final BooleanProperty editRunning = new SimpleBooleanProperty(this, "editRunning");
    private final BooleanProperty editPaused = new SimpleBooleanProperty(this, "editPaused");
    private final BooleanProperty hasLatent = new SimpleBooleanProperty(this, "hasLatent");
    private final BooleanProperty hasImage = new SimpleBooleanProperty(this, "hasImage");
    private final ObjectProperty<PhotoFaces> photo = new SimpleObjectProperty<>(this, "photo");
    private final IntegerProperty selectedFace = new SimpleIntegerProperty(this, "selectedFace", -1);
    private final ObservableList<double[]> clickedPoints = FXCollections.observableArrayList();
    private final ObjectProperty<Path> sessionFile = new SimpleObjectProperty<>(this, "sessionFile");
    private StudioBackend.Task editTask;
    private int running;

    public StudioViewModel(StudioBackend backend, MainViewModel models, StudioPrefs prefs) {
        this(backend, models, prefs, System::currentTimeMillis);
    }

    public StudioViewModel(StudioBackend backend, MainViewModel models, StudioPrefs prefs, LongSupplier clock) {
        this.backend = backend;
        this.models = models;
        this.prefs = prefs;
        this.clock = clock;
        this.compare = new CompareViewModel(backend);
        edit.load(prefs);
        psi.set(clamp(prefs.getDouble("source.psi", psi.get()), PSI_MIN, PSI_MAX));
        seed.set(Math.max(0, Math.min(0xffffffffL, (long) prefs.getDouble("source.seed", 0))));
        refreshModels();
        refreshMemory();
    }

    // ---- properties -------------------------------------------------------------------------------------------

    public StudioBackend backend() {
        return backend;
    }

    public StudioPrefs prefs() {
        return prefs;
    }

    public MainViewModel models() {
        return models;
    }

    public EditSettings edit() {
        return edit;
    }

    public LiveViewModel live() {
        return live;
    }

    public CompareViewModel compare() {
        return compare;
    }

    public History<Snapshot> history() {
        return history;
    }

    public LongProperty seedProperty() {
        return seed;
    }

    public DoubleProperty psiProperty() {
        return psi;
    }

    public DoubleProperty translateXProperty() {
        return translateX;
    }

    public DoubleProperty translateYProperty() {
        return translateY;
    }

    public DoubleProperty rotateProperty() {
        return rotate;
    }

    public ObservableList<EditEntry> editStack() {
        return editStack;
    }

    public ObservableList<Notice> notices() {
        return notices;
    }

    public StringProperty jobStateProperty() {
        return jobState;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public StringProperty memoryProperty() {
        return memory;
    }

    public StringProperty generatorLabelProperty() {
        return generatorLabel;
    }

    public BooleanProperty demoProperty() {
        return demo;
    }

    public BooleanProperty busyProperty() {
        return busy;
    }

    public BooleanProperty editRunningProperty() {
        return editRunning;
    }

    public BooleanProperty editPausedProperty() {
        return editPaused;
    }

    public BooleanProperty hasLatentProperty() {
        return hasLatent;
    }

    public BooleanProperty hasImageProperty() {
        return hasImage;
    }

    public ObjectProperty<PhotoFaces> photoProperty() {
        return photo;
    }

    public IntegerProperty selectedFaceProperty() {
        return selectedFace;
    }

    /** Points clicked on the photo, in photo pixels: left eye, right eye, left mouth corner, right mouth corner. */
    public ObservableList<double[]> clickedPoints() {
        return clickedPoints;
    }

    public ObjectProperty<Path> sessionFileProperty() {
        return sessionFile;
    }

    public String deviceName() {
        return backend.deviceName();
    }

    public String title() {
        return AppInfo.NAME;
    }

    /** Whether Run can start: an engine for the method, a latent to start from, nothing running. */
    public BooleanBinding canRunProperty() {
        return Bindings.createBooleanBinding(() -> backend.editAvailable(edit.methodProperty().get()) && hasLatent.get()
                && !editRunning.get(), edit.methodProperty(), hasLatent, editRunning);
    }

    /** Why Run is disabled (tooltip text), or "" when it is enabled. */
    public String runUnavailableReason() {
        String r = backend.editUnavailableReason(edit.methodProperty().get());
        if (r != null) return r;
        if (!hasLatent.get()) return "generate a face first (photos need inversion, which is not in this build yet)";
        return "";
    }

    public Snapshot current() {
        return history.current();
    }

    // ---- notices ----------------------------------------------------------------------------------------------

    public void notice(Notice n) {
        notices.add(n);
        while (notices.size() > 50) notices.remove(0);
        status.set(n.title() + ": " + n.text());
    }

    private void fail(String title, Throwable t) {
        notice(Notice.error(title, t));
    }

    private void info(String title, String text) {
        notice(new Notice(Notice.Level.INFO, title, text));
    }

    private void started(String what) {
        running++;
        busy.set(true);
        jobState.set(what);
    }

    private void finished() {
        running = Math.max(0, running - 1);
        busy.set(running > 0);
        if (running == 0) jobState.set("idle");
    }

    // ---- models & status ----------------------------------------------------------------------------------------

    public void refreshModels() {
        models.refresh();
        try {
            generatorLabel.set(backend.generatorLabel());
            demo.set(backend.demo());
        } catch (RuntimeException e) {
            fail("Models", e);
        }
    }

    public void refreshMemory() {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        memory.set(String.format(Locale.ROOT, "heap %d / %d MiB", used >> 20, rt.maxMemory() >> 20));
    }

    // ---- source -------------------------------------------------------------------------------------------------

    public void randomSeed() {
        seed.set(new Random().nextInt(Integer.MAX_VALUE));
        generate();
    }

    public void nextSeed() {
        seed.set(Math.min(0xffffffffL, seed.get() + 1));
        generate();
    }

    public void previousSeed() {
        seed.set(Math.max(0, seed.get() - 1));
        generate();
    }

    /** Parses a typed seed (0 … 2^32−1); bad text becomes a notice. */
    public boolean setSeedText(String text) {
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0 || v > 0xffffffffL) throw new NumberFormatException();
            seed.set(v);
            return true;
        } catch (NumberFormatException e) {
            notice(new Notice(Notice.Level.WARNING, "Seed", "'" + text.trim() + "' is not a seed (0 … 4294967295)"));
            return false;
        }
    }

    private GenerateRequest request() {
        return new GenerateRequest(seed.get(), clamp(psi.get(), PSI_MIN, PSI_MAX), translateX.get(), translateY.get(), rotate.get());
    }

    private static double clamp(double v, double lo, double hi) {
        return Double.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : lo;
    }

    /** Generates the face of the current seed on the compute thread; it becomes the new source (undoable). */
    public void generate() {
        GenerateRequest r = request();
        prefs.putDouble("source.seed", r.seed());
        prefs.putDouble("source.psi", r.psi());
        started("generating seed " + r.seed());
        backend.generate(r, new StudioBackend.Listener<>() {
            @Override
            public void done(Rendered res) {
                finished();
                SourceState src = SourceState.seed(r.seed(), r.psi(), r.translateX(), r.translateY(), r.rotateDeg(),
                        res.generator(), res.demo());
                photo.set(null);
                commit(new Snapshot(src, res.ws(), res.image(), List.of(), res.image(), "generate seed " + r.seed()));
                status.set("seed " + r.seed() + (res.demo() ? " — demo network (random weights, not a face)" : ""));
            }

            @Override
            public void failed(Throwable error) {
                finished();
                fail("Generate failed", error);
            }

            @Override
            public void cancelled() {
                finished();
            }
        });
    }

    /** Opens a W+ latent ({@code .npz} as the edit engine writes it) as the source face (undoable). */
    public void importLatent(Path file) {
        Latents w;
        try {
            var l = dev.styleclip.edit.LatentFile.read(file);
            w = new Latents(l.numWs(), l.wDim(), l.values());
        } catch (IOException | RuntimeException e) {
            fail("Latent not opened", e);
            return;
        }
        started("rendering latent");
        backend.synthesize(w, null, new StudioBackend.Listener<>() {
            @Override
            public void done(Rendered r) {
                finished();
                SourceState src = new SourceState("latent", 0, 1, 0, 0, 0, file.toString(), r.generator(), r.demo());
                photo.set(null);
                commit(new Snapshot(src, w, r.image(), List.of(), r.image(), "open latent " + file.getFileName()));
            }

            @Override
            public void failed(Throwable error) {
                finished();
                fail("Latent not opened", error);
            }

            @Override
            public void cancelled() {
                finished();
            }
        });
    }

    /** Reads a photo and looks for faces; the user then picks one or clicks the four points. */
    public void importPhoto(Path file) {
        started("reading photo");
        clickedPoints.clear();
        selectedFace.set(-1);
        prefs.put("folder.photos", file.toAbsolutePath().getParent() == null ? null : file.toAbsolutePath().getParent().toString());
        backend.detectFaces(file, new StudioBackend.Listener<>() {
            @Override
            public void done(PhotoFaces res) {
                finished();
                photo.set(res);
                live.beforeProperty().set(res.photo());
                live.beforeLabelProperty().set("photo " + file.getFileName());
                if (!res.faces().isEmpty()) selectedFace.set(0);
                if (res.note() != null) notice(new Notice(Notice.Level.INFO, "Photo", res.note()));
                else info("Photo", res.faces().size() + " face(s) found: pick one, then Align");
            }

            @Override
            public void failed(Throwable error) {
                finished();
                fail("Photo not imported", error);
            }

            @Override
            public void cancelled() {
                finished();
            }
        });
    }

    /** Adds a clicked point (photo pixels); after four, alignment may use them. */
    public void addPoint(double x, double y) {
        if (clickedPoints.size() >= 4) clickedPoints.clear();
        clickedPoints.add(new double[]{x, y});
    }

    public static String pointName(int i) {
        return List.of("left eye", "right eye", "left mouth corner", "right mouth corner").get(i);
    }

    /** Aligns the chosen face (or the four clicked points) of the imported photo; it becomes the source picture. */
    public void align() {
        PhotoFaces p = photo.get();
        if (p == null) {
            notice(new Notice(Notice.Level.WARNING, "Align", "import a photo first"));
            return;
        }
        double[] pts = null;
        if (clickedPoints.size() == 4) {
            pts = new double[8];
            for (int i = 0; i < 4; i++) {
                pts[2 * i] = clickedPoints.get(i)[0];
                pts[2 * i + 1] = clickedPoints.get(i)[1];
            }
        } else if (selectedFace.get() < 0) {
            notice(new Notice(Notice.Level.WARNING, "Align", "pick a face, or click the eyes and mouth corners (4 points)"));
            return;
        }
        started("aligning");
        backend.align(p.file(), selectedFace.get(), pts, new StudioBackend.Listener<>() {
            @Override
            public void done(Pixels img) {
                finished();
                SourceState src = new SourceState("photo", 0, 1, 0, 0, 0, p.file().toString(), backend.generatorLabel(), backend.demo());
                commit(new Snapshot(src, null, img, List.of(), img, "align photo"));
                info("Aligned", "the photo is the source; inversion to a latent is not in this build yet");
            }

            @Override
            public void failed(Throwable error) {
                finished();
                fail("Alignment failed", error);
            }

            @Override
            public void cancelled() {
                finished();
            }
        });
    }

    // ---- document -----------------------------------------------------------------------------------------------

    private void commit(Snapshot s) {
        history.push(s);
        show(s);
    }

    private void show(Snapshot s) {
        if (s == null) return;
        editStack.setAll(s.edits());
        live.beforeProperty().set(s.baseImage());
        live.beforeLabelProperty().set("before — " + s.source().describe());
        live.currentProperty().set(s.current());
        live.currentLabelProperty().set(s.edits().isEmpty() ? "current (no edits)" : "current — " + s.edits().size() + " edit(s)");
        hasLatent.set(s.base() != null);
        hasImage.set(s.current() != null);
        if (s.source().fromSeed()) {
            seed.set(s.source().seed());
            psi.set(s.source().psi());
        }
    }

    public void undo() {
        if (editRunning.get()) return;
        show(history.undo());
    }

    public void redo() {
        if (editRunning.get()) return;
        show(history.redo());
    }

    /** Re-renders the stack after a change of strength or on/off, as one undoable step. */
    private void changeEdits(List<EditEntry> edits, String action) {
        Snapshot cur = history.current();
        if (cur == null) return;
        Latents w = Snapshot.compose(cur.base(), edits);
        if (w == null) {
            commit(new Snapshot(cur.source(), cur.base(), cur.baseImage(), edits, cur.current(), action));
            return;
        }
        started("rendering");
        backend.synthesize(w, genRequest(cur.source()), new StudioBackend.Listener<>() {
            @Override
            public void done(Rendered r) {
                finished();
                commit(new Snapshot(cur.source(), cur.base(), cur.baseImage(), edits, r.image(), action));
            }

            @Override
            public void failed(Throwable error) {
                finished();
                fail("Render failed", error);
                show(history.current());
            }

            @Override
            public void cancelled() {
                finished();
                show(history.current());
            }
        });
    }

    private static GenerateRequest genRequest(SourceState s) {
        return new GenerateRequest(s.seed(), s.psi(), s.translateX(), s.translateY(), s.rotateDeg());
    }

    public void setStrength(int index, double strength) {
        Snapshot cur = history.current();
        if (cur == null || index < 0 || index >= cur.edits().size() || !Double.isFinite(strength)) return;
        List<EditEntry> e = new ArrayList<>(cur.edits());
        e.set(index, e.get(index).withStrength(strength));
        changeEdits(e, String.format(Locale.ROOT, "strength of “%s” → %.2f", e.get(index).label(), strength));
    }

    public void setEnabled(int index, boolean enabled) {
        Snapshot cur = history.current();
        if (cur == null || index < 0 || index >= cur.edits().size()) return;
        List<EditEntry> e = new ArrayList<>(cur.edits());
        e.set(index, e.get(index).withEnabled(enabled));
        changeEdits(e, (enabled ? "enable “" : "disable “") + e.get(index).label() + "”");
    }

    public void removeEdit(int index) {
        Snapshot cur = history.current();
        if (cur == null || index < 0 || index >= cur.edits().size()) return;
        List<EditEntry> e = new ArrayList<>(cur.edits());
        EditEntry gone = e.remove(index);
        changeEdits(e, "remove “" + gone.label() + "”");
    }

    // ---- edit runs ----------------------------------------------------------------------------------------------

    private EditRequest editRequest() {
        Snapshot cur = history.current();
        if (cur == null || cur.base() == null) throw new IllegalStateException("generate a face first");
        String prompt = edit.promptProperty().get() == null ? "" : edit.promptProperty().get().strip();
        if (prompt.isEmpty()) throw new IllegalArgumentException("type a prompt first");
        if (prompt.length() > 300) throw new IllegalArgumentException("the prompt is too long (at most 300 characters)");
        return new EditRequest(prompt, edit.methodProperty().get(), cur.composed(), genRequest(cur.source()),
                edit.lambdaL2().get(), edit.lambdaId().get(), edit.lr().get(), (int) edit.steps().get(),
                edit.scheduleProperty().get(), edit.coarseProperty().get(), edit.mediumProperty().get(), edit.fineProperty().get());
    }

    /** Runs the edit on the current face (Ctrl+Enter). */
    public void runEdit() {
        if (editRunning.get()) return;
        EditRequest r;
        try {
            r = editRequest();
            if (!backend.editAvailable(r.method())) throw new UnsupportedOperationException(backend.editUnavailableReason(r.method()));
        } catch (RuntimeException e) {
            fail("Cannot run", e);
            return;
        }
        edit.remember(r.prompt());
        edit.save(prefs);
        Snapshot start = history.current();
        live.startRun(r.steps());
        editRunning.set(true);
        editPaused.set(false);
        started("editing: " + r.prompt());
        editTask = backend.edit(r, new StudioBackend.Listener<>() {
            @Override
            public void frame(Frame f) {
                live.onFrame(f, clock.getAsLong());
                jobState.set(String.format(Locale.ROOT, "editing: step %d/%d", f.step(), f.total()));
            }

            @Override
            public void done(EditResult res) {
                end();
                List<EditEntry> e = new ArrayList<>(start.edits());
                e.add(new EditEntry(r.method() == EditMethod.MAPPER ? "mapper" : r.method() == EditMethod.GLOBAL_DIRECTION
                        ? "direction" : "optimisation", r.prompt(), settingsOf(r), res.ws().minus(r.start()), 1.0, true, res.metrics()));
                commit(new Snapshot(start.source(), start.base(), start.baseImage(), e, res.image(), "edit “" + r.prompt() + "”"));
                status.set("edit done: " + CompareViewModel.caption(res.metrics()));
                if (res.warning() != null) {
                    notice(new Notice(Notice.Level.WARNING, "The optimisation diverged",
                            res.warning() + " — the last good step was kept as the edit (undo removes it)"));
                }
            }

            @Override
            public void failed(Throwable error) {
                end();
                show(history.current());
                if (error instanceof DivergedException) {
                    notice(new Notice(Notice.Level.ERROR, "The optimisation diverged",
                            Notice.describe(error) + " — lower the learning rate; the face is unchanged"));
                } else {
                    fail("Edit failed", error);
                }
            }

            @Override
            public void cancelled() {
                end();
                show(history.current());
                info("Cancelled", "the edit was cancelled; the face is unchanged");
            }

            private void end() {
                finished();
                editRunning.set(false);
                editPaused.set(false);
                editTask = null;
            }
        });
    }

    static Map<String, Object> settingsOf(EditRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("prompt", r.prompt());
        m.put("method", r.method().name());
        m.put("lambda_l2", r.lambdaL2());
        m.put("lambda_id", r.lambdaId());
        m.put("lr", r.lr());
        m.put("steps", r.steps());
        m.put("schedule", r.schedule());
        m.put("coarse", r.coarse());
        m.put("medium", r.medium());
        m.put("fine", r.fine());
        return m;
    }

    public void togglePause() {
        StudioBackend.Task t = editTask;
        if (t == null) return;
        if (t.isPaused()) {
            t.resume();
            editPaused.set(false);
        } else {
            t.pause();
            editPaused.set(true);
        }
    }

    /** Cancels the running edit and the compare grid (Esc). */
    public void cancel() {
        StudioBackend.Task t = editTask;
        if (t != null) {
            t.resume();
            t.cancel();
        }
        compare.cancel();
    }

    // ---- compare ------------------------------------------------------------------------------------------------

    public void runCompare() {
        EditRequest r;
        try {
            r = editRequest();
            if (!backend.editAvailable(r.method())) throw new UnsupportedOperationException(backend.editUnavailableReason(r.method()));
            started("compare grid");
            compare.run(r, c -> { }, e -> fail("A grid cell failed", e), this::finished);
        } catch (RuntimeException e) {
            fail("Cannot run the grid", e);
        }
    }

    /** Adds the best grid cell to the edit stack (undoable). */
    public void promoteBest() {
        CompareViewModel.Cell best = compare.best();
        Snapshot cur = history.current();
        if (best == null || cur == null) {
            notice(new Notice(Notice.Level.WARNING, "Promote", "no finished grid cell yet"));
            return;
        }
        EditResult res = best.result();
        List<EditEntry> e = new ArrayList<>(cur.edits());
        e.add(new EditEntry("optimisation", res.request().prompt(), settingsOf(res.request()), res.ws().minus(res.request().start()),
                1.0, true, res.metrics()));
        commit(new Snapshot(cur.source(), cur.base(), cur.baseImage(), e, res.image(), "promote grid cell"));
    }

    // ---- export -------------------------------------------------------------------------------------------------

    /** The text entries embedded in exported PNGs (and their JSON sidecars). */
    public Map<String, String> exportText() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("Software", AppInfo.NAME + " " + AppInfo.version());
        Snapshot s = history.current();
        if (s != null) {
            t.put("styleclip.source", s.source().describe());
            t.put("styleclip.generator", s.source().generator());
            if (s.source().fromSeed()) {
                t.put("styleclip.seed", Long.toString(s.source().seed()));
                t.put("styleclip.psi", Double.toString(s.source().psi()));
            }
            StringBuilder edits = new StringBuilder();
            for (EditEntry e : s.edits()) {
                edits.append(String.format(Locale.ROOT, "%s “%s” strength %.2f%s; ", e.kind(), e.label(), e.strength(),
                        e.enabled() ? "" : " (off)"));
            }
            t.put("styleclip.edits", edits.toString().strip());
        }
        edit.toMap().forEach((k, v) -> t.put("styleclip.settings." + k, String.valueOf(v)));
        return t;
    }

    /** Exports before | after side by side (Ctrl+E), with settings in tEXt chunks and a JSON sidecar. */
    public boolean exportBeforeAfter(Path file) {
        Snapshot s = history.current();
        if (s == null || s.current() == null) {
            notice(new Notice(Notice.Level.WARNING, "Export", "nothing to export yet"));
            return false;
        }
        try {
            PngExport.write(file, PngExport.beforeAfter(s.baseImage(), s.current(), "before", "after"), exportText());
            rememberFolder("folder.export", file);
            info("Exported", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Export failed", e);
            return false;
        }
    }

    /** Exports the compare grid with row / column labels and each cell's scores. */
    public boolean exportGrid(Path file) {
        if (compare.cells().isEmpty()) {
            notice(new Notice(Notice.Level.WARNING, "Export grid", "the grid is empty: run it first"));
            return false;
        }
        List<List<PngExport.Cell>> rows = new ArrayList<>();
        for (CompareViewModel.Cell c : compare.cells()) {
            while (rows.size() <= c.row) rows.add(new ArrayList<>());
            rows.get(c.row).add(new PngExport.Cell(c.imageProperty().get(), c.captionProperty().get()));
        }
        try {
            Map<String, String> t = exportText();
            t.put("styleclip.grid.rows", String.join(" | ", compare.rowLabels()));
            t.put("styleclip.grid.columns", String.join(" | ", compare.colLabels()));
            PngExport.write(file, PngExport.grid(rows, compare.rowLabels(), compare.colLabels(),
                    "“" + edit.promptProperty().get() + "”"), t);
            rememberFolder("folder.export", file);
            info("Exported grid", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Export failed", e);
            return false;
        }
    }

    /** Writes the current latent (W+) as the edit engine's {@code .npz} ({@link dev.styleclip.edit.LatentFile}, key "w"). */
    public boolean exportLatents(Path file) {
        Snapshot s = history.current();
        Latents w = s == null ? null : s.composed();
        if (w == null) {
            notice(new Notice(Notice.Level.WARNING, "Export latents", "the current face has no latent"));
            return false;
        }
        try {
            dev.styleclip.edit.LatentFile.write(file, new dev.styleclip.edit.LatentFile.Latent(w.numWs(), w.wDim(), w.values()));
            info("Exported latents", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Export failed", e);
            return false;
        }
    }

    private void rememberFolder(String key, Path file) {
        Path p = file.toAbsolutePath().getParent();
        if (p != null) prefs.put(key, p.toString());
    }

    // ---- sessions & recipes ----------------------------------------------------------------------------------------

    public boolean saveSession(Path file) {
        if (history.current() == null) {
            notice(new Notice(Notice.Level.WARNING, "Save", "nothing to save yet"));
            return false;
        }
        try {
            Map<String, Object> settings = new LinkedHashMap<>(edit.toMap());
            SessionFiles.save(file, new SessionFiles.Session(settings, List.copyOf(edit.promptHistory()), history.states(), history.index()));
            sessionFile.set(file);
            rememberFolder("folder.sessions", file);
            info("Saved", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Save failed", e);
            return false;
        }
    }

    public boolean openSession(Path file) {
        if (editRunning.get()) {
            notice(new Notice(Notice.Level.WARNING, "Open", "cancel the running edit first"));
            return false;
        }
        try {
            SessionFiles.Session s = SessionFiles.open(file);
            edit.fromMap(s.settings());
            edit.promptHistory().setAll(s.promptHistory());
            history.reset(s.history(), s.index());
            show(history.current());
            sessionFile.set(file);
            rememberFolder("folder.sessions", file);
            info("Opened", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Open failed", e);
            return false;
        }
    }

    public boolean saveRecipe(Path file) {
        Snapshot s = history.current();
        if (s == null || s.edits().isEmpty()) {
            notice(new Notice(Notice.Level.WARNING, "Recipe", "the edit stack is empty"));
            return false;
        }
        try {
            SessionFiles.saveRecipe(file, s.edits());
            info("Recipe saved", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Save failed", e);
            return false;
        }
    }

    /** Applies a recipe's edits (after the current ones) to the current face. */
    public boolean openRecipe(Path file) {
        Snapshot s = history.current();
        if (s == null) {
            notice(new Notice(Notice.Level.WARNING, "Recipe", "generate a face first"));
            return false;
        }
        try {
            List<EditEntry> add = SessionFiles.openRecipe(file);
            for (EditEntry e : add) {
                if (e.delta() != null && s.base() != null && !e.delta().sameShape(s.base())) {
                    throw new IOException("the recipe's edit “" + e.label() + "” was made for another generator");
                }
            }
            List<EditEntry> all = new ArrayList<>(s.edits());
            all.addAll(add);
            changeEdits(all, "apply recipe " + file.getFileName());
            return true;
        } catch (IOException | RuntimeException e) {
            fail("Recipe not applied", e);
            return false;
        }
    }

    /** Saves settings and preferences (on close). */
    public void saveSettings() {
        edit.save(prefs);
        prefs.flush();
    }
}
