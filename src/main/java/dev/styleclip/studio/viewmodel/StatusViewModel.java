package dev.styleclip.studio.viewmodel;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The status bar's view model, shared by every panel: the notices (newest last, at most 50), the one-line message, what
 * the compute thread is doing, and whether anything runs. Background work reports through {@link #task}.
 */
public final class StatusViewModel {
    private static final int KEPT = 50;

    private final ObservableList<Notice> notices = FXCollections.observableArrayList();
    private final StringProperty message = new SimpleStringProperty(this, "message", "");
    private final StringProperty job = new SimpleStringProperty(this, "job", "idle");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy");
    private int running;

    public ObservableList<Notice> notices() {
        return notices;
    }

    /** The status line: the last notice, or what the last action did. */
    public StringProperty messageProperty() {
        return message;
    }

    /** What runs now ("idle" when nothing does); frames of a long job refine it. */
    public StringProperty jobProperty() {
        return job;
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy;
    }

    public void notice(Notice n) {
        notices.add(n);
        while (notices.size() > KEPT) notices.remove(0);
        message.set(n.title() + ": " + n.text());
    }

    public void fail(String title, Throwable t) {
        notice(Notice.error(title, t));
    }

    public void info(String title, String text) {
        notice(new Notice(Notice.Level.INFO, title, text));
    }

    public void warn(String title, String text) {
        notice(new Notice(Notice.Level.WARNING, title, text));
    }

    /** A background task starting now, described by {@code what}; a failure is noticed under {@code failTitle}. */
    public <R> BackgroundTask<R> task(String what, String failTitle) {
        return new BackgroundTask<>(this, what, failTitle);
    }

    /**
     * Marks work that reports its end another way (the compare grid's cells) as running; the returned action marks it
     * finished, once however often it is called.
     */
    public Runnable begin(String what) {
        started(what);
        boolean[] done = {false};
        return () -> {
            if (!done[0]) {
                done[0] = true;
                finished();
            }
        };
    }

    void started(String what) {
        running++;
        busy.set(true);
        job.set(what);
    }

    void finished() {
        running = Math.max(0, running - 1);
        busy.set(running > 0);
        if (running == 0) job.set("idle");
    }
}
