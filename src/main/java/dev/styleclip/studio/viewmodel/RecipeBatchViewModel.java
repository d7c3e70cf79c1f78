package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeBatch;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.runtime.Frame;
import dev.styleclip.studio.service.RecipeBatchPort;
import dev.styleclip.studio.service.RecipeBatchPort.RecipeBatchRequest;
import dev.styleclip.studio.service.StudioPort;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * File ▸ Apply recipe to folder: which recipe (the current edit stack or a recipe file), the input and output folders
 * (remembered), Start with one clear message for what is missing, the running batch's progress with its ETA, Cancel,
 * and the result list — a row per input as it ends (input, status, output or reason) whose edited picture can be
 * opened. Photos are inverted as the Source tab's Invert would (its method and steps).
 */
public final class RecipeBatchViewModel {
    static final String INPUTS_KEY = "folder.batchInputs", OUTPUT_KEY = "folder.batchOutput", RECIPES_KEY = "folder.sessions";
    private static final String TITLE = "Apply recipe to folder";

    /** Where the recipe comes from. */
    public enum RecipeSource { EDIT_STACK, FILE }

    /**
     * One row of the result list.
     *
     * @param output  the first output's file name (a photo's whole picture, else the edited one), or the reason of a failure
     * @param picture what a double-click opens (a photo's whole picture with its edited faces, else the edited picture;
     *                a failed photo's aligned face), or null
     */
    public record Row(String input, String status, String output, Path picture) {
        static Row of(RecipeBatch.Outcome o) {
            Path picture = o.outputs().stream().filter(p -> p.getFileName().toString().endsWith(".png")).findFirst().orElse(null);
            String output = o.status() == RecipeBatch.Status.FAILED ? o.detail()
                    : o.outputs().isEmpty() ? "" : o.outputs().get(0).getFileName().toString();
            return new Row(o.name(), o.status().name().toLowerCase(Locale.ROOT), output, picture);
        }
    }

    private final RecipeBatchPort backend;
    private final StudioPrefs prefs;
    private final StatusViewModel status;
    private final Document document;
    private final ObservableValue<PhotoInversion.Method> invertMethod;
    private final NumberParam invertSteps;
    private final ObjectProperty<RecipeSource> recipeSource = new SimpleObjectProperty<>(this, "recipeSource", RecipeSource.EDIT_STACK);
    private final ObjectProperty<Path> recipeFile = new SimpleObjectProperty<>(this, "recipeFile");
    private final ObjectProperty<Path> inputFolder = new SimpleObjectProperty<>(this, "inputFolder");
    private final ObjectProperty<Path> outputFolder = new SimpleObjectProperty<>(this, "outputFolder");
    private final BooleanProperty force = new SimpleBooleanProperty(this, "force");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running");
    private final DoubleProperty progress = new SimpleDoubleProperty(this, "progress", 0);
    private final StringProperty progressText = new SimpleStringProperty(this, "progressText", "");
    private final StringProperty message = new SimpleStringProperty(this, "message", "");
    private final ObservableList<Row> rows = FXCollections.observableArrayList();
    private final StepTimer timer = new StepTimer();
    private final StringBinding stackDescription;
    private final StringBinding photoNote;
    private StudioPort.Task task;
    private int inputCount;
    private final Map<RecipeBatch.Status, Integer> tally = new EnumMap<>(RecipeBatch.Status.class);
    private String current = "";
    private String currentWork = "";

    RecipeBatchViewModel(RecipeBatchPort backend, StudioPrefs prefs, StatusViewModel status, Document document,
                         ObservableValue<PhotoInversion.Method> invertMethod, NumberParam invertSteps) {
        this.backend = backend;
        this.prefs = prefs;
        this.status = status;
        this.document = document;
        this.invertMethod = invertMethod;
        this.invertSteps = invertSteps;
        inputFolder.set(remembered(INPUTS_KEY));
        outputFolder.set(remembered(OUTPUT_KEY));
        stackDescription = Bindings.createStringBinding(() -> document.editStack().isEmpty() ? "the current edit stack (empty)"
                : "the current edit stack: " + Steps.count(document.editStack()), document.editStack());
        photoNote = Bindings.createStringBinding(() -> {
            PhotoInversion.Method m = invertMethod.getValue();
            return "Photos are aligned (the largest face) and inverted as the Source tab's Invert does: " + m.label()
                    + (m.usesProjection() ? ", " + (int) invertSteps.get() + " steps" : "") + ".";
        }, invertMethod, invertSteps.valueProperty());
    }

    private Path remembered(String key) {
        String f = prefs.get(key, null);
        return f != null && Files.isDirectory(Paths.get(f)) ? Paths.get(f) : null;
    }

    public ObjectProperty<RecipeSource> recipeSourceProperty() {
        return recipeSource;
    }

    /** The recipe file (choosing one makes it the recipe; its folder is remembered with the other recipes'). */
    public ObjectProperty<Path> recipeFileProperty() {
        return recipeFile;
    }

    public void chooseRecipeFile(Path file) {
        if (file == null) return;
        recipeFile.set(file);
        recipeSource.set(RecipeSource.FILE);
        if (file.toAbsolutePath().getParent() != null) prefs.put(RECIPES_KEY, file.toAbsolutePath().getParent().toString());
    }

    public ObjectProperty<Path> inputFolderProperty() {
        return inputFolder;
    }

    public void chooseInputFolder(Path folder) {
        if (folder == null) return;
        inputFolder.set(folder);
        prefs.put(INPUTS_KEY, folder.toAbsolutePath().toString());
    }

    public ObjectProperty<Path> outputFolderProperty() {
        return outputFolder;
    }

    public void chooseOutputFolder(Path folder) {
        if (folder == null) return;
        outputFolder.set(folder);
        prefs.put(OUTPUT_KEY, folder.toAbsolutePath().toString());
    }

    /** Redo the inputs whose results exist (else they are skipped). */
    public BooleanProperty forceProperty() {
        return force;
    }

    /** "the current edit stack: 2 edits", or that it is empty. */
    public StringBinding stackDescriptionProperty() {
        return stackDescription;
    }

    /** How photos of the folder become latents: the Source tab's inversion settings. */
    public StringBinding photoNoteProperty() {
        return photoNote;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** Inputs ended / inputs, 0…1. */
    public DoubleProperty progressProperty() {
        return progress;
    }

    /** "input 2 of 5: bob.npz · 12 s/input · ETA 36 s". */
    public StringProperty progressTextProperty() {
        return progressText;
    }

    /** What is missing before Start, or how the last batch ended. */
    public StringProperty messageProperty() {
        return message;
    }

    /** A row per input, in the order they ended. */
    public ObservableList<Row> rows() {
        return rows;
    }

    /** Starts the batch; false (with the one message that says what is missing) when it cannot start. */
    public boolean start() {
        if (running.get()) return false;
        RecipeBatchRequest request;
        try {
            request = request();
        } catch (IllegalArgumentException | IOException e) {
            String why = Notice.describe(e);
            message.set(why);
            status.warn(TITLE, why);
            return false;
        }
        rows.clear();
        tally.clear();
        current = currentWork = "";
        timer.reset();
        progress.set(0);
        progressText.set("starting: loading the networks…");
        message.set("");
        running.set(true);
        BackgroundTask<List<RecipeBatch.Outcome>> t = status.<List<RecipeBatch.Outcome>>task(
                        "applying the recipe to " + request.inputs().getFileName(), TITLE)
                .onFrame(this::frame)
                .onFinished(() -> {
                    running.set(false);
                    task = null;
                    progressText.set("");
                })
                .onSuccess(r -> {
                    message.set("finished: " + counts());
                    status.info(TITLE, counts() + " → " + request.output());
                })
                .onFailure(e -> {
                    message.set("stopped: " + Notice.describe(e));
                    status.fail(TITLE, e);
                })
                .onCancelled(() -> {
                    message.set("cancelled after " + rows.size() + " of " + inputCount + " inputs: " + counts()
                            + " (what was written stays)");
                    status.info(TITLE, message.get());
                });
        task = StudioPort.start(t, () -> backend.applyRecipe(request, this::ended, t));
        return task != null;
    }

    /** The request, or the reason it cannot be made: no recipe, a folder missing, the same folder twice, no inputs. */
    private RecipeBatchRequest request() throws IOException {
        Recipe recipe;
        Path file = null;
        if (recipeSource.get() == RecipeSource.FILE) {
            file = recipeFile.get();
            if (file == null) throw new IllegalArgumentException("choose a recipe file, or apply the current edit stack");
            try {
                recipe = RecipeFiles.read(file);
            } catch (IOException e) {
                throw new IllegalArgumentException("the recipe cannot be read: " + e.getMessage());
            }
        } else {
            Snapshot s = document.current();
            if (s == null || s.edits().isEmpty()) {
                throw new IllegalArgumentException("the edit stack is empty: make an edit first, or choose a recipe file");
            }
            recipe = new Recipe(s.source().generator(), s.edits());
        }
        Path in = inputFolder.get(), out = outputFolder.get();
        if (in == null) throw new IllegalArgumentException("choose the input folder (photos and/or latents)");
        if (!Files.isDirectory(in)) throw new IllegalArgumentException("the input folder " + in + " is not a folder");
        if (out == null) throw new IllegalArgumentException("choose the output folder");
        if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("the output folder " + out + " is a file");
        if (in.toAbsolutePath().normalize().equals(out.toAbsolutePath().normalize()) || (Files.exists(out) && Files.isSameFile(in, out))) {
            throw new IllegalArgumentException("the output folder must not be the input folder (the results would mix with the inputs)");
        }
        inputCount = RecipeBatch.inputs(in).size();
        if (inputCount == 0) {
            throw new IllegalArgumentException("the input folder " + in + " holds no " + RecipeBatch.acceptedInputs());
        }
        return new RecipeBatchRequest(recipe, file, in, out, force.get(), invertMethod.getValue(), (int) invertSteps.get());
    }

    public void cancel() {
        StudioPort.Task t = task;
        if (t != null) t.cancel();
    }

    private void ended(RecipeBatch.Outcome o) {
        rows.add(Row.of(o));
        tally.merge(o.status(), 1, Integer::sum);
        timer.onStep(rows.size(), o.elapsedMs());
        current = currentWork = "";
        progress.set(inputCount == 0 ? 0 : Math.min(1, (double) rows.size() / inputCount));
        showProgress();
    }

    private void frame(Frame f) {
        if (RecipeBatch.isBatchFrame(f, RecipeBatchPort.BATCH_JOB)) {
            if (f.total() > 0) inputCount = f.total(); // the folder as the job listed it
            currentWork = "";
        } else {
            currentWork = f.message() != null ? f.message() : f.total() > 0 ? "step " + f.step() + "/" + f.total() : "";
        }
        String name = RecipeBatch.inputName(f, RecipeBatchPort.BATCH_JOB);
        if (name != null) current = name;
        showProgress();
    }

    private void showProgress() {
        if (!running.get()) return;
        int k = Math.min(rows.size() + 1, inputCount);
        String timing = timer.describe(rows.size(), inputCount, "input");
        progressText.set("input " + k + " of " + inputCount + (current.isEmpty() ? "" : ": " + current)
                + (currentWork.isEmpty() ? "" : " — " + currentWork) + (timing.isEmpty() ? "" : " · " + timing));
    }

    private String counts() {
        return tally.getOrDefault(RecipeBatch.Status.DONE, 0) + " done, " + tally.getOrDefault(RecipeBatch.Status.SKIPPED, 0)
                + " skipped, " + tally.getOrDefault(RecipeBatch.Status.FAILED, 0) + " failed";
    }

    /** The picture of a row to open, or null (with a notice) when it has none or it is gone. */
    public Path pictureOf(Row row) {
        if (row == null || row.picture() == null) return null;
        if (!Files.isRegularFile(row.picture())) {
            status.warn(TITLE, row.picture() + " is no longer there");
            return null;
        }
        return row.picture();
    }
}
