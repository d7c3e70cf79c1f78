package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.edit.WGroups;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.MapperFolders;
import dev.styleclip.studio.service.MapperFolders.Checkpoint;
import dev.styleclip.studio.service.MapperPort;
import dev.styleclip.studio.service.MapperPort.MapperTrainRequest;
import dev.styleclip.studio.service.MapperPort.MapperTrainResult;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
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
import javafx.beans.value.ObservableBooleanValue;
import javafx.beans.value.ObservableStringValue;
import javafx.collections.ObservableList;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The Mapper tab: train a latent mapper for a prompt on the compute thread (settings with safe ranges, honest CPU
 * defaults, Train / Pause / Cancel, live losses, the per-epoch sample grid, resume from a folder's checkpoint) and pick
 * a trained mapper to apply to the current face at a strength λ_delta. No JavaFX nodes, no NDArrays; everything reaches
 * the user as properties or {@link Notice}s, and a failure leaves the state as it was.
 *
 * <p>The output folder follows the prompt ({@code <mappers>/<slug of the prompt>}) until the user chooses one; a chosen
 * folder is remembered, and when it holds a checkpoint its prompt and run settings are taken over so that Train
 * resumes it.
 */
public final class MapperViewModel {
    /** The reference's training size, for the hint. */
    public static final int REFERENCE_EPOCHS = 100, REFERENCE_BATCH = 20;
    private static final MapperTrainingJob.Settings DEFAULTS = MapperTrainingJob.Settings.defaults("");

    private final MapperPort backend;
    /** The generator in use (the measured time per face is remembered per generator). */
    private final Supplier<String> generatorLabel;
    private final StudioPrefs prefs;
    private final Path root;
    private final ObservableStringValue editPrompt;
    private final StatusViewModel status;
    /** Marks the status bar's job finished (set while a training runs). */
    private Runnable statusDone = () -> { };

    private final StringProperty prompt = new SimpleStringProperty(this, "prompt", "");
    private final ObjectProperty<Path> folder = new SimpleObjectProperty<>(this, "folder");
    private final BooleanProperty folderChosen = new SimpleBooleanProperty(this, "folderChosen");
    private final ObjectProperty<Checkpoint> checkpoint = new SimpleObjectProperty<>(this, "checkpoint");

    // defaults: the job's (10 epochs × 8 steps × batch 2, AdamW lr 0.01, λ_L2 0.3, λ_ID 0.06, plateau 0.2 / 10);
    // safe ranges: the seed report's ranges, widened to hold those defaults
    private final NumberParam epochs = new NumberParam("epochs", DEFAULTS.epochs(), 1, 300, 1, 100_000, true);
    private final NumberParam steps = new NumberParam("steps/epoch", DEFAULTS.stepsPerEpoch(), 1, 100, 1, 100_000, true);
    private final NumberParam batch = new NumberParam("batch", DEFAULTS.batch(), 1, 20, 1, 256, true);
    private final NumberParam lr = new NumberParam("lr", DEFAULTS.lr(), 0.001, 0.5, 1e-6, 10, false);
    private final NumberParam lambdaL2 = new NumberParam("λ_L2", DEFAULTS.lambdaL2(), 0, 0.8, 0, 100, false);
    private final NumberParam lambdaId = new NumberParam("λ_ID", DEFAULTS.lambdaId(), 0, 0.1, 0, 100, false);
    private final NumberParam plateauFactor = new NumberParam("plateau factor", DEFAULTS.plateauFactor(), 0.1, 0.5, 0.01, 0.99, false);
    private final NumberParam plateauPatience = new NumberParam("plateau patience", DEFAULTS.plateauPatience(), 1, 20, 0, 10_000, true);
    private final BooleanProperty[] groups = {
            new SimpleBooleanProperty(this, "coarse", DEFAULTS.groups()[0]),
            new SimpleBooleanProperty(this, "medium", DEFAULTS.groups()[1]),
            new SimpleBooleanProperty(this, "fine", DEFAULTS.groups()[2])};
    private long seed = DEFAULTS.seed();
    private double psi = DEFAULTS.psi();

    private final BooleanProperty running = new SimpleBooleanProperty(this, "running");
    private final BooleanProperty paused = new SimpleBooleanProperty(this, "paused");
    private final StringProperty state = new SimpleStringProperty(this, "state", "");
    private final StringProperty progress = new SimpleStringProperty(this, "progress", "");
    private final DoubleProperty progressFraction = new SimpleDoubleProperty(this, "progressFraction", 0);
    private final IntegerProperty epochsDone = new SimpleIntegerProperty(this, "epochsDone");
    private final DoubleProperty currentLr = new SimpleDoubleProperty(this, "lr", Double.NaN);
    private final StringProperty networks = new SimpleStringProperty(this, "networks", "");
    private final ObjectProperty<Pixels> sample = new SimpleObjectProperty<>(this, "sample");
    private final IntegerProperty samples = new SimpleIntegerProperty(this, "samples");
    private final LiveViewModel curves = new LiveViewModel();
    private final DoubleProperty msPerSample = new SimpleDoubleProperty(this, "msPerSample", Double.NaN);
    private final StringBinding hint;

    private final MapperLibraryViewModel library;

    private StudioPort.Task task;
    private final StepTimer timer = new StepTimer();

    /**
     * @param mappersRoot where trained mappers live ({@link MapperPlaces#defaultRoot})
     * @param editPrompt  the Edit tab's prompt, used while this tab's prompt is empty
     * @param hasFace     whether there is a current face to apply a mapper to
     * @param apply       applies a mapper file at a strength to the current face (the main view model)
     */
    public MapperViewModel(MapperPort backend, Supplier<String> generatorLabel, StudioPrefs prefs, Path mappersRoot, ObservableStringValue editPrompt,
                           ObservableBooleanValue hasFace, BiConsumer<Path, Double> apply, StatusViewModel status) {
        this.backend = backend;
        this.generatorLabel = generatorLabel;
        this.prefs = prefs;
        this.root = mappersRoot.toAbsolutePath().normalize();
        this.editPrompt = editPrompt;
        this.status = status;
        load();
        msPerSample.set(prefs.getDouble(timingKey(), Double.NaN));
        hint = Bindings.createStringBinding(this::hintText, epochs.valueProperty(), steps.valueProperty(),
                batch.valueProperty(), msPerSample);
        library = new MapperLibraryViewModel(prefs, root, status, hasFace, apply);
        prompt.addListener((o, a, b) -> followPrompt());
        editPrompt.addListener((o, a, b) -> followPrompt());
        folder.addListener((o, a, b) -> refreshCheckpoint());
        epochs.valueProperty().addListener((o, a, b) -> updateState());
        followPrompt();
        refreshCheckpoint();
    }

    /** The trained mappers: the list, the one selected, applying it. */
    public MapperLibraryViewModel library() {
        return library;
    }

    // ---- properties -------------------------------------------------------------------------------------------

    /** This tab's prompt; empty means the Edit tab's prompt ({@link #effectivePrompt()}). */
    public StringProperty promptProperty() {
        return prompt;
    }

    /** The Edit tab's prompt (shown as the prompt field's placeholder). */
    public ObservableStringValue editPromptProperty() {
        return editPrompt;
    }

    /** The prompt a run trains for: this tab's, else the Edit tab's. */
    public String effectivePrompt() {
        String p = prompt.get() == null ? "" : prompt.get().strip();
        if (p.isEmpty() && editPrompt.get() != null) p = editPrompt.get().strip();
        return p;
    }

    public Path mappersRoot() {
        return root;
    }

    /** The output folder of the next run. */
    public ObjectProperty<Path> folderProperty() {
        return folder;
    }

    /** Whether the user chose the folder (else it follows the prompt). */
    public BooleanProperty folderChosenProperty() {
        return folderChosen;
    }

    /** The checkpoint in the output folder (what Train would resume), or null. */
    public ObjectProperty<Checkpoint> checkpointProperty() {
        return checkpoint;
    }

    public NumberParam epochs() {
        return epochs;
    }

    public NumberParam stepsPerEpoch() {
        return steps;
    }

    public NumberParam batch() {
        return batch;
    }

    public NumberParam lr() {
        return lr;
    }

    public NumberParam lambdaL2() {
        return lambdaL2;
    }

    public NumberParam lambdaId() {
        return lambdaId;
    }

    public NumberParam plateauFactor() {
        return plateauFactor;
    }

    public NumberParam plateauPatience() {
        return plateauPatience;
    }

    /** The training settings in display order. */
    public List<NumberParam> numbers() {
        return List.of(epochs, steps, batch, lr, lambdaL2, lambdaId, plateauFactor, plateauPatience);
    }

    public BooleanProperty coarseProperty() {
        return groups[0];
    }

    public BooleanProperty mediumProperty() {
        return groups[1];
    }

    public BooleanProperty fineProperty() {
        return groups[2];
    }

    /** The CPU-sized defaults against the reference's size, and the time an epoch takes on this device. */
    public StringBinding hintProperty() {
        return hint;
    }

    /** Milliseconds per sampled face and step measured on this device and generator (NaN: not yet). */
    public DoubleProperty msPerSampleProperty() {
        return msPerSample;
    }

    public BooleanProperty runningProperty() {
        return running;
    }

    public BooleanProperty pausedProperty() {
        return paused;
    }

    /** What Train would do, or what the run is doing. */
    public StringProperty stateProperty() {
        return state;
    }

    /** Epoch, step, time per step and ETA of the running job. */
    public StringProperty progressProperty() {
        return progress;
    }

    public DoubleProperty progressFractionProperty() {
        return progressFraction;
    }

    /** Epochs finished (checkpointed) so far, counting those of a resumed run. */
    public IntegerProperty epochsDoneProperty() {
        return epochsDone;
    }

    /** The learning rate of the latest step (NaN before the first). */
    public DoubleProperty lrProperty() {
        return currentLr;
    }

    /** Which networks the run uses (demo networks are named). */
    public StringProperty networksProperty() {
        return networks;
    }

    /** The latest sample grid: fixed faces on top, their edits at the training strength below. */
    public ObjectProperty<Pixels> sampleProperty() {
        return sample;
    }

    /** How many sample grids arrived in this run. */
    public IntegerProperty samplesProperty() {
        return samples;
    }

    /** The loss history of the run, per step, for "total", "clip", "l2", "id" ({@link LiveViewModel#LOSS_TERMS}). */
    public ObservableList<LiveViewModel.LossPoint> losses(String term) {
        return curves.losses(term);
    }

    /** Global step of the latest frame and the run's total. */
    public IntegerProperty stepProperty() {
        return curves.stepProperty();
    }

    // ---- folder -----------------------------------------------------------------------------------------------

    /** The folder a prompt trains into by default. */
    public Path defaultFolder(String forPrompt) {
        return root.resolve(MapperPlaces.slug(forPrompt));
    }

    private void followPrompt() {
        if (!folderChosen.get() && !running.get()) folder.set(defaultFolder(effectivePrompt()));
        updateState();
    }

    /**
     * Trains into {@code dir} from now on (remembered). When it holds a checkpoint, its prompt and run settings are
     * taken over, so Train resumes it.
     */
    public void chooseFolder(Path dir) {
        if (dir == null || running.get()) return;
        folderChosen.set(true);
        prefs.put("mapper.folder", dir.toAbsolutePath().toString());
        folder.set(dir.toAbsolutePath().normalize());
        refreshCheckpoint();
        Checkpoint c = checkpoint.get();
        if (c != null) {
            adopt(c);
            info("Mapper folder", "it holds a checkpoint for “" + c.prompt() + "” at epoch " + c.epoch() + ": Train resumes it");
        }
    }

    /** Goes back to the folder that follows the prompt. */
    public void useDefaultFolder() {
        if (running.get()) return;
        folderChosen.set(false);
        prefs.put("mapper.folder", null);
        followPrompt();
    }

    /** Takes over a checkpoint's prompt and the settings a resume must keep. */
    private void adopt(Checkpoint c) {
        if (!c.prompt().equals(effectivePrompt())) prompt.set(c.prompt());
        if (c.stepsPerEpoch() > 0) steps.set(c.stepsPerEpoch());
        if (c.batch() > 0) batch.set(c.batch());
        if (c.epochs() > epochs.get()) epochs.set(c.epochs());
        seed = c.seed();
        if (Double.isFinite(c.psi())) psi = c.psi();
        if (!c.groups().isEmpty()) {
            List<String> on = List.of(c.groups().split(","));
            for (int g = 0; g < 3; g++) groups[g].set(on.contains(WGroups.Group.values()[g].id()));
        }
        updateState();
    }

    private void refreshCheckpoint() {
        checkpoint.set(MapperFolders.checkpoint(folder.get()).orElse(null));
        updateState();
    }

    private void updateState() {
        if (running.get()) return;
        state.set(idleState());
    }

    private String idleState() {
        Checkpoint c = checkpoint.get();
        Path f = folder.get();
        String where = f == null ? "?" : f.getFileName() == null ? f.toString() : f.getFileName().toString();
        if (c == null) return "new mapper → " + where;
        if (!c.prompt().equals(effectivePrompt())) {
            return "the folder " + where + " holds a mapper for “" + c.prompt() + "”: choose another folder";
        }
        if (c.epoch() >= (int) epochs.get()) return "trained " + c.epoch() + " epochs in " + where + ": raise epochs to go on";
        return "resumes from epoch " + c.epoch() + " of " + (int) epochs.get() + " in " + where;
    }

    // ---- training ---------------------------------------------------------------------------------------------

    private String groupsSpec() {
        List<String> on = new ArrayList<>();
        for (int g = 0; g < 3; g++) if (groups[g].get()) on.add(WGroups.Group.values()[g].id());
        return String.join(",", on);
    }

    /** The request of the next run; throws with a one-line message when it cannot run. */
    MapperTrainRequest request() {
        String p = EditSettings.checkPrompt(effectivePrompt(), "type a prompt (here or in the Edit tab)");
        if (groupsSpec().isEmpty()) throw new IllegalArgumentException("switch on at least one of coarse, medium, fine");
        Path f = folder.get();
        if (f == null) throw new IllegalArgumentException("choose an output folder");
        if (Files.exists(f) && !Files.isDirectory(f)) throw new IllegalArgumentException(f + " is a file, not a folder");
        refreshCheckpoint();
        Checkpoint c = checkpoint.get();
        if (c != null) {
            if (!c.prompt().equals(p)) {
                throw new IllegalArgumentException(f.getFileName() + " holds a mapper for “" + c.prompt() + "”: choose another folder");
            }
            if (c.stepsPerEpoch() != (int) steps.get() || c.batch() != (int) batch.get() || !c.groups().equals(groupsSpec())) {
                throw new IllegalArgumentException("the checkpoint in " + f.getFileName() + " was trained with " + c.stepsPerEpoch()
                        + " steps/epoch × batch " + c.batch() + ", groups " + c.groups() + ": use those to resume it, or another folder");
            }
            if (c.epoch() >= (int) epochs.get()) {
                throw new IllegalArgumentException("the mapper in " + f.getFileName() + " has its " + c.epoch()
                        + " epochs already: raise epochs to train on");
            }
        }
        return new MapperTrainRequest(p, f, (int) epochs.get(), (int) steps.get(), (int) batch.get(), lr.get(), lambdaL2.get(),
                lambdaId.get(), WGroups.of(groups[0].get(), groups[1].get(), groups[2].get()), plateauFactor.get(),
                (int) plateauPatience.get(), psi, seed);
    }

    /** Starts (or resumes) training into the output folder. */
    public void train() {
        if (running.get()) return;
        MapperTrainRequest r;
        try {
            r = request();
        } catch (RuntimeException e) {
            status.notice(new Notice(Notice.Level.WARNING, "Cannot train the mapper", Notice.describe(e)));
            return;
        }
        save();
        Checkpoint c = checkpoint.get();
        int total = r.epochs() * r.stepsPerEpoch();
        curves.startRun(total);
        sample.set(null);
        samples.set(0);
        currentLr.set(Double.NaN);
        networks.set("");
        epochsDone.set(c == null ? 0 : c.epoch());
        timer.reset();
        progressFraction.set(c == null ? 0 : (double) c.epoch() / r.epochs());
        progress.set("");
        running.set(true);
        paused.set(false);
        state.set(c == null ? "starting: loading the networks…" : "resuming from epoch " + c.epoch() + " of " + r.epochs() + "…");
        statusDone = status.begin("training mapper “" + r.prompt() + "”");
        StudioPort.Listener<MapperTrainResult> listener = new StudioPort.Listener<>() {
            @Override
            public void frame(Frame f) {
                onFrame(r, f);
            }

            @Override
            public void done(MapperTrainResult res) {
                end();
                library.added(res.mapperFile()); // listed and selected (remembered when trained in a folder elsewhere)
                info("Mapper trained", "“" + r.prompt() + "”: " + res.epochsDone() + " epochs" + (res.resumed() ? " (resumed)" : "")
                        + String.format(Locale.ROOT, ", last epoch loss %.4f", res.lastLoss()) + " → " + res.mapperFile()
                        + (res.demo() ? " — " + res.networks() + ": it edits nothing meaningful" : ""));
            }

            @Override
            public void failed(Throwable error) {
                end();
                String kept = keptText();
                if (error instanceof DivergedException) {
                    status.notice(new Notice(Notice.Level.ERROR, "Mapper training diverged",
                            Notice.describe(error) + " — lower the learning rate; " + kept));
                } else {
                    Notice n = Notice.error("Mapper training failed", error);
                    status.notice(n.level() == Notice.Level.DIALOG ? n
                            : new Notice(Notice.Level.ERROR, "Mapper training failed", Notice.describe(error) + " — " + kept));
                }
            }

            @Override
            public void cancelled() {
                end();
                info("Mapper training cancelled", keptText());
            }
        };
        task = StudioPort.start(listener, () -> backend.trainMapper(r, listener));
    }

    private String keptText() {
        Checkpoint c = checkpoint.get();
        return c == null ? "no epoch was finished, nothing was saved"
                : "the checkpoint of epoch " + c.epoch() + " is kept: Train resumes from it";
    }

    private void onFrame(MapperTrainRequest r, Frame f) {
        curves.onFrame(f, System.currentTimeMillis());
        if (f.step() == 0 && f.message() != null) networks.set(f.message());
        if (!Double.isNaN(f.lr())) currentLr.set(f.lr());
        Double epoch = f.metrics().get("epoch");
        if (f.preview() != null) {
            sample.set(f.preview());
            samples.set(samples.get() + 1);
            if (epoch != null) epochsDone.set(epoch.intValue());
        }
        if (f.step() <= 0 || !f.losses().containsKey("total")) return;
        double msPerStep = timer.onFrame(f);
        if (!Double.isNaN(msPerStep)) msPerSample.set(msPerStep / r.batch());
        int total = r.epochs() * r.stepsPerEpoch();
        int inEpoch = (f.step() - 1) % r.stepsPerEpoch() + 1;
        int e = epoch == null ? (f.step() - 1) / r.stepsPerEpoch() + 1 : epoch.intValue();
        progressFraction.set((double) f.step() / total);
        String p = String.format(Locale.ROOT, "epoch %d/%d · step %d/%d", e, r.epochs(), inEpoch, r.stepsPerEpoch());
        String timing = timer.describe(f.step(), total);
        if (!timing.isEmpty()) p += " · " + timing;
        progress.set(p);
        state.set("training: epoch " + e + " of " + r.epochs() + (paused.get() ? " (paused)" : ""));
        status.jobProperty().set("training mapper: " + p);
    }

    private void end() {
        statusDone.run();
        running.set(false);
        paused.set(false);
        task = null;
        if (Double.isFinite(msPerSample.get())) prefs.putDouble(timingKey(), msPerSample.get());
        followPrompt(); // the Edit tab's prompt may have changed during the run
        refreshCheckpoint();
    }

    public void togglePause() {
        StudioPort.Task t = task;
        if (t == null) return;
        if (t.isPaused()) {
            t.resume();
            paused.set(false);
            state.set(state.get().replace(" (paused)", ""));
        } else {
            t.pause();
            paused.set(true);
            state.set(state.get() + " (paused)");
            status.jobProperty().set("training mapper: paused — Resume continues");
        }
    }

    /** Cancels the run at the next step; the last epoch's checkpoint stays for a resume. */
    public void cancel() {
        StudioPort.Task t = task;
        if (t != null) {
            t.resume();
            t.cancel();
            // the job stops at its next step: say so until it has
            state.set("cancelling after the current step…");
            status.jobProperty().set("training mapper: cancelling…");
        }
    }

    // ---- hint, preferences ----------------------------------------------------------------------------------------

    private String timingKey() {
        return StepTimer.preferenceKey("mapper.msPerSample", generatorLabel.get());
    }

    private String hintText() {
        int e = (int) epochs.get(), s = (int) steps.get(), b = (int) batch.get();
        String text = String.format(Locale.ROOT, "Defaults are sized for a CPU: %d epochs × %d steps × batch %d. The seed report "
                        + "trains %d epochs at batch %d on a GPU (about an hour per mapper there; first results from epoch 60). ",
                DEFAULTS.epochs(), DEFAULTS.stepsPerEpoch(), DEFAULTS.batch(), REFERENCE_EPOCHS, REFERENCE_BATCH);
        double ms = msPerSample.get();
        if (Double.isNaN(ms)) {
            return text + "Time on this device (" + backend.deviceName() + "): not measured yet; a run shows its time per step.";
        }
        double epochMs = ms * b * s;
        return text + "On this device (" + backend.deviceName() + ") an epoch at these settings takes ≈ " + StepTimer.duration(epochMs)
                + ", all " + e + " ≈ " + StepTimer.duration(epochMs * e) + " (measured: " + StepTimer.duration(ms) + " per face and step).";
    }

    /** A short human duration: 850 ms, 12 s, 3 min 5 s, 2 h 10 min. */
    private static String key(NumberParam p) {
        return "mapper." + p.name().replace("λ_", "lambda_").replace(' ', '_').replace('/', '_');
    }

    private void load() {
        for (NumberParam p : numbers()) p.set(prefs.getDouble(key(p), p.get()));
        for (int g = 0; g < 3; g++) groups[g].set(prefs.getBoolean("mapper." + WGroups.Group.values()[g].id(), groups[g].get()));
        String f = prefs.get("mapper.folder", null);
        if (f != null && !f.isBlank()) {
            try {
                folder.set(Paths.get(f));
                folderChosen.set(true);
            } catch (RuntimeException e) {
                // a stale or foreign path: follow the prompt
            }
        }
    }

    /** Remembers the settings (done when a run starts). */
    public void save() {
        for (NumberParam p : numbers()) prefs.putDouble(key(p), p.get());
        for (int g = 0; g < 3; g++) prefs.putBoolean("mapper." + WGroups.Group.values()[g].id(), groups[g].get());
    }

    private void info(String title, String text) {
        status.notice(new Notice(Notice.Level.INFO, title, text));
    }
}
