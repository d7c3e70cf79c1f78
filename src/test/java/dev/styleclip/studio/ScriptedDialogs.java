package dev.styleclip.studio;

import dev.styleclip.studio.view.Dialogs;
import javafx.stage.Window;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Deque;

/**
 * Dialogs for headless UI tests: each file dialog answers the next queued path (null, i.e. "cancelled", when none);
 * each confirmation the next queued answer (no when none), and the questions asked are kept.
 */
final class ScriptedDialogs implements Dialogs {
    final Deque<Path> answers;
    final Deque<Boolean> confirmations = new ArrayDeque<>();
    final List<String> questions = new ArrayList<>();

    ScriptedDialogs(Deque<Path> answers) {
        this.answers = answers;
    }

    /** Dialogs that are always cancelled. */
    static ScriptedDialogs none() {
        return new ScriptedDialogs(new ArrayDeque<>());
    }

    @Override
    public Path open(Window owner, String title, Path folder, String description, String... patterns) {
        return answers.poll();
    }

    @Override
    public Path save(Window owner, String title, Path folder, String initialName, String description, String... patterns) {
        return answers.poll();
    }

    @Override
    public boolean confirm(Window owner, String title, String text, String ok) {
        questions.add(title + " " + text);
        return Boolean.TRUE.equals(confirmations.poll());
    }

    @Override
    public Path directory(Window owner, String title, Path folder) {
        return answers.poll();
    }
}
