package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.SourcePort;
import dev.styleclip.studio.service.SourcePort.GenerateRequest;
import dev.styleclip.studio.service.SourcePort.InvertRequest;
import dev.styleclip.studio.service.SourcePort.Inverted;
import dev.styleclip.studio.service.SourcePort.PhotoFaces;
import dev.styleclip.studio.service.SourcePort.Rendered;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.LongProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * The Source tab: the generator, a face from a seed (ψ, translate, rotate), a latent file, or a photo — its faces
 * found, one picked or four points clicked, aligned and inverted (with live frames). Each new face is a new undoable
 * state of the {@link Document}; the seed and ψ follow the state shown (undo brings them back).
 */
public final class SourceViewModel {
    public static final double PSI_MIN = -1, PSI_MAX = 2;

    private final SourcePort backend;
    private final StudioPrefs prefs;
    private final StatusViewModel status;
    private final LiveViewModel live;
    private final Document document;
    private final LongSupplier clock;

    private final LongProperty seed = new SimpleLongProperty(this, "seed", 0);
    private final DoubleProperty psi = new SimpleDoubleProperty(this, "psi", FaceGeneration.DEFAULT_PSI);
    private final DoubleProperty translateX = new SimpleDoubleProperty(this, "translateX", 0);
    private final DoubleProperty translateY = new SimpleDoubleProperty(this, "translateY", 0);
    private final DoubleProperty rotate = new SimpleDoubleProperty(this, "rotate", 0);
    private final StringProperty generatorLabel = new SimpleStringProperty(this, "generatorLabel", "");
    private final BooleanProperty demo = new SimpleBooleanProperty(this, "demo");
    private final ObjectProperty<PhotoFaces> photo = new SimpleObjectProperty<>(this, "photo");
    private final IntegerProperty selectedFace = new SimpleIntegerProperty(this, "selectedFace", -1);
    private final ObservableList<double[]> clickedPoints = FXCollections.observableArrayList();
    /** Photo inversion: method (encoder by default when one is installed) and projection steps. */
    private final ObjectProperty<PhotoInversion.Method> invertMethod = new SimpleObjectProperty<>(this, "invertMethod");
    private final NumberParam invertSteps = new NumberParam("steps", 200, 10, 1000, 1, 10000, true);
    private final BooleanProperty inverting = new SimpleBooleanProperty(this, "inverting");
    private final StringProperty inversionReport = new SimpleStringProperty(this, "inversionReport", "");
    private StudioPort.Task invertTask;
    /** A ψ / translate / rotate render running, and whether the sliders moved again meanwhile (only the latest counts). */
    private boolean adjusting;
    private boolean adjustPending;
    /** The controls are being set from the state shown (no render of their own). */
    private boolean showing;

    SourceViewModel(SourcePort backend, StudioPrefs prefs, StatusViewModel status, LiveViewModel live, Document document,
                    LongSupplier clock) {
        this.backend = backend;
        this.prefs = prefs;
        this.status = status;
        this.live = live;
        this.document = document;
        this.clock = clock;
        String chosen = prefs.get("models.generator", null);
        backend.generators().stream().filter(g -> g.key().equals(chosen)).findFirst().ifPresent(backend::chooseGenerator);
        invertMethod.set(backend.encoderAvailable() ? PhotoInversion.Method.ENCODER : PhotoInversion.Method.PROJECTION);
        try {
            invertMethod.set(PhotoInversion.Method.valueOf(prefs.get("invert.method", invertMethod.get().name())));
        } catch (IllegalArgumentException e) {
            // keep the default
        }
        prefs.getChosen("invert.steps", invertSteps);
        psi.set(clamp(prefs.getDouble("source.psi", psi.get()), PSI_MIN, PSI_MAX));
        seed.set(Math.max(0, Math.min(0xffffffffL, (long) prefs.getDouble("source.seed", 0))));
        document.guardWith(inverting);
        // the Source tab's sliders re-render a face from a seed as they move (coalesced, one undo step per adjustment)
        for (DoubleProperty p : List.of(psi, translateX, translateY, rotate)) p.addListener((o, a, b) -> adjust());
        document.onShown(s -> {
            if (!s.source().fromSeed()) return;
            // the controls follow the state shown (undo brings them back), without asking for a render of their own
            showing = true;
            seed.set(s.source().seed());
            psi.set(s.source().psi());
            translateX.set(s.source().translateX());
            translateY.set(s.source().translateY());
            rotate.set(s.source().rotateDeg());
            showing = false;
        });
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

    public ObjectProperty<PhotoInversion.Method> invertMethodProperty() {
        return invertMethod;
    }

    public NumberParam invertSteps() {
        return invertSteps;
    }

    public ReadOnlyBooleanProperty invertingProperty() {
        return inverting;
    }

    /** How faithful the last inversion is (method, LPIPS, identity similarity), or "". */
    public ReadOnlyStringProperty inversionReportProperty() {
        return inversionReport;
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

    /** Whether Invert can start: a photo, and no run changing the face. */
    public BooleanBinding canInvertProperty() {
        return photo.isNotNull().and(document.busyProperty().not());
    }

    /** Whether a ReStyle encoder is installed (else photos are inverted by projection). */
    public boolean encoderAvailable() {
        return backend.encoderAvailable();
    }

    // ---- the generator ------------------------------------------------------------------------------------------

    /** "stylegan3-t-ffhq-1024x1024.pkl" or the demo network's name; changes when the generator does. */
    public StringProperty generatorLabelProperty() {
        return generatorLabel;
    }

    /** Whether faces come from a demo network (random weights). */
    public BooleanProperty demoProperty() {
        return demo;
    }

    /** The generators to choose from: the installed pickles, then the demo networks of the published architectures. */
    public List<GeneratorSource> generators() {
        return backend.generators();
    }

    /** The generator of new faces. */
    public GeneratorSource generator() {
        return backend.generator();
    }

    /** Reads which generator is in use again (after models were installed or removed). */
    void refreshGenerator() {
        try {
            generatorLabel.set(backend.generatorLabel());
            demo.set(backend.demo());
        } catch (RuntimeException e) {
            status.fail("Models", e);
        }
    }

    /**
     * Makes {@code source} the generator from now on (remembered); a face from a seed is generated again with it,
     * other faces stay until the next Generate or Invert (their latents belong to the old generator).
     */
    public void chooseGenerator(GeneratorSource source) {
        if (source == null || source.equals(backend.generator()) && source.key().equals(prefs.get("models.generator", null))) return;
        backend.chooseGenerator(source);
        prefs.put("models.generator", source.key());
        refreshGenerator();
        Snapshot cur = document.current();
        if (cur != null && "seed".equals(cur.source().kind())) {
            generate();
        } else {
            status.info("Generator", generatorLabel.get() + " — generate a face or invert a photo with it");
        }
    }

    // ---- a face from a seed or a latent ---------------------------------------------------------------------------

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

    private static double clamp(double v, double lo, double hi) {
        return Double.isFinite(v) ? Math.max(lo, Math.min(hi, v)) : lo;
    }

    private GenerateRequest request() {
        return new GenerateRequest(seed.get(), clamp(psi.get(), PSI_MIN, PSI_MAX), translateX.get(), translateY.get(), rotate.get());
    }

    /** Generates the face of the current seed on the compute thread; it becomes the new source (undoable). */
    public void generate() {
        generate(request(), false, () -> { });
    }

    private void generate(GenerateRequest r, boolean adjustment, Runnable finished) {
        prefs.putDouble("source.seed", r.seed());
        prefs.putDouble("source.psi", r.psi());
        String action = (adjustment ? "adjust seed " : "generate seed ") + r.seed();
        backend.generate(r, status.<Rendered>task("generating seed " + r.seed(), "Generate failed").onFinished(finished).onSuccess(res -> {
            SourceState src = SourceState.seed(r.seed(), r.psi(), r.translateX(), r.translateY(), r.rotateDeg(),
                    res.generator(), res.demo());
            Snapshot s = Snapshot.source(src, res.ws(), res.image(), action);
            leavePhoto();
            if (adjustment) document.commitMerging(s);
            else document.commit(s);
            status.messageProperty().set("seed " + r.seed() + (res.demo() ? " — demo network (random weights, not a face)" : ""));
        }));
    }

    /**
     * Re-renders a face from a seed when ψ, translate or rotate moved (as the seed arrows do: the face is generated
     * again, its stack starts empty); while one render runs only the latest position waits.
     */
    private void adjust() {
        Snapshot cur = document.current();
        if (showing || cur == null || !cur.source().fromSeed() || document.busyProperty().get()) return;
        GenerateRequest r = request();
        if (r.equals(Document.sourceRequest(cur.source()))) return;
        if (adjusting) {
            adjustPending = true;
            return;
        }
        adjusting = true;
        generate(r, true, () -> {
            adjusting = false;
            if (adjustPending) {
                adjustPending = false;
                adjust();
            }
        });
    }

    /** Opens a W+ latent ({@code .npz} as the edit engine writes it) as the source face (undoable). */
    public void importLatent(Path file) {
        Latent w;
        try {
            w = LatentFile.read(file);
        } catch (IOException | RuntimeException e) {
            status.fail("Latent not opened", e);
            return;
        }
        backend.synthesize(w, null, status.<Rendered>task("rendering latent", "Latent not opened").onSuccess(r -> {
            SourceState src = new SourceState("latent", 0, 1, 0, 0, 0, file.toString(), r.generator(), r.demo());
            leavePhoto();
            document.commit(Snapshot.source(src, w, r.image(), "open latent " + file.getFileName()));
        }));
    }

    /** A face that is not the photo on screen: the photo and its inversion report go. */
    private void leavePhoto() {
        photo.set(null);
        inversionReport.set("");
    }

    // ---- a face from a photo ------------------------------------------------------------------------------------

    /** Reads a photo and looks for faces; the user then picks one or clicks the four points. */
    public void importPhoto(Path file) {
        clickedPoints.clear();
        selectedFace.set(-1);
        Path folder = file.toAbsolutePath().getParent();
        prefs.put("folder.photos", folder == null ? null : folder.toString());
        backend.detectFaces(file, status.<PhotoFaces>task("reading photo", "Photo not imported").onSuccess(res -> {
            photo.set(res);
            live.beforeProperty().set(res.photo());
            live.beforeLabelProperty().set("photo " + file.getFileName());
            // the last face's reconstruction is not this photo's: it goes until this one is inverted
            live.currentProperty().set(null);
            live.currentLabelProperty().set("not inverted yet: pick a face, then Align or Invert");
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

    /** What the user clicks as point {@code i} (0–3). */
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

    /** The imported photo when a face is picked or four points are clicked; else null, with a notice for {@code action}. */
    private PhotoFaces chosenFace(String action) {
        PhotoFaces p = photo.get();
        if (p == null) {
            status.warn(action, "import a photo first");
            return null;
        }
        if (clickedFace() == null && selectedFace.get() < 0) {
            status.warn(action, "pick a face, or click the eyes and mouth corners (4 points)");
            return null;
        }
        return p;
    }

    private SourceState photoSource(PhotoFaces p) {
        return new SourceState("photo", 0, 1, 0, 0, 0, p.file().toString(), backend.generatorLabel(), backend.demo());
    }

    /** Aligns the chosen face (or the four clicked points) of the imported photo; it becomes the source picture. */
    public void align() {
        PhotoFaces p = chosenFace("Align");
        if (p == null) return;
        backend.align(p.file(), selectedFace.get(), clickedFace(), status.<Pixels>task("aligning", "Alignment failed").onSuccess(img -> {
            inversionReport.set("");
            document.commit(Snapshot.source(photoSource(p), null, img, "align photo"));
            status.info("Aligned", "the aligned face is the source: Invert turns it into a latent to edit");
        }));
    }

    /**
     * Aligns the chosen face of the imported photo and inverts it (encoder, projection or both) with live frames; the
     * reconstruction and its latent become the source, with how faithful it is (LPIPS, identity similarity).
     */
    public void invert() {
        if (document.busyProperty().get()) return;
        PhotoFaces p = chosenFace("Invert");
        if (p == null) return;
        PhotoInversion.Method m = invertMethod.get();
        if (m != PhotoInversion.Method.PROJECTION && !backend.encoderAvailable()) {
            status.warn("Invert", "no ReStyle encoder is installed (Models tab): using projection");
            m = PhotoInversion.Method.PROJECTION;
        }
        prefs.put("invert.method", invertMethod.get().name());
        prefs.putChosen("invert.steps", invertSteps);
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
                    document.showCurrent();
                    status.fail("Inversion failed", error);
                })
                .onCancelled(() -> {
                    document.showCurrent();
                    status.info("Cancelled", "the inversion was cancelled");
                });
        task.onSuccess(r -> inverted(p, r));
        invertTask = StudioPort.start(task, () -> backend.invert(new InvertRequest(p.file(), selectedFace.get(), clickedFace(),
                method, steps, 0), task));
    }

    private void inverted(PhotoFaces p, Inverted r) {
        SourceState src = photoSource(p);
        String report = String.format(Locale.ROOT, "%s: LPIPS %.3f%s, %.1f s", r.method().label(), r.lpips(),
                Double.isNaN(r.idSimilarity()) ? "" : String.format(Locale.ROOT, ", identity %.3f", r.idSimilarity()),
                r.elapsedMs() / 1000.0);
        inversionReport.set(report);
        document.commit(Snapshot.source(src, r.ws(), r.reconstruction(), "invert photo"));
        // until the first edit: the aligned photo beside its reconstruction, to judge the inversion
        if (r.aligned() != null) {
            live.beforeProperty().set(r.aligned());
            live.beforeLabelProperty().set("aligned photo — " + p.file().getFileName());
        }
        live.currentLabelProperty().set(String.format(Locale.ROOT, "reconstruction — LPIPS %.3f", r.lpips()));
        if (!Double.isNaN(r.idSimilarity())) live.idSimilarityProperty().set(r.idSimilarity());
        status.info("Inverted", report + " — the reconstruction is the source now");
    }

    /** Cancels a running inversion (at its next step). */
    public void cancelInversion() {
        StudioPort.Task t = invertTask;
        if (t != null) {
            t.resume();
            t.cancel();
            status.jobProperty().set("cancelling the inversion…");
        }
    }
}
