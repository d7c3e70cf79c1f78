package dev.styleclip.studio;

import dev.styleclip.AppInfo;
import dev.styleclip.studio.view.MainWindow;
import javafx.application.Application;
import javafx.scene.Scene;
import javafx.stage.Stage;

/** The JavaFX application: one main window. */
public class StudioApp extends Application {

    /** Launches the studio (blocks until the window closes). */
    public static void launchStudio(String[] args) {
        Application.launch(StudioApp.class, args);
    }

    @Override
    public void start(Stage stage) {
        MainWindow window = new MainWindow();
        Scene scene = new Scene(window.root(), 960, 640);
        stage.setTitle(AppInfo.NAME + " " + AppInfo.version());
        stage.setScene(scene);
        stage.show();
        smokeExit(stage);
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
