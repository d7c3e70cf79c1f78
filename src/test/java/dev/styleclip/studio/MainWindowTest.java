package dev.styleclip.studio;

import dev.styleclip.AppInfo;
import dev.styleclip.runtime.ModelCatalog;
import dev.styleclip.studio.view.MainWindow;
import dev.styleclip.studio.viewmodel.MainViewModel;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real main window, headless (Monocle): name, version, model status and the demo banner. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private Path models;

    @Start
    void start(Stage stage) throws IOException {
        models = Files.createTempDirectory("models");
        MainWindow w = new MainWindow(new MainViewModel(new ModelCatalog(models)));
        stage.setScene(new Scene(w.root(), 900, 500));
        stage.show();
    }

    @Test
    void showsNameVersionAndModelStatus(FxRobot robot) throws Exception {
        assertEquals(AppInfo.NAME, robot.lookup("#app-title").queryAs(Label.class).getText());
        String version = robot.lookup("#app-version").queryAs(Label.class).getText();
        assertTrue(version.contains(AppInfo.version()), version);
        assertFalse(AppInfo.version().contains("${"), "version is filtered at build time");
        TableView<?> table = robot.lookup("#model-table").queryAs(TableView.class);
        assertEquals(ModelCatalog.Role.values().length, table.getItems().size());
        assertTrue(robot.lookup("#demo-banner").queryAs(Label.class).isVisible(), "no generator: demo banner shown");

        // installing a generator and rescanning hides the banner
        Files.writeString(models.resolve("stylegan3-t-ffhqu-256x256.pkl"), "x");
        robot.clickOn("#rescan");
        robot.interrupt();
        assertFalse(robot.lookup("#demo-banner").queryAs(Label.class).isVisible());
        MainViewModel.ModelRow first = (MainViewModel.ModelRow) table.getItems().get(0);
        assertTrue(first.status().contains("stylegan3-t-ffhqu-256x256.pkl"), first.status());
    }
}
