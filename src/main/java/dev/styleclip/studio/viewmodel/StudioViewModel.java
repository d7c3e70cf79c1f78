package dev.styleclip.studio.viewmodel;

import dev.styleclip.AppInfo;
import dev.styleclip.runtime.MemoryBudget;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.ProcessMemory;
import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.studio.service.StudioBackend;
import javafx.beans.property.LongProperty;
import javafx.beans.property.SimpleLongProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * The studio's composition root: one view model per panel, wired to one {@link StudioBackend} and one
 * {@link Document} (the face being edited, its stack and undo history), plus what belongs to the whole window — the
 * memory budget and the status bar's memory line, cancelling everything (Esc), saving settings on close. No JavaFX
 * nodes and no NDArrays live here or below; every panel's view model is unit-testable without a stage.
 */
public final class StudioViewModel {
    private final StudioBackend backend;
    private final StudioPrefs prefs;
    private final ModelsViewModel models;
    private final StatusViewModel status = new StatusViewModel();
    private final LiveViewModel live = new LiveViewModel();
    private final EditSettings edit = new EditSettings();
    private final Document document;
    private final SourceViewModel source;
    private final EditStackViewModel stack;
    private final EditRunViewModel run;
    private final CompareViewModel compare;
    private final DirectionsViewModel directions;
    private final MapperSettings mapperSettings;
    private final MapperRunViewModel mapperRun;
    private final MapperLibraryViewModel mapperLibrary;
    private final DocumentFilesViewModel files;
    private final RecipeBatchViewModel recipeBatch;
    private final RegionOverlay regionOverlay;
    private final StringProperty memory = new SimpleStringProperty(this, "memory", "");
    private final LongProperty memoryBudget = new SimpleLongProperty(this, "memoryBudget", 0);

    public StudioViewModel(StudioBackend backend, ModelsViewModel models, StudioPrefs prefs) {
        this(backend, models, prefs, System::currentTimeMillis);
    }

    public StudioViewModel(StudioBackend backend, ModelsViewModel models, StudioPrefs prefs, LongSupplier clock) {
        this.backend = backend;
        this.models = models;
        this.prefs = prefs;
        edit.load(prefs);
        long budget = (long) prefs.getDouble("memory.budget", 0);
        memoryBudget.set(budget);
        backend.setMemoryBudget(budget);
        document = new Document(backend.edit(), status, live);
        source = new SourceViewModel(backend.source(), prefs, status, live, document, clock);
        stack = new EditStackViewModel(document);
        compare = new CompareViewModel(backend.edit(), backend.directions());
        directions = new DirectionsViewModel(backend.directions(), prefs, status);
        run = new EditRunViewModel(backend.edit(), backend.directions(), prefs, status, live, document, edit, directions, compare,
                source.generatorLabelProperty(), clock);
        files = new DocumentFilesViewModel(prefs, status, document, edit, compare, source.inversionReportProperty(),
                ModelCatalog.besideModels(models.catalog().dir(), "sessions").resolve("autosave.json"));
        Path mappers = MapperPlaces.defaultRoot(models.catalog().dir()).toAbsolutePath().normalize();
        mapperSettings = new MapperSettings(prefs, mappers, edit.promptProperty(), backend.source()::generatorLabel,
                backend.deviceName(), status);
        mapperLibrary = new MapperLibraryViewModel(prefs, mappers, status, document.hasLatentProperty(), run::applyMapper);
        mapperRun = new MapperRunViewModel(backend.mapper(), mapperSettings, mapperLibrary, status);
        recipeBatch = new RecipeBatchViewModel(backend.recipeBatch(), prefs, status, document, source.invertMethodProperty(),
                source.invertSteps());
        regionOverlay = new RegionOverlay(backend.edit(), edit, live);
        refreshModels();
        refreshMemory();
        applyDefaults();
        // another generator, another size: the settings nobody chose start from its defaults
        source.generatorLabelProperty().addListener((o, a, b) -> applyDefaults());
    }

    /**
     * The long runs' settings that nobody chose start from the defaults of this device and the generator in use
     * ({@link DeviceDefaults}); chosen and remembered values stay.
     */
    private void applyDefaults() {
        DeviceDefaults d = DeviceDefaults.of(backend.deviceName(), backend.source().generatorResolution());
        edit.steps().setDefault(d.editSteps());
        source.invertSteps().setDefault(d.invertSteps());
        directions.images().setDefault(d.directionFaces());
    }

    /** The live view's region overlay (View ▸ Region overlay). */
    public RegionOverlay regionOverlay() {
        return regionOverlay;
    }

    public StudioPrefs prefs() {
        return prefs;
    }

    /** The Models tab. */
    public ModelsViewModel models() {
        return models;
    }

    /** The status bar: notices, message, what runs. */
    public StatusViewModel status() {
        return status;
    }

    /** The live view: before / current pictures, loss curves, metrics. */
    public LiveViewModel live() {
        return live;
    }

    /** The face being edited, its stack and undo history. */
    public Document document() {
        return document;
    }

    /** The Source tab: generator, seed, latent files, photos. */
    public SourceViewModel source() {
        return source;
    }

    /** The Edit tab's settings. */
    public EditSettings edit() {
        return edit;
    }

    /** The Edit tab's stack. */
    public EditStackViewModel stack() {
        return stack;
    }

    /** The Edit tab's Run, Pause, Cancel and the compare grid's start. */
    public EditRunViewModel run() {
        return run;
    }

    /** The compare grid's cells and values. */
    public CompareViewModel compare() {
        return compare;
    }

    /** The global directions' preparation. */
    public DirectionsViewModel directions() {
        return directions;
    }

    /** The Mapper tab's training settings. */
    public MapperSettings mapperSettings() {
        return mapperSettings;
    }

    /** The Mapper tab's Train, Pause, Cancel and the run's progress. */
    public MapperRunViewModel mapperRun() {
        return mapperRun;
    }

    /** The Mapper tab's trained mappers: the list, the one selected, applying it. */
    public MapperLibraryViewModel mapperLibrary() {
        return mapperLibrary;
    }

    /** Export, sessions, recipes: the files of the document. */
    public DocumentFilesViewModel files() {
        return files;
    }

    /** File ▸ Apply recipe to folder. */
    public RecipeBatchViewModel recipeBatch() {
        return recipeBatch;
    }

    public String title() {
        return AppInfo.NAME;
    }

    public String deviceName() {
        return backend.deviceName();
    }

    /** After models were installed or removed: the Models tab's list and the generator in use. */
    public void refreshModels() {
        models.refresh();
        source.refreshGenerator();
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
        run.refreshRunEstimate();
        return true;
    }

    /** The status bar's memory line: the process's resident size and the budget jobs plan against. */
    public StringProperty memoryProperty() {
        return memory;
    }

    public void refreshMemory() {
        long rss = ProcessMemory.rss();
        long b = memoryBudget.get();
        memory.set((rss < 0 ? "memory" : "memory " + MemoryBudget.format(rss)) + " · budget "
                + (b > 0 ? MemoryBudget.format(b) : "auto"));
    }

    /** Cancels the running edit, inversion and compare grid (Esc). */
    public void cancel() {
        run.cancel();
        source.cancelInversion();
    }

    /** What closing the window would interrupt ("… is running: closing stops it"), or null when nothing runs. */
    public String closeWarning() {
        if (!status.busyProperty().get()) return null;
        return "“" + status.jobProperty().get() + "” is running: closing the window stops it. The face and its edits are kept"
                + " (the session is saved and comes back at the next start).";
    }

    /** The window closes: running work is cancelled, the document autosaved, settings saved. */
    public void closing() {
        cancel();
        directions.cancel();
        mapperRun.cancel();
        recipeBatch.cancel();
        files.autosave();
        saveSettings();
    }

    /** Saves settings and preferences (on close). */
    public void saveSettings() {
        edit.save(prefs);
        prefs.flush();
    }
}
