package dev.styleclip.studio.view;

import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The studio's questions to the user (file choosers, confirmations) behind an interface, so tests can answer them.
 * The platform's dialogs run through {@link WindowGeometry#acrossModal}: a maximised window stays maximised.
 */
public interface Dialogs {
    /** @return the chosen file, or null when the user cancelled */
    Path open(Window owner, String title, Path folder, String description, String... patterns);

    Path save(Window owner, String title, Path folder, String initialName, String description, String... patterns);

    /** A folder chooser (the platform's, unless overridden). @return the chosen folder, or null when cancelled */
    default Path directory(Window owner, String title, Path folder) {
        DirectoryChooser c = new DirectoryChooser();
        c.setTitle(title);
        if (folder != null && Files.isDirectory(folder)) c.setInitialDirectory(folder.toFile());
        File f = WindowGeometry.acrossModal(owner, () -> c.showDialog(owner));
        return f == null ? null : f.toPath();
    }

    /** Asks a yes/no question; {@code ok} labels the button that goes ahead. @return whether the user went ahead */
    default boolean confirm(Window owner, String title, String text, String ok) {
        ButtonType go = new ButtonType(ok, ButtonBar.ButtonData.OK_DONE);
        Alert a = new Alert(Alert.AlertType.CONFIRMATION, text, go, ButtonType.CANCEL);
        a.initOwner(owner);
        a.setHeaderText(title);
        return WindowGeometry.acrossModal(owner, () -> a.showAndWait().filter(go::equals).isPresent());
    }

    /** The platform's dialogs. */
    static Dialogs standard() {
        return new Dialogs() {
            @Override
            public Path open(Window owner, String title, Path folder, String description, String... patterns) {
                FileChooser c = chooser(title, folder, null, description, patterns);
                File f = WindowGeometry.acrossModal(owner, () -> c.showOpenDialog(owner));
                return f == null ? null : f.toPath();
            }

            @Override
            public Path save(Window owner, String title, Path folder, String initialName, String description, String... patterns) {
                FileChooser c = chooser(title, folder, initialName, description, patterns);
                File f = WindowGeometry.acrossModal(owner, () -> c.showSaveDialog(owner));
                return f == null ? null : f.toPath();
            }
        };
    }

    private static FileChooser chooser(String title, Path folder, String name, String description, String... patterns) {
        FileChooser c = new FileChooser();
        c.setTitle(title);
        if (folder != null && Files.isDirectory(folder)) c.setInitialDirectory(folder.toFile());
        if (name != null) c.setInitialFileName(name);
        if (patterns.length > 0) c.getExtensionFilters().add(new FileChooser.ExtensionFilter(description, patterns));
        c.getExtensionFilters().add(new FileChooser.ExtensionFilter("All files", "*"));
        return c;
    }
}
