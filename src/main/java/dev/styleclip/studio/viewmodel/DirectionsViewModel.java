package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.DirectionsPort;
import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.edit.directions.Precision;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The global directions' preparation (Edit panel, method "global direction"): whether the channel effects are ready for
 * the installed generator and CLIP, measuring them (long, resumable, cancellable) or importing stylegan3-editing's
 * published ones; how many faces and which precision, remembered.
 */
public final class DirectionsViewModel {
    private final DirectionsPort backend;
    private final StudioPrefs prefs;
    private final StatusViewModel status;
    private final ObjectProperty<DirectionsPort.DirectionsInfo> info = new SimpleObjectProperty<>(this, "info");
    private final BooleanProperty preparing = new SimpleBooleanProperty(this, "preparing");
    private final StringProperty progress = new SimpleStringProperty(this, "progress", "");
    private final NumberParam images = new NumberParam("faces", 100, 2, 1000, 1, 100000, true);
    private final ObjectProperty<Precision> precision = new SimpleObjectProperty<>(this, "precision", Precision.DEFAULT);
    private StudioPort.Task task;
    private final StepTimer timer = new StepTimer();

    DirectionsViewModel(DirectionsPort backend, StudioPrefs prefs, StatusViewModel status) {
        this.backend = backend;
        this.prefs = prefs;
        this.status = status;
        prefs.getChosen("directions.images", images);
        try {
            precision.set(Precision.parse(prefs.get("directions.precision", Precision.DEFAULT.id())));
        } catch (IllegalArgumentException e) {
            precision.set(Precision.DEFAULT);
        }
    }

    /** Whether (and how) the channel effects are prepared; null until {@link #refresh}. */
    public ObjectProperty<DirectionsPort.DirectionsInfo> infoProperty() {
        return info;
    }

    public BooleanProperty preparingProperty() {
        return preparing;
    }

    /** The running preparation's progress, or how the last one ended. */
    public StringProperty progressProperty() {
        return progress;
    }

    /** Faces the channel effects are averaged over. */
    public NumberParam images() {
        return images;
    }

    public ObjectProperty<Precision> precisionProperty() {
        return precision;
    }

    /** Asks the backend whether global directions are prepared for the installed generator + CLIP. */
    public DirectionsPort.DirectionsInfo refresh() {
        try {
            info.set(backend.directionsInfo());
        } catch (RuntimeException e) {
            status.fail("Global directions", e);
        }
        return info.get();
    }

    /**
     * Measures the channel effects (long: one synthesis + CLIP pass per style channel and face; progress in
     * {@link #progressProperty()}; cancel and prepare again to resume where it stopped).
     */
    public void prepare() {
        if (preparing.get()) return;
        int n = (int) images.get();
        prefs.putChosen("directions.images", images);
        Precision p = precision.get();
        prefs.put("directions.precision", p.id());
        preparing.set(true);
        progress.set("starting…");
        task = backend.prepareDirections(n, p, listener("preparing global directions", "prepared"));
    }

    /** Takes stylegan3-editing's published channel effects ({@code delta_i_c.npy}, {@code s_mean.npy}, {@code s_std.npy}). */
    public void importFrom(Path folder) {
        if (preparing.get() || folder == null) return;
        preparing.set(true);
        progress.set("importing " + folder.getFileName());
        task = backend.importDirections(folder, listener("importing global directions", "imported"));
    }

    public void cancel() {
        StudioPort.Task t = task;
        if (t != null) {
            t.cancel();
            // the job stops between channels: say so until it has
            progress.set("cancelling after the current channel…");
        }
    }

    private BackgroundTask<Path> listener(String what, String verb) {
        timer.reset();
        return status.<Path>task(what, "Global directions")
                .onFinished(() -> {
                    preparing.set(false);
                    task = null;
                })
                .onFrame(f -> {
                    timer.onFrame(f);
                    String timing = timer.describe(f.step(), f.total());
                    String p = f.message() != null ? f.message()
                            : f.total() > 0 ? String.format(Locale.ROOT, "%d / %d (%.0f %%)", f.step(), f.total(), 100 * f.progress())
                            : Integer.toString(f.step());
                    progress.set(timing.isEmpty() ? p : p + " · " + timing);
                    status.jobProperty().set(what + ": " + progress.get());
                })
                .onSuccess(result -> {
                    progress.set("");
                    refresh();
                    status.info("Global directions", verb + ": " + result);
                })
                .onFailure(error -> {
                    progress.set("failed: " + Notice.describe(error));
                    status.fail("Global directions", error);
                })
                .onCancelled(() -> progress.set("cancelled — Prepare again to resume"));
    }
}
