package dev.styleclip.studio;

import dev.styleclip.studio.view.FileDialogs;
import javafx.stage.Window;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/** File dialogs for headless UI tests: each dialog answers the next queued path (null, i.e. "cancelled", when none). */
final class ScriptedDialogs implements FileDialogs {
    final Deque<Path> answers;

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
    public Path directory(Window owner, String title, Path folder) {
        return answers.poll();
    }
}
