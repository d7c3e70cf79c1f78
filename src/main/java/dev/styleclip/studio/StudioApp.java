package dev.styleclip.studio;

import dev.styleclip.AppInfo;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.studio.service.ComputeBackend;
import dev.styleclip.studio.service.StudioBackend;
import dev.styleclip.studio.view.Dialogs;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.view.WindowGeometry;
import dev.styleclip.studio.viewmodel.ModelsViewModel;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.stage.Stage;

/** The JavaFX application: one main window over the compute thread. */
public class StudioApp extends Application {
    private MainWindow window;
    private StudioBackend backend;

    /** Launches the studio (blocks until the window closes). */
    public static void launchStudio(String[] args) {
        Application.launch(StudioApp.class, args);
    }

    /** The whole studio on a stage: models folder, compute backend, view models, window, shortcuts, remembered geometry. */
    public static MainWindow open(Stage stage, ModelCatalog catalog, StudioBackend backend, StudioPrefs prefs, Dialogs dialogs) {
        ModelsViewModel models = new ModelsViewModel(catalog);
        StudioViewModel vm = new StudioViewModel(backend, models, prefs);
        MainWindow w = new MainWindow(vm, dialogs);
        // size, position and maximised state set explicitly and repaired (JDK-8316423: JavaFX 21 on some window managers)
        WindowGeometry geometry = WindowGeometry.install(stage, prefs);
        Scene scene = new Scene(w.root());
        w.installShortcuts(scene);
        stage.setTitle(AppInfo.NAME + " " + AppInfo.version());
        stage.setScene(scene);
        // closing asks only when it would stop running work; the document itself is autosaved and comes back
        stage.setOnCloseRequest(e -> {
            String warning = vm.closeWarning();
            if (warning != null && !dialogs.confirm(stage, "Close " + AppInfo.NAME + "?", warning, "Stop and close")) e.consume();
        });
        stage.setOnHidden(e -> {
            geometry.save(prefs);
            w.saveLayout();
            vm.closing();
            w.dispose();
        });
        vm.files().restoreAutosave();
        return w;
    }

    @Override
    public void start(Stage stage) {
        ModelCatalog catalog = ModelCatalog.standard();
        try {
            backend = ComputeBackend.standard(catalog);
        } catch (RuntimeException e) {
            Alert a = new Alert(Alert.AlertType.ERROR, e.getMessage());
            a.setHeaderText("The compute engine could not start");
            a.showAndWait();
            Platform.exit();
            return;
        }
        window = open(stage, catalog, backend, StudioPrefs.standard(), Dialogs.standard());
        stage.show();
        smokeExit(stage);
    }

    @Override
    public void stop() {
        if (backend != null) backend.close();
    }

    /**
     * Packaging smoke test: with the system property {@code styleclip.smokeExitMs=N} (or the environment variable
     * {@code STYLECLIP_SMOKE_EXIT_MS}, for launchers that take no JVM options) the studio closes itself N ms after its
     * window is shown, printing one line on stderr, so a headless check can start the packaged app and see it exit 0.
     */
    private static void smokeExit(Stage stage) {
        String ms = System.getProperty("styleclip.smokeExitMs", System.getenv("STYLECLIP_SMOKE_EXIT_MS"));
        if (ms == null || ms.isBlank()) return;
        javafx.animation.PauseTransition wait = new javafx.animation.PauseTransition(
                javafx.util.Duration.millis(Math.max(0, Long.parseLong(ms.trim()))));
        wait.setOnFinished(ev -> {
            System.err.println("styleclip: smoke test: studio window shown (" + stage.getTitle() + ", "
                    + (int) stage.getWidth() + "x" + (int) stage.getHeight() + "), exiting");
            javafx.application.Platform.exit();
        });
        wait.play();
    }
}
