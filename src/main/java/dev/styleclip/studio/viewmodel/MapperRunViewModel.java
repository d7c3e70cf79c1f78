package dev.styleclip.studio.viewmodel;

import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.MapperFolders;
import dev.styleclip.studio.service.MapperFolders.Checkpoint;
import dev.styleclip.studio.service.MapperPort;
import dev.styleclip.studio.service.MapperPort.MapperTrainRequest;
import dev.styleclip.studio.service.MapperPort.MapperTrainResult;
import dev.styleclip.studio.service.StudioPort;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.ObservableList;

import java.util.Locale;

/**
 * The Mapper tab's run: Train / Pause / Resume / Cancel of a training on the compute thread, started from the
 * {@link MapperSettings}' request; its progress with ETA, losses, learning rate, the per-epoch sample grid; the trained
 * mapper handed to the {@link MapperLibraryViewModel}. A failure or a cancel says what was kept (the last epoch's
 * checkpoint, which Train resumes).
 */
public final class MapperRunViewModel {
    private final MapperPort backend;
    private final MapperSettings settings;
    private final MapperLibraryViewModel library;
    private final StatusViewModel status;
    /** Marks the status bar's job finished (set while a training runs). */
    private Runnable statusDone = () -> { };

    private final BooleanProperty running = new SimpleBooleanProperty(this, "running");
    private final BooleanProperty paused = new SimpleBooleanProperty(this, "paused");
    /** What the running training does ("training: epoch 2 of 10", " (paused)"). */
    private final StringProperty activity = new SimpleStringProperty(this, "activity", "");
    private final StringBinding state;
    private final StringProperty progress = new SimpleStringProperty(this, "progress", "");
    private final DoubleProperty progressFraction = new SimpleDoubleProperty(this, "progressFraction", 0);
    private final IntegerProperty epochsDone = new SimpleIntegerProperty(this, "epochsDone");
    private final DoubleProperty currentLr = new SimpleDoubleProperty(this, "lr", Double.NaN);
    private final StringProperty networks = new SimpleStringProperty(this, "networks", "");
    private final ObjectProperty<Pixels> sample = new SimpleObjectProperty<>(this, "sample");
    private final IntegerProperty samples = new SimpleIntegerProperty(this, "samples");
    private final LiveViewModel curves = new LiveViewModel();

    private StudioPort.Task task;
    private final StepTimer timer = new StepTimer();

    MapperRunViewModel(MapperPort backend, MapperSettings settings, MapperLibraryViewModel library, StatusViewModel status) {
        this.backend = backend;
        this.settings = settings;
        this.library = library;
        this.status = status;
        state = Bindings.createStringBinding(() -> running.get() ? activity.get() : settings.nextRunProperty().get(),
                running, activity, settings.nextRunProperty());
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running;
    }

    public ReadOnlyBooleanProperty pausedProperty() {
        return paused;
    }

    /** What the run is doing; between runs, what Train would do ({@link MapperSettings#nextRunProperty()}). */
    public StringBinding stateProperty() {
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

    /** Starts (or resumes) training into the settings' folder; settings that cannot run are a notice. */
    public void train() {
        if (running.get()) return;
        MapperTrainRequest r;
        try {
            r = settings.request();
        } catch (RuntimeException e) {
            status.notice(new Notice(Notice.Level.WARNING, "Cannot train the mapper", Notice.describe(e)));
            return;
        }
        settings.hold();
        Checkpoint c = settings.checkpointProperty().get();
        curves.startRun(r.epochs() * r.stepsPerEpoch());
        sample.set(null);
        samples.set(0);
        currentLr.set(Double.NaN);
        networks.set("");
        epochsDone.set(c == null ? 0 : c.epoch());
        timer.reset();
        progressFraction.set(c == null ? 0 : (double) c.epoch() / r.epochs());
        progress.set("");
        activity.set(c == null ? "starting: loading the networks…" : "resuming from epoch " + c.epoch() + " of " + r.epochs() + "…");
        running.set(true);
        paused.set(false);
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
                String kept = keptText(r);
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
                info("Mapper training cancelled", keptText(r));
            }
        };
        task = StudioPort.start(listener, () -> backend.trainMapper(r, listener));
    }

    /** What a stopped run left in its folder (the settings' folder may follow another prompt by now). */
    private static String keptText(MapperTrainRequest r) {
        Checkpoint c = MapperFolders.checkpoint(r.folder()).orElse(null);
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
        if (!Double.isNaN(msPerStep)) settings.msPerSampleProperty().set(msPerStep / r.batch());
        int total = r.epochs() * r.stepsPerEpoch();
        int inEpoch = (f.step() - 1) % r.stepsPerEpoch() + 1;
        int e = epoch == null ? (f.step() - 1) / r.stepsPerEpoch() + 1 : epoch.intValue();
        progressFraction.set((double) f.step() / total);
        String p = String.format(Locale.ROOT, "epoch %d/%d · step %d/%d", e, r.epochs(), inEpoch, r.stepsPerEpoch());
        String timing = timer.describe(f.step(), total);
        if (!timing.isEmpty()) p += " · " + timing;
        progress.set(p);
        activity.set("training: epoch " + e + " of " + r.epochs() + (paused.get() ? " (paused)" : ""));
        status.jobProperty().set("training mapper: " + p);
    }

    private void end() {
        statusDone.run();
        running.set(false);
        paused.set(false);
        task = null;
        settings.release();
    }

    public void togglePause() {
        StudioPort.Task t = task;
        if (t == null) return;
        if (t.isPaused()) {
            t.resume();
            paused.set(false);
            activity.set(activity.get().replace(" (paused)", ""));
        } else {
            t.pause();
            paused.set(true);
            activity.set(activity.get() + " (paused)");
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
            activity.set("cancelling after the current step…");
            status.jobProperty().set("training mapper: cancelling…");
        }
    }

    private void info(String title, String text) {
        status.notice(new Notice(Notice.Level.INFO, title, text));
    }
}
