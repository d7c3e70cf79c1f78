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
    }
}
