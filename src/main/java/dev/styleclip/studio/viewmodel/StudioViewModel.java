package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.WGroups;
import dev.styleclip.AppInfo;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.MemoryBudget;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.runtime.ProcessMemory;
import dev.styleclip.studio.service.StudioBackend;
import dev.styleclip.studio.service.StudioBackend.EditMethod;
import dev.styleclip.studio.service.StudioBackend.EditRequest;
import dev.styleclip.studio.service.StudioBackend.EditResult;
import dev.styleclip.studio.service.StudioBackend.GenerateRequest;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.studio.service.StudioBackend.InvertRequest;
import dev.styleclip.studio.service.StudioBackend.Inverted;
import dev.styleclip.studio.service.StudioBackend.StackRequest;
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
    private final ModelsViewModel models;
    private final EditSettings edit = new EditSettings();
    private final LiveViewModel live = new LiveViewModel();
    private final CompareViewModel compare;
    private final MapperViewModel mapper;
    private final History<Snapshot> history = new History<>(100);
    private final StatusViewModel status = new StatusViewModel();
    private final DirectionsViewModel directions;
    private final DocumentFilesViewModel files;
    private final LongSupplier clock;

    private final LongProperty seed = new SimpleLongProperty(this, "seed", 0);
    private final DoubleProperty psi = new SimpleDoubleProperty(this, "psi", 0.7);
    private final DoubleProperty translateX = new SimpleDoubleProperty(this, "translateX", 0);
    private final DoubleProperty translateY = new SimpleDoubleProperty(this, "translateY", 0);
    private final DoubleProperty rotate = new SimpleDoubleProperty(this, "rotate", 0);

    private final ObservableList<RecipeStep> editStack = FXCollections.observableArrayList();
    private final StringProperty memory = new SimpleStringProperty(this, "memory", "");
    private final LongProperty memoryBudget = new SimpleLongProperty(this, "memoryBudget", 0);
    private final StringProperty runEstimate = new SimpleStringProperty(this, "runEstimate", "");
    private final StringProperty generatorLabel = new SimpleStringProperty(this, "generatorLabel", "");
    private final BooleanProperty demo = new SimpleBooleanProperty(this, "demo");
    private final BooleanProperty editRunning = new SimpleBooleanProperty(this, "editRunning");
    private final BooleanProperty editPaused = new SimpleBooleanProperty(this, "editPaused");
    private final BooleanProperty hasLatent = new SimpleBooleanProperty(this, "hasLatent");
    private final BooleanProperty hasImage = new SimpleBooleanProperty(this, "hasImage");
    private final ObjectProperty<PhotoFaces> photo = new SimpleObjectProperty<>(this, "photo");
    private final IntegerProperty selectedFace = new SimpleIntegerProperty(this, "selectedFace", -1);
    private final ObservableList<double[]> clickedPoints = FXCollections.observableArrayList();
    /** Photo inversion: method (encoder by default when one is installed) and projection steps. */
    private final ObjectProperty<PhotoInversion.Method> invertMethod = new SimpleObjectProperty<>(this, "invertMethod");
    private final NumberParam invertSteps = new NumberParam("steps", 200, 10, 1000, 1, 10000, true);
    private final BooleanProperty inverting = new SimpleBooleanProperty(this, "inverting");
    private final StringProperty inversionReport = new SimpleStringProperty(this, "inversionReport", "");
    private StudioBackend.Task editTask;
    private StudioBackend.Task invertTask;
    /** Re-rendering the stack: one render at a time, and only the latest stack waits (slider drags coalesce). */
    private boolean rendering;
    private PendingRender pendingRender;

    /** A render waiting for the running one; {@code preview}: only show the picture (a slider being dragged). */
    private record PendingRender(List<RecipeStep> edits, String action, String metricsPrompt, boolean preview) {
    }

    public StudioViewModel(StudioBackend backend, ModelsViewModel models, StudioPrefs prefs) {
        this(backend, models, prefs, System::currentTimeMillis);
    }

    public StudioViewModel(StudioBackend backend, ModelsViewModel models, StudioPrefs prefs, LongSupplier clock) {
        this.backend = backend;
        this.models = models;
        this.prefs = prefs;
        this.clock = clock;
        this.compare = new CompareViewModel(backend);
        edit.load(prefs);
        String chosen = prefs.get("models.generator", null);
        backend.generators().stream().filter(g -> g.key().equals(chosen)).findFirst().ifPresent(backend::chooseGenerator);
        long budget = (long) prefs.getDouble("memory.budget", 0);
        memoryBudget.set(budget);
        backend.setMemoryBudget(budget);
        // what a run would need: known once a face is there, refreshed when the method or generator changes
        edit.methodProperty().addListener((o, a, b) -> refreshRunEstimate());
        invertMethod.set(backend.encoderAvailable() ? PhotoInversion.Method.ENCODER : PhotoInversion.Method.PROJECTION);
        try {
            invertMethod.set(PhotoInversion.Method.valueOf(prefs.get("invert.method", invertMethod.get().name())));
        } catch (IllegalArgumentException e) {
            // keep the default
        }
        invertSteps.set(prefs.getDouble("invert.steps", invertSteps.get()));
        this.directions = new DirectionsViewModel(backend, prefs, status);
        this.files = new DocumentFilesViewModel(prefs, status, history, edit, compare, inversionReport, editRunning, this::show);
        this.mapper = new MapperViewModel(backend, prefs, dev.styleclip.studio.service.MapperFolders.defaultRoot(models.catalog().dir()),
                edit.promptProperty(), hasLatent, this::applyMapper, status::notice);
        psi.set(clamp(prefs.getDouble("source.psi", psi.get()), PSI_MIN, PSI_MAX));
        seed.set(Math.max(0, Math.min(0xffffffffL, (long) prefs.getDouble("source.seed", 0))));
        refreshModels();
        refreshMemory();
    }

    // ---- properties -------------------------------------------------------------------------------------------

    /** Whether a ReStyle encoder is installed (else photos are inverted by projection). */
    public boolean encoderAvailable() {
        return backend.encoderAvailable();
    }

    public StudioBackend backend() {
        return backend;
    }

    public StudioPrefs prefs() {
        return prefs;
    }

    public ModelsViewModel models() {
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

    /** The Mapper tab: training and the trained mappers. */
    public MapperViewModel mapper() {
        return mapper;
    }

    /** The status bar: notices, message, what runs. */
    public StatusViewModel status() {
        return status;
    }

    /** Export, sessions, recipes: the files of the document. */
    public DocumentFilesViewModel files() {
        return files;
    }

    /** The global directions' preparation. */
    public DirectionsViewModel directions() {
        return directions;
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

    public ObservableList<RecipeStep> editStack() {
        return editStack;
    }

    public ObjectProperty<PhotoInversion.Method> invertMethodProperty() {
        return invertMethod;
    }

    public NumberParam invertSteps() {
        return invertSteps;
    }

    public BooleanProperty invertingProperty() {
        return inverting;
    }

    /** How faithful the last inversion is (method, LPIPS, identity similarity), or "". */
    public StringProperty inversionReportProperty() {
        return inversionReport;
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

    public String deviceName() {
        return backend.deviceName();
    }

    public String title() {
        return AppInfo.NAME;
    }

    /** Whether Run can start: an engine for the method, a latent to start from, nothing running. */
    public BooleanBinding canRunProperty() {
        return Bindings.createBooleanBinding(() -> hasLatent.get() && !editRunning.get() && !inverting.get()
                        && (edit.methodProperty().get() != EditMethod.MAPPER || edit.mapperFileProperty().get() != null),
                edit.methodProperty(), hasLatent, editRunning, inverting, edit.mapperFileProperty());
    }

    /** Why Run is disabled (tooltip text), or "" when it is enabled. */
    public String runUnavailableReason() {
        if (!hasLatent.get()) return "generate a face first, or import a photo, align and invert it";
        if (edit.methodProperty().get() == EditMethod.MAPPER && edit.mapperFileProperty().get() == null) {
            return "choose a trained mapper (Mapper tab, or Open mapper…)";
        }
        return "";
    }

    public Snapshot current() {
        return history.current();
    }

    // ---- models & status ----------------------------------------------------------------------------------------

    /** The generators to choose from: the installed pickles, then the demo networks of the published architectures. */
    public List<GeneratorSource> generators() {
        return backend.generators();
    }

    /** The generator of new faces. */
    public GeneratorSource generator() {
        return backend.generator();
    }

    /**
     * Makes {@code source} the generator from now on (remembered); a face from a seed is generated again with it,
     * other faces stay until the next Generate or Invert (their latents belong to the old generator).
     */
    public void chooseGenerator(GeneratorSource source) {
        if (source == null || source.equals(backend.generator()) && source.key().equals(prefs.get("models.generator", null))) return;
        backend.chooseGenerator(source);
        prefs.put("models.generator", source.key());
        refreshModels();
        refreshRunEstimate();
        Snapshot cur = history.current();
        if (cur != null && "seed".equals(cur.source().kind())) {
            generate();
        } else {
            status.info("Generator", generatorLabel.get() + " — generate a face or invert a photo with it");
        }
    }

    /** The memory budget jobs plan against, in bytes (0: automatic); remembered. */
    public LongProperty memoryBudgetProperty() {
        return memoryBudget;
    }

    /** Sets the memory budget from text ("6G", "900M"; empty or "auto": automatic); false with a notice when bad. */
    public boolean setMemoryBudget(String text) {
        long bytes;
        String t = text == null ? "" : text.trim();
        try {
            bytes = t.isEmpty() || t.equalsIgnoreCase("auto") ? 0 : MemoryBudget.parseSize(t);
        } catch (IllegalArgumentException e) {
            status.warn("Memory budget", e.getMessage());
            return false;
        }
        memoryBudget.set(bytes);
        backend.setMemoryBudget(bytes);
        prefs.putDouble("memory.budget", bytes);
        refreshMemory();
        refreshRunEstimate();
        return true;
    }

    /** "needs about 3.2 GiB of 19.8 GiB; …" for the edit method chosen, next to Run (empty until known). */
    public StringProperty runEstimateProperty() {
        return runEstimate;
    }

    /** Asks the compute thread what a run of the chosen method would need now. */
    public void refreshRunEstimate() {
        backend.memoryEstimate(edit.methodProperty().get(), new StudioBackend.Listener<>() {
            @Override
            public void done(String summary) {
                runEstimate.set(summary == null || summary.isEmpty() ? "" : "memory: " + summary);
            }

            @Override
            public void failed(Throwable t) {
                runEstimate.set("memory: " + Notice.describe(t));
            }
        });
    }

    public void refreshModels() {
        models.refresh();
        try {
            generatorLabel.set(backend.generatorLabel());
            demo.set(backend.demo());
        } catch (RuntimeException e) {
            status.fail("Models", e);
        }
    }

    /** The status bar's memory: the process's resident size and the budget jobs plan against. */
    public void refreshMemory() {
        long rss = ProcessMemory.rss();
        long b = memoryBudget.get();
        memory.set((rss < 0 ? "memory" : "memory " + MemoryBudget.format(rss)) + " · budget "
                + (b > 0 ? MemoryBudget.format(b) : "auto"));
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
            status.warn("Seed", "'" + text.trim() + "' is not a seed (0 … 4294967295)");
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
        backend.generate(r, status.<Rendered>task("generating seed " + r.seed(), "Generate failed").onSuccess(res -> {
            SourceState src = SourceState.seed(r.seed(), r.psi(), r.translateX(), r.translateY(), r.rotateDeg(),
                    res.generator(), res.demo());
            photo.set(null);
            inversionReport.set("");
            commit(Snapshot.source(src, res.ws(), res.image(), "generate seed " + r.seed()));
            status.messageProperty().set("seed " + r.seed() + (res.demo() ? " — demo network (random weights, not a face)" : ""));
            if (runEstimate.get().isEmpty()) refreshRunEstimate();
        }));
    }

    /** Opens a W+ latent ({@code .npz} as the edit engine writes it) as the source face (undoable). */
    public void importLatent(Path file) {
        Latent w;
        try {
            w = dev.styleclip.edit.LatentFile.read(file);
        } catch (IOException | RuntimeException e) {
            status.fail("Latent not opened", e);
            return;
        }
        backend.synthesize(w, null, status.<Rendered>task("rendering latent", "Latent not opened").onSuccess(r -> {
            SourceState src = new SourceState("latent", 0, 1, 0, 0, 0, file.toString(), r.generator(), r.demo());
            photo.set(null);
            inversionReport.set("");
            commit(Snapshot.source(src, w, r.image(), "open latent " + file.getFileName()));
        }));
    }

    /** Reads a photo and looks for faces; the user then picks one or clicks the four points. */
    public void importPhoto(Path file) {
        clickedPoints.clear();
        selectedFace.set(-1);
        prefs.put("folder.photos", file.toAbsolutePath().getParent() == null ? null : file.toAbsolutePath().getParent().toString());
        backend.detectFaces(file, status.<PhotoFaces>task("reading photo", "Photo not imported").onSuccess(res -> {
            photo.set(res);
            live.beforeProperty().set(res.photo());
            live.beforeLabelProperty().set("photo " + file.getFileName());
            if (!res.faces().isEmpty()) selectedFace.set(0);
            if (res.note() != null) status.notice(new Notice(Notice.Level.INFO, "Photo", res.note()));
            else status.info("Photo", res.faces().size() + " face(s) found: pick one, then Align");
        }));
    }

    /** Adds a clicked point (photo pixels); after four, alignment may use them. */
    public void addPoint(double x, double y) {
        if (clickedPoints.size() >= 4) clickedPoints.clear();
        clickedPoints.add(new double[]{x, y});
    }

    public static String pointName(int i) {
        return List.of("left eye", "right eye", "left mouth corner", "right mouth corner").get(i);
    }

    /** The face the user chose: 8 numbers from the four clicked points, else null (then the picked face is used). */
    private double[] clickedFace() {
        if (clickedPoints.size() != 4) return null;
        double[] pts = new double[8];
        for (int i = 0; i < 4; i++) {
            pts[2 * i] = clickedPoints.get(i)[0];
            pts[2 * i + 1] = clickedPoints.get(i)[1];
        }
        return pts;
    }

    /** Aligns the chosen face (or the four clicked points) of the imported photo; it becomes the source picture. */
    public void align() {
        PhotoFaces p = photo.get();
        if (p == null) {
            status.warn("Align", "import a photo first");
            return;
        }
        double[] pts = clickedFace();
        if (pts == null && selectedFace.get() < 0) {
            status.warn("Align", "pick a face, or click the eyes and mouth corners (4 points)");
            return;
        }
        backend.align(p.file(), selectedFace.get(), pts, status.<Pixels>task("aligning", "Alignment failed").onSuccess(img -> {
            SourceState src = new SourceState("photo", 0, 1, 0, 0, 0, p.file().toString(), backend.generatorLabel(), backend.demo());
            inversionReport.set("");
            commit(Snapshot.source(src, null, img, "align photo"));
            status.info("Aligned", "the aligned face is the source: Invert turns it into a latent to edit");
        }));
    }

    /**
     * Aligns the chosen face of the imported photo and inverts it (encoder, projection or both) with live frames; the
     * reconstruction and its latent become the source, with how faithful it is (LPIPS, identity similarity).
     */
    public void invert() {
        PhotoFaces p = photo.get();
        if (p == null) {
            status.warn("Invert", "import a photo first");
            return;
        }
        if (inverting.get() || editRunning.get()) return;
        double[] pts = clickedFace();
        if (pts == null && selectedFace.get() < 0) {
            status.warn("Invert", "pick a face, or click the eyes and mouth corners (4 points)");
            return;
        }
        PhotoInversion.Method m = invertMethod.get();
        if (m != PhotoInversion.Method.PROJECTION && !backend.encoderAvailable()) {
            status.warn("Invert", "no ReStyle encoder is installed (Models tab): using projection");
            m = PhotoInversion.Method.PROJECTION;
        }
        prefs.put("invert.method", invertMethod.get().name());
        prefs.putDouble("invert.steps", invertSteps.get());
        PhotoInversion.Method method = m;
        int steps = (int) invertSteps.get();
        inverting.set(true);
        live.startRun(method == PhotoInversion.Method.ENCODER ? 0 : steps);
        BackgroundTask<Inverted> task = status.<Inverted>task("inverting (" + method.label() + ")", "Inversion failed")
                .onFinished(() -> {
                    inverting.set(false);
                    invertTask = null;
                })
                .onFrame(f -> {
                    live.onFrame(f, clock.getAsLong());
                    status.jobProperty().set(f.message() != null ? f.message()
                            : String.format(Locale.ROOT, "inverting: %d/%d", f.step(), f.total()));
                })
                .onFailure(error -> {
                    show(history.current());
                    status.fail("Inversion failed", error);
                })
                .onCancelled(() -> {
                    show(history.current());
                    status.info("Cancelled", "the inversion was cancelled");
                });
        invertTask = backend.invert(new InvertRequest(p.file(), selectedFace.get(), pts, method, steps, 0), task.onSuccess(r -> {
            SourceState src = new SourceState("photo", 0, 1, 0, 0, 0, p.file().toString(), backend.generatorLabel(), backend.demo());
            String report = String.format(Locale.ROOT, "%s: LPIPS %.3f%s, %.1f s", r.method().label(), r.lpips(),
                    Double.isNaN(r.idSimilarity()) ? "" : String.format(Locale.ROOT, ", identity %.3f", r.idSimilarity()),
                    r.elapsedMs() / 1000.0);
            inversionReport.set(report);
            commit(Snapshot.source(src, r.ws(), r.reconstruction(), "invert photo"));
            // until the first edit: the aligned photo beside its reconstruction, to judge the inversion
            if (r.aligned() != null) {
                live.beforeProperty().set(r.aligned());
                live.beforeLabelProperty().set("aligned photo — " + java.nio.file.Paths.get(src.photo()).getFileName());
            }
            live.currentLabelProperty().set(String.format(Locale.ROOT, "reconstruction — LPIPS %.3f", r.lpips()));
            if (!Double.isNaN(r.idSimilarity())) live.idSimilarityProperty().set(r.idSimilarity());
            status.info("Inverted", report + " — the reconstruction is the source now");
        }));
    }

    // ---- document -----------------------------------------------------------------------------------------------

    private void commit(Snapshot s) {
        history.push(s);
        show(s);
    }

    private void show(Snapshot s) {
        if (s == null) return;
        editStack.setAll(s.edits());
        live.faceCheckProperty().set("");
        live.beforeProperty().set(s.baseImage());
        live.beforeLabelProperty().set("before — " + s.source().describe());
        live.currentProperty().set(s.current());
        live.currentLabelProperty().set(s.edits().isEmpty() ? "current (no edits)" : "current — " + s.edits().size() + " edit(s)");
        hasLatent.set(s.base() != null);
        if (s.base() == null && s.source().kind().equals("photo")) live.beforeLabelProperty().set("aligned photo — invert it to edit");
        hasImage.set(s.current() != null);
        if (s.source().fromSeed()) {
            seed.set(s.source().seed());
            psi.set(s.source().psi());
        }
    }

    public void undo() {
        if (editRunning.get() || renderingStack()) return;
        show(history.undo());
    }

    public void redo() {
        if (editRunning.get() || renderingStack()) return;
        show(history.redo());
    }

    /**
     * Re-renders the stack after a change (strength, on/off, removal, a new mapper or direction step) as one undoable
     * step. One render runs at a time; while it runs only the latest requested stack waits, so dragging a strength
     * slider renders the latest position, never every intermediate one.
     */
    private void changeEdits(List<RecipeStep> edits, String action) {
        changeEdits(edits, action, null);
    }

    /** As {@link #changeEdits(List, String)}; a {@code metricsPrompt} also scores the result (status line, live view). */
    private void changeEdits(List<RecipeStep> edits, String action, String metricsPrompt) {
        render(new PendingRender(List.copyOf(edits), action, metricsPrompt, false));
    }

    private void render(PendingRender r) {
        if (history.current() == null) return;
        if (rendering) {
            // latest wins, but a preview never pushes out a change waiting to be committed
            if (!r.preview() || pendingRender == null || pendingRender.preview()) pendingRender = r;
            return;
        }
        renderNow(r.edits(), r.action(), r.metricsPrompt(), r.preview());
    }

    private void renderNow(List<RecipeStep> edits, String action, String metricsPrompt, boolean preview) {
        Snapshot cur = history.current();
        if (cur.base() == null) {
            if (!preview) commit(cur.withEdits(edits, cur.current(), null, action));
            return;
        }
        rendering = true;
        BackgroundTask<Rendered> task = status.<Rendered>task("rendering", "Render failed")
                .onFinished(() -> rendering = false)
                .onFailure(error -> {
                    status.fail("Render failed", error);
                    show(history.current());
                    renderPending();
                })
                .onCancelled(() -> {
                    show(history.current());
                    renderPending();
                });
        backend.renderStack(new StackRequest(cur.base(), edits, genRequest(cur.source()), metricsPrompt), task.onSuccess(r -> {
            if (preview) {
                // only while no newer state was committed meanwhile
                if (history.current() == cur) live.currentProperty().set(r.image());
                renderPending();
                return;
            }
            commit(cur.withEdits(edits, r.image(), r.ws(), action));
            if (!r.metrics().isEmpty()) {
                live.clipScoreProperty().set(r.metrics().getOrDefault("clip_score", Double.NaN));
                live.idSimilarityProperty().set(r.metrics().getOrDefault("id_similarity", Double.NaN));
                status.messageProperty().set(action + ": " + CompareViewModel.caption(r.metrics()));
            }
            renderPending();
            if (!rendering) checkFaces(history.current());
        }));
    }

    /** Asks face-api whether the edited face is still the same person (after the stack settles; needs face-api). */
    private void checkFaces(Snapshot s) {
        live.faceCheckProperty().set("");
        if (s == null || !backend.faceApiAvailable() || s.edits().isEmpty() || s.baseImage() == null || s.current() == null) return;
        backend.faceCheck(s.baseImage(), s.current(), new StudioBackend.Listener<>() {
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

    private void renderPending() {
        PendingRender p = pendingRender;
        pendingRender = null;
        if (p != null) renderNow(p.edits(), p.action(), p.metricsPrompt(), p.preview());
    }

    /** Whether a stack render is running or waiting (tests wait for it). */
    public boolean renderingStack() {
        return rendering || pendingRender != null;
    }

    private static GenerateRequest genRequest(SourceState s) {
        return new GenerateRequest(s.seed(), s.psi(), s.translateX(), s.translateY(), s.rotateDeg());
    }

    /** The stack the next change starts from: the latest one asked for, even if it is still rendering. */
    private List<RecipeStep> latestEdits() {
        if (pendingRender != null && !pendingRender.preview()) return pendingRender.edits();
        return List.copyOf(editStack);
    }

    /**
     * Shows the stack with one step at another strength without committing it (a strength slider being dragged): only
     * the latest position is rendered; {@link #setStrength} on release makes it an undoable change.
     */
    public void previewStrength(int index, double strength) {
        List<RecipeStep> e = new ArrayList<>(latestEdits());
        if (index < 0 || index >= e.size() || !Double.isFinite(strength)) return;
        e.set(index, e.get(index).withStrength(strength));
        render(new PendingRender(e, "preview", null, true));
    }

    public void setStrength(int index, double strength) {
        List<RecipeStep> e = new ArrayList<>(latestEdits());
        if (index < 0 || index >= e.size() || !Double.isFinite(strength)) return;
        e.set(index, e.get(index).withStrength(strength));
        changeEdits(e, String.format(Locale.ROOT, "%s of “%s” → %.2f", Steps.strengthName(e.get(index)), e.get(index).label(), strength));
    }

    public void setEnabled(int index, boolean enabled) {
        List<RecipeStep> e = new ArrayList<>(latestEdits());
        if (index < 0 || index >= e.size()) return;
        e.set(index, e.get(index).withEnabled(enabled));
        changeEdits(e, (enabled ? "enable “" : "disable “") + e.get(index).label() + "”");
    }

    public void removeEdit(int index) {
        List<RecipeStep> e = new ArrayList<>(latestEdits());
        if (index < 0 || index >= e.size()) return;
        RecipeStep gone = e.remove(index);
        changeEdits(e, "remove “" + gone.label() + "”");
    }

    /** Adds a step at the end of the stack and renders it, scored against {@code metricsPrompt} (may be null). */
    private void addStep(RecipeStep step, String action, String metricsPrompt) {
        List<RecipeStep> e = new ArrayList<>(latestEdits());
        e.add(step);
        changeEdits(e, action, metricsPrompt);
    }

    // ---- edit runs ----------------------------------------------------------------------------------------------

    private String prompt() {
        String prompt = edit.promptProperty().get() == null ? "" : edit.promptProperty().get().strip();
        if (prompt.isEmpty()) throw new IllegalArgumentException("type a prompt first");
        if (prompt.length() > 300) throw new IllegalArgumentException("the prompt is too long (at most 300 characters)");
        return prompt;
    }

    private EditRequest editRequest() {
        Snapshot cur = history.current();
        if (cur == null || cur.base() == null) throw new IllegalStateException("generate a face first, or invert a photo");
        return new EditRequest(prompt(), edit.methodProperty().get(), cur.composed(), genRequest(cur.source()),
                edit.lambdaL2().get(), edit.lambdaId().get(), edit.lr().get(), (int) edit.steps().get(),
                edit.scheduleProperty().get(), edit.groups());
    }

    /** Runs the edit of the chosen method on the current face (Ctrl+Enter). */
    public void runEdit() {
        if (editRunning.get() || inverting.get()) return;
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
            return dev.styleclip.studio.service.MapperFolders.read(mapper).prompt();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Adds a trained latent mapper at strength λ_delta to the edit stack of the current face (undoable). */
    public void applyMapper(Path mapperFile, double strength) {
        Snapshot cur = history.current();
        if (cur == null || cur.base() == null) {
            status.warn("Mapper", "generate a face first, or invert a photo");
            return;
        }
        if (!Double.isFinite(strength)) return;
        dev.styleclip.studio.service.MapperFolders.MapperInfo info;
        try {
            if (mapperFile == null) throw new IOException("no mapper chosen");
            info = dev.styleclip.studio.service.MapperFolders.read(mapperFile);
        } catch (IOException | RuntimeException e) {
            status.fail("Mapper not applied", e);
            return;
        }
        String prompt = info.prompt();
        String label = prompt;
        mapperFile = info.file();
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("method", EditMethod.MAPPER.name());
        settings.put("mapper", mapperFile.toString());
        if (prompt != null) settings.put("prompt", prompt);
        edit.mapperFileProperty().set(mapperFile);
        edit.mapperStrength().set(strength);
        edit.save(prefs);
        addStep(new RecipeStep.Mapper(label, mapperFile, strength, true, settings, Map.of()),
                String.format(Locale.ROOT, "mapper “%s” λ_delta %.2f", label, strength), prompt);
    }

    private void runDirection() {
        Snapshot cur = history.current();
        String target;
        try {
            if (cur == null || cur.base() == null) throw new IllegalStateException("generate a face first, or invert a photo");
            target = prompt();
            String n = edit.neutralProperty().get() == null ? "" : edit.neutralProperty().get().strip();
            if (n.isEmpty()) throw new IllegalArgumentException("type the neutral text (e.g. “a face”)");
            StudioBackend.DirectionsInfo info = directions.refresh();
            if (info == null || !info.prepared()) throw new IllegalStateException(info.description());
        } catch (RuntimeException e) {
            status.fail("Cannot run", e);
            return;
        }
        edit.remember(target);
        edit.save(prefs);
        StudioBackend.DirectionRequest r = new StudioBackend.DirectionRequest(edit.neutralProperty().get().strip(), target,
                edit.alpha().get(), edit.beta().get());
        editRunning.set(true);
        editTask = backend.direction(r, status.<RecipeStep.Direction>task("global direction: " + target, "Global direction failed")
                .onFinished(() -> {
                    editRunning.set(false);
                    editTask = null;
                })
                .onSuccess(step -> addStep(step, String.format(Locale.ROOT, "direction “%s” α %.2f β %.2f", step.label(),
                        r.alpha(), r.beta()), target)));
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
        Snapshot start = history.current();
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
                    show(history.current());
                    if (error instanceof DivergedException) {
                        status.notice(new Notice(Notice.Level.ERROR, "The optimisation diverged",
                                Notice.describe(error) + " — lower the learning rate; the face is unchanged"));
                    } else {
                        status.fail("Edit failed", error);
                    }
                })
                .onCancelled(() -> {
                    show(history.current());
                    status.info("Cancelled", "the edit was cancelled; the face is unchanged");
                });
        editTask = backend.edit(r, task.onSuccess(res -> {
            RecipeStep step = stepOf(res);
            List<RecipeStep> e = new ArrayList<>(start.edits());
            e.add(step);
            String action = "edit “" + r.prompt() + "”";
            // the composed latent as a re-render of the stack computes it (start + 1·offset), not the run's own w
            if (start.hasStyleEdits()) changeEdits(e, action);
            else commit(start.withEdits(e, res.image(), start.composed().plus(res.ws().minus(start.composed()), 1.0), action));
            status.messageProperty().set("edit done: " + CompareViewModel.caption(res.metrics()));
            if (res.warning() != null) {
                status.warn("The optimisation diverged", res.warning() + " — the last good step was kept as the edit (undo removes it)");
            }
        }));
    }

    /** An optimisation result as a stack step: its W+ offset from the start latent, at strength 1. */
    static RecipeStep stepOf(EditResult res) {
        Latent d = res.ws().minus(res.request().start());
        return new RecipeStep.LatentDelta(res.request().prompt(), d.numWs(), d.wDim(), d.values(), 1.0, true,
                settingsOf(res.request()), res.metrics());
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
        // the file format's keys, one switch per group
        for (WGroups.Group g : WGroups.Group.values()) m.put(g.id(), r.groups().contains(g));
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

    /** Cancels the running edit, inversion and compare grid (Esc). */
    public void cancel() {
        for (StudioBackend.Task t : new StudioBackend.Task[]{editTask, invertTask}) {
            if (t != null) {
                t.resume();
                t.cancel();
            }
        }
        compare.cancel();
    }

    // ---- compare ------------------------------------------------------------------------------------------------

    /**
     * Fills the compare grid for the current method: optimisation runs over λ_L2 × λ_ID (and prompt variants), the
     * chosen mapper over its λ_delta values, or the global direction over β (rows) × α (columns).
     */
    public void runCompare() {
        try {
            Snapshot cur = history.current();
            if (cur == null || cur.base() == null) throw new IllegalStateException("generate a face first, or invert a photo");
            EditMethod m = edit.methodProperty().get();
            CompareViewModel.Base base = new CompareViewModel.Base(cur.base(), cur.edits(), genRequest(cur.source()));
            switch (m) {
                case MAPPER -> {
                    Path f = edit.mapperFileProperty().get();
                    if (f == null) throw new IllegalStateException(runUnavailableReason());
                    String p = mapperPrompt(f);
                    compare.runMapper(base, f, p != null ? p : f.getFileName().toString(), e -> status.fail("A grid cell failed", e),
                            status.begin("compare grid"));
                }
                case GLOBAL_DIRECTION -> {
                    StudioBackend.DirectionsInfo info = backend.directionsInfo();
                    if (!info.prepared()) throw new IllegalStateException(info.description());
                    String n = edit.neutralProperty().get() == null ? "" : edit.neutralProperty().get().strip();
                    if (n.isEmpty()) throw new IllegalArgumentException("type the neutral text (e.g. “a face”)");
                    compare.runDirections(base, n, prompt(), e -> status.fail("A grid cell failed", e), status.begin("compare grid"));
                }
                default -> {
                    EditRequest r = editRequest();
                    compare.run(r, c -> { }, e -> status.fail("A grid cell failed", e), status.begin("compare grid"));
                }
            }
        } catch (RuntimeException e) {
            status.fail("Cannot run the grid", e);
        }
    }

    /** Adds the best grid cell's edit to the stack (undoable). */
    public void promoteBest() {
        CompareViewModel.Cell best = compare.best();
        Snapshot cur = history.current();
        if (best == null || cur == null || cur.base() == null) {
            status.warn("Promote", "no finished grid cell yet");
            return;
        }
        addStep(best.step(), "promote grid cell “" + best.step().label() + "”", null);
    }

    /** Applies a recipe's edits (after the current ones) to the current face. */
    public boolean openRecipe(Path file) {
        Snapshot s = history.current();
        if (s == null || s.base() == null) {
            status.warn("Recipe", "generate a face first, or invert a photo");
            return false;
        }
        try {
            Recipe r = RecipeFiles.read(file);
            for (RecipeStep e : r.steps()) {
                if (e instanceof RecipeStep.LatentDelta d && (d.numWs() != s.base().numWs() || d.wDim() != s.base().wDim())) {
                    throw new IOException("the recipe's edit “" + e.label() + "” was made for another generator ("
                            + (r.generator() == null ? "unknown" : r.generator()) + ")");
                }
            }
            List<RecipeStep> all = new ArrayList<>(latestEdits());
            all.addAll(r.steps());
            files.rememberFolder("folder.sessions", file);
            changeEdits(all, "apply recipe " + file.getFileName());
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Recipe not applied", e);
            return false;
        }
    }

    /** Saves settings and preferences (on close). */
    public void saveSettings() {
        edit.save(prefs);
        prefs.flush();
    }
}
