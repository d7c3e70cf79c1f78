package dev.styleclip.studio.viewmodel;

import dev.styleclip.runtime.MemoryBudget;
import java.util.Locale;
import dev.styleclip.AppInfo;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.models.DownloadListener;
import java.util.List;
import dev.styleclip.runtime.models.ModelEntries;
import dev.styleclip.runtime.models.DownloadProgress;
import dev.styleclip.runtime.models.ModelEntry;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * State of the Models panel: app identity, the installed model files, import and download (on a background thread,
 * progress delivered on the UI thread). No JavaFX nodes, no NDArrays.
 */
public final class ModelsViewModel {

    /** One row of the model status table. */
    public record ModelRow(String role, String description, String status) {
    }

    private final ModelCatalog catalog;
    private final ObservableList<ModelRow> models = FXCollections.observableArrayList();
    private final ObservableList<ModelEntry> entries = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper demoMode = new ReadOnlyBooleanWrapper();
    private final DoubleProperty progress = new SimpleDoubleProperty(this, "progress", 0);
    private final StringProperty progressText = new SimpleStringProperty(this, "progressText", "");
    private final BooleanProperty transferring = new SimpleBooleanProperty(this, "transferring");
    private final Consumer<Runnable> ui;
    private volatile AtomicBoolean cancel;
    private Consumer<Notice> notices = n -> { };

    public ModelsViewModel(ModelCatalog catalog) {
        this(catalog, Platform::runLater);
    }

    /** @param ui runs a task on the UI thread ({@code Platform::runLater}; tests may run it at once) */
    public ModelsViewModel(ModelCatalog catalog, Consumer<Runnable> ui) {
        this.catalog = catalog;
        this.ui = ui;
        entries.setAll(catalog.entries());
        refresh();
    }

    public void setNotices(Consumer<Notice> n) {
        this.notices = n == null ? x -> { } : n;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    public String title() {
        return AppInfo.NAME;
    }

    public String version() {
        return AppInfo.version();
    }

    public String modelsFolder() {
        return catalog.dir().toString();
    }

    public ObservableList<ModelRow> models() {
        return models;
    }

    /** The official files of the catalog (for Download / Import). */
    /** One line for a catalog entry: "stylegan3-t-ffhqu-256 — generator, 94 MB, recommended, licence …". */
    public static String describe(ModelEntry e) {
        StringBuilder b = new StringBuilder(e.name()).append(" — ").append(e.role().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (e.size() != null) b.append(", ").append(MemoryBudget.format(e.size()));
        if (e.isDefault()) b.append(", recommended");
        if (e.licence() != null && !e.licence().isBlank()) b.append(", ").append(e.licence());
        if (e.manual()) b.append(" (manual download)");
        return b.toString();
    }

    /** The entry to offer first: the first of the recommended set (the small 256² generator), else the first. */
    public ModelEntry firstChoice() {
        return entries().stream().filter(ModelEntry::isDefault).findFirst().orElse(entries().isEmpty() ? null : entries().get(0));
    }

    public ObservableList<ModelEntry> entries() {
        return entries;
    }

    public ReadOnlyBooleanProperty demoModeProperty() {
        return demoMode.getReadOnlyProperty();
    }

    public DoubleProperty progressProperty() {
        return progress;
    }

    public StringProperty progressTextProperty() {
        return progressText;
    }

    public BooleanProperty transferringProperty() {
        return transferring;
    }

    /** Re-scans the models folder. */
    public void refresh() {
        models.clear();
        for (ModelCatalog.Status s : catalog.scan()) {
            models.add(new ModelRow(s.role().label(), s.role().description(),
                    s.file().map(p -> "installed: " + p.getFileName()).orElse("not installed")));
        }
        demoMode.set(catalog.demoMode());
    }

    /** The catalog entry a file is most likely (same file name), if any. */
    public Optional<ModelEntry> guessEntry(Path file) {
        String n = file.getFileName().toString();
        return entries.stream().filter(e -> e.fileName().equals(n)).findFirst();
    }

    /** Imports a file as a catalog entry (checks its hash), on a background thread. {@code done} runs on the UI thread. */
    public void importFile(Path file, ModelEntry entry, Runnable done) {
        start("importing " + file.getFileName());
        Thread t = new Thread(() -> {
            try {
                Path p = catalog.installer().importFile(file, entry, true);
                ui.accept(() -> {
                    end("imported " + p.getFileName());
                    notices.accept(new Notice(Notice.Level.INFO, "Model imported", p.toString()));
                    if (done != null) done.run();
                });
            } catch (Exception | OutOfMemoryError e) {
                ui.accept(() -> {
                    end("import failed");
                    notices.accept(Notice.error("Import failed", e));
                });
            }
        }, "styleclip-import");
        t.setDaemon(true);
        t.start();
    }

    /** Downloads a catalog entry with progress, on a background thread. {@code done} runs on the UI thread. */
    public void download(ModelEntry entry, Runnable done) {
        download(List.of(entry), done);
    }

    /** The recommended files not installed yet (what {@link #downloadRecommended} would fetch). */
    public List<ModelEntry> missingRecommended() {
        return ModelEntries.recommended().stream().filter(e -> !catalog.installed(e)).toList();
    }

    /** "Download the recommended set (3 files, 780 MB)", or that it is installed. */
    public String recommendedSummary() {
        List<ModelEntry> todo = missingRecommended();
        if (todo.isEmpty()) return "The recommended set is installed";
        long bytes = todo.stream().mapToLong(e -> e.size() == null ? 0 : e.size()).sum();
        return "Download the recommended set (" + todo.size() + (todo.size() == 1 ? " file" : " files")
                + (bytes > 0 ? ", " + MemoryBudget.format(bytes) : "") + ")";
    }

    /** Downloads every recommended file not installed yet, one after the other; Stop ends the rest too. */
    public void downloadRecommended(Runnable done) {
        List<ModelEntry> todo = missingRecommended();
        if (todo.isEmpty()) {
            notices.accept(new Notice(Notice.Level.INFO, "Models", "the recommended set is installed"));
            return;
        }
        download(todo, done);
    }

    private void download(List<ModelEntry> todo, Runnable done) {
        AtomicBoolean c = new AtomicBoolean();
        cancel = c;
        start("downloading " + todo.get(0).name());
        Thread t = new Thread(() -> {
            int k = 0;
            try {
                for (ModelEntry entry : todo) {
                    if (c.get()) break;
                    String prefix = todo.size() > 1 ? (++k) + "/" + todo.size() + " " + entry.name() + ": " : "";
                    Path p = catalog.installer().fetch(entry, new DownloadListener() {
                        @Override
                        public void onProgress(DownloadProgress pr) {
                            ui.accept(() -> {
                                progress.set(pr.fraction() < 0 ? -1 : pr.fraction());
                                progressText.set(prefix + DownloadProgress.bytes(pr.bytes())
                                        + (pr.total() > 0 ? " / " + DownloadProgress.bytes(pr.total()) : ""));
                            });
                        }

                        @Override
                        public void onMessage(String message) {
                            ui.accept(() -> progressText.set(prefix + message));
                        }
                    }, c);
                    ui.accept(() -> notices.accept(new Notice(Notice.Level.INFO, "Downloaded", p.toString())));
                }
                ui.accept(() -> {
                    end(c.get() ? "download stopped" : todo.size() == 1 ? "installed " + todo.get(0).fileName() : "installed the recommended set");
                    if (done != null) done.run();
                });
            } catch (Exception | OutOfMemoryError e) {
                ui.accept(() -> {
                    end("download stopped");
                    notices.accept(Notice.error("Download failed", e));
                    if (done != null) done.run();
                });
            }
        }, "styleclip-download");
        t.setDaemon(true);
        t.start();
    }

    public void cancelTransfer() {
        AtomicBoolean c = cancel;
        if (c != null) c.set(true);
    }

    private void start(String what) {
        transferring.set(true);
        progress.set(-1);
        progressText.set(what + " …");
    }

    private void end(String what) {
        transferring.set(false);
        progress.set(0);
        progressText.set(what);
        refresh();
    }
}
