package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;

/**
 * The menu bar: every action of the studio in one place, with its shortcut shown beside it (the toolbar and the
 * panels' buttons are shortcuts to the same actions). Ctrl+Enter and Esc are also caught by
 * {@link MainWindow#installShortcuts} before a focused text field can swallow them.
 */
final class StudioMenu {
    private StudioMenu() {
    }

    static MenuBar create(MainWindow w, StudioViewModel vm) {
        Menu file = new Menu("_File", null,
                item("menu-import-photo", "Import photo…", null, w::importPhoto),
                item("menu-open-latent", "Open latent…", null, w::openLatent),
                new SeparatorMenuItem(),
                item("menu-open-session", "Open session…", shortcut(KeyCode.O), w::openSession),
                item("menu-save-session", "Save session…", shortcut(KeyCode.S), w::saveSession),
                item("menu-open-recipe", "Apply recipe…", null, w::openRecipe),
                item("menu-apply-recipe-folder", "Apply recipe to folder…", shortcut(KeyCode.B), w::applyRecipeToFolder),
                item("menu-save-recipe", "Save recipe…", null, w::saveRecipe),
                new SeparatorMenuItem(),
                item("menu-export", "Export before / after…", shortcut(KeyCode.E), w::exportBeforeAfter),
                item("menu-export-grid", "Export grid…", null, w::exportGrid),
                item("menu-export-latent", "Export latent…", null, w::exportLatents),
                new SeparatorMenuItem(),
                item("menu-quit", "Quit", shortcut(KeyCode.Q), w::quit));
        MenuItem undo = item("menu-undo", "Undo", shortcut(KeyCode.Z), vm.document()::undo);
        undo.disableProperty().bind(vm.document().history().canUndoProperty().not());
        MenuItem redo = item("menu-redo", "Redo", shortcut(KeyCode.Y), vm.document()::redo);
        redo.disableProperty().bind(vm.document().history().canRedoProperty().not());
        MenuItem run = item("menu-run", "Run the edit", shortcut(KeyCode.ENTER), vm.run()::runEdit);
        run.disableProperty().bind(vm.run().canRunProperty().not());
        MenuItem pause = item("menu-pause", "Pause / resume", null, vm.run()::togglePause);
        pause.disableProperty().bind(vm.run().editRunningProperty().not());
        Menu edit = new Menu("_Edit", null, undo, redo, new SeparatorMenuItem(),
                item("menu-generate", "Generate the seed's face", shortcut(KeyCode.G), vm.source()::generate),
                run, pause,
                item("menu-cancel", "Cancel", new KeyCodeCombination(KeyCode.ESCAPE), vm::cancel),
                item("menu-run-grid", "Run the compare grid", null, vm.run()::runCompare),
                item("menu-promote", "Promote the grid cell", null, vm.run()::promote));
        // the photo editors' key for before / after; a text field keeps it for typing (it consumes the key press)
        MenuItem compare = item("menu-compare", "Compare before / after", new KeyCodeCombination(KeyCode.BACK_SLASH),
                vm.live()::toggleCompare);
        compare.disableProperty().bind(vm.live().canCompareProperty().not());
        Menu view = new Menu("_View", null,
                item("menu-tab-source", "Source", shortcut(KeyCode.DIGIT1), () -> w.showTab(0)),
                item("menu-tab-edit", "Edit", shortcut(KeyCode.DIGIT2), () -> w.showTab(1)),
                item("menu-tab-mapper", "Mapper", shortcut(KeyCode.DIGIT3), () -> w.showTab(2)),
                item("menu-tab-models", "Models", shortcut(KeyCode.DIGIT4), () -> w.showTab(3)),
                new SeparatorMenuItem(),
                item("menu-region-overlay", "Region overlay", shortcut(KeyCode.R), vm.regionOverlay()::toggle),
                compare);
        Menu help = new Menu("_Help", null,
                item("menu-getting-started", "Getting started", null, w::gettingStarted),
                item("menu-shortcuts", "Keyboard shortcuts", new KeyCodeCombination(KeyCode.F1), w::toggleHelp));
        MenuBar bar = new MenuBar(file, edit, view, help);
        bar.setId("menu-bar");
        return bar;
    }

    private static KeyCombination shortcut(KeyCode key) {
        return new KeyCodeCombination(key, KeyCombination.SHORTCUT_DOWN);
    }

    private static MenuItem item(String id, String text, KeyCombination key, Runnable action) {
        MenuItem m = new MenuItem(text);
        m.setId(id);
        if (key != null) m.setAccelerator(key);
        m.setOnAction(e -> action.run());
        return m;
    }
}
