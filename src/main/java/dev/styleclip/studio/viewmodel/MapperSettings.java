package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.WGroups;
import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.studio.service.MapperFolders;
import dev.styleclip.studio.service.MapperFolders.Checkpoint;
import dev.styleclip.studio.service.MapperPort.MapperTrainRequest;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableStringValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The Mapper tab's training settings: prompt, output folder, the numbers (safe ranges, honest CPU defaults and what they
 * cost on this device), layer groups; what Train would do with them, and the one request they make, checked. Remembered
 * across starts. The run itself is {@link MapperRunViewModel}'s, the trained mappers {@link MapperLibraryViewModel}'s.
 *
 * <p>The output folder follows the prompt ({@code <mappers>/<slug of the prompt>}) until the user chooses one; a chosen
 * folder is remembered, and when it holds a checkpoint its prompt and run settings are taken over so that Train
 * resumes it. While a run holds the settings ({@link #hold}) the folder stays where the run writes.
 */
public final class MapperSettings {
    /** The reference's training size, for the hint. */
    public static final int REFERENCE_EPOCHS = 100, REFERENCE_BATCH = 20;
    private static final MapperTrainingJob.Settings DEFAULTS = MapperTrainingJob.Settings.defaults("");

    private final StudioPrefs prefs;
    private final Path root;
    private final ObservableStringValue editPrompt;
    /** The generator in use (the measured time per face is remembered per generator). */
    private final Supplier<String> generatorLabel;
    private final String deviceName;
    private final StatusViewModel status;
    /** Whether a run holds the settings (started from them, not finished). */
    private boolean held;

    private final StringProperty prompt = new SimpleStringProperty(this, "prompt", "");
    private final ObjectProperty<Path> folder = new SimpleObjectProperty<>(this, "folder");
    private final BooleanProperty folderChosen = new SimpleBooleanProperty(this, "folderChosen");
    private final ObjectProperty<Checkpoint> checkpoint = new SimpleObjectProperty<>(this, "checkpoint");
    private final StringProperty nextRun = new SimpleStringProperty(this, "nextRun", "");

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

    private final DoubleProperty msPerSample = new SimpleDoubleProperty(this, "msPerSample", Double.NaN);
    private final StringBinding hint;

    /**
     * @param mappersRoot    where trained mappers live ({@link MapperPlaces#defaultRoot})
     * @param editPrompt     the Edit tab's prompt, used while this tab's prompt is empty
     * @param generatorLabel the generator in use
     * @param deviceName     where the training runs (the hint names it)
     */
    MapperSettings(StudioPrefs prefs, Path mappersRoot, ObservableStringValue editPrompt, Supplier<String> generatorLabel,
                   String deviceName, StatusViewModel status) {
        this.prefs = prefs;
        this.root = mappersRoot;
        this.editPrompt = editPrompt;
        this.generatorLabel = generatorLabel;
        this.deviceName = deviceName;
        this.status = status;
        load();
        msPerSample.set(prefs.getDouble(timingKey(), Double.NaN));
        hint = Bindings.createStringBinding(this::hintText, epochs.valueProperty(), steps.valueProperty(),
                batch.valueProperty(), msPerSample);
        prompt.addListener((o, a, b) -> followPrompt());
        editPrompt.addListener((o, a, b) -> followPrompt());
        folder.addListener((o, a, b) -> refreshCheckpoint());
        epochs.valueProperty().addListener((o, a, b) -> updateNextRun());
        followPrompt();
        refreshCheckpoint();
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

    /** Where trained mappers live: the default folders, what the library lists. */
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

    /** What Train would do with these settings: a new mapper, a resume, or why it cannot start. */
    public ReadOnlyStringProperty nextRunProperty() {
        return nextRun;
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

    // ---- folder -----------------------------------------------------------------------------------------------

    /** The folder a prompt trains into by default. */
    public Path defaultFolder(String forPrompt) {
        return root.resolve(MapperPlaces.slug(forPrompt));
    }

    private void followPrompt() {
        if (!folderChosen.get() && !held) folder.set(defaultFolder(effectivePrompt()));
        updateNextRun();
    }

    /**
     * Trains into {@code dir} from now on (remembered). When it holds a checkpoint, its prompt and run settings are
     * taken over, so Train resumes it.
     */
    public void chooseFolder(Path dir) {
        if (dir == null || held) return;
        folderChosen.set(true);
        prefs.put("mapper.folder", dir.toAbsolutePath().toString());
        folder.set(dir.toAbsolutePath().normalize());
        refreshCheckpoint();
        Checkpoint c = checkpoint.get();
        if (c != null) {
            adopt(c);
            status.notice(new Notice(Notice.Level.INFO, "Mapper folder",
                    "it holds a checkpoint for “" + c.prompt() + "” at epoch " + c.epoch() + ": Train resumes it"));
        }
    }

    /** Goes back to the folder that follows the prompt. */
    public void useDefaultFolder() {
        if (held) return;
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
        updateNextRun();
    }

    private void refreshCheckpoint() {
        checkpoint.set(MapperFolders.checkpoint(folder.get()).orElse(null));
        updateNextRun();
    }

    private void updateNextRun() {
        Checkpoint c = checkpoint.get();
        Path f = folder.get();
        String where = f == null ? "?" : f.getFileName() == null ? f.toString() : f.getFileName().toString();
        if (c == null) {
            nextRun.set("new mapper → " + where);
        } else if (!c.prompt().equals(effectivePrompt())) {
            nextRun.set("the folder " + where + " holds a mapper for “" + c.prompt() + "”: choose another folder");
        } else if (c.epoch() >= (int) epochs.get()) {
            nextRun.set("trained " + c.epoch() + " epochs in " + where + ": raise epochs to go on");
        } else {
            nextRun.set("resumes from epoch " + c.epoch() + " of " + (int) epochs.get() + " in " + where);
        }
    }

    // ---- the request --------------------------------------------------------------------------------------------

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

    // ---- a run holds them ---------------------------------------------------------------------------------------

    /** A run started from these settings: they are remembered, and the folder stays until {@link #release}. */
    void hold() {
        save();
        held = true;
    }

    /**
     * The run ended: its measured time is remembered, the folder follows the prompt again (the Edit tab's may have
     * changed meanwhile) and the checkpoint the run left is read.
     */
    void release() {
        held = false;
        if (Double.isFinite(msPerSample.get())) prefs.putDouble(timingKey(), msPerSample.get());
        followPrompt();
        refreshCheckpoint();
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
            return text + "Time on this device (" + deviceName + "): not measured yet; a run shows its time per step.";
        }
        double epochMs = ms * b * s;
        return text + "On this device (" + deviceName + ") an epoch at these settings takes ≈ " + StepTimer.duration(epochMs)
                + ", all " + e + " ≈ " + StepTimer.duration(epochMs * e) + " (measured: " + StepTimer.duration(ms) + " per face and step).";
    }

    /** The preference key of a number: "mapper.lambda_L2", "mapper.steps_epoch". */
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
}
