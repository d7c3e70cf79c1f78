package dev.styleclip.studio.view;

import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.studio.viewmodel.FakeBackend;
import dev.styleclip.studio.viewmodel.ModelsViewModel;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.geometry.Rectangle2D;
import javafx.scene.Scene;
import javafx.scene.control.SplitPane;
import javafx.stage.Screen;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The main window's geometry without a window manager (headless Monocle): remembered size, maximised state and divider
 * fractions come back, the minimum size holds, squeezed fractions are not taken for the user's, and a dialog that
 * un-maximises the window leaves it maximised. What needs a real window manager (openbox's 200×200, the file dialog's
 * un-maximising) is {@code packaging/check-window.sh}.
 */
@ExtendWith(ApplicationExtension.class)
class WindowGeometryTest {
    private final List<Preferences> nodes = new ArrayList<>();
    private final List<Stage> stages = new ArrayList<>();

    @Start
    void start(Stage stage) {
        // every test opens its own windows
    }

    @AfterEach
    void tearDown(FxRobot robot) throws Exception {
        robot.interact(() -> stages.forEach(Stage::close));
        for (Preferences n : nodes) n.removeNode();
    }

    private StudioPrefs prefs() {
        Preferences node = Preferences.userRoot().node("/dev/styleclip/test/geometry-" + System.nanoTime());
        nodes.add(node);
        return new StudioPrefs(node);
    }

    /** The main window as StudioApp opens it: geometry installed before the scene, then shown. */
    private Opened open(FxRobot robot, StudioPrefs prefs) throws Exception {
        Path models = Files.createTempDirectory("models");
        Opened[] o = new Opened[1];
        robot.interact(() -> {
            Stage stage = new Stage();
            stages.add(stage);
            StudioViewModel vm = new StudioViewModel(new FakeBackend(), new ModelsViewModel(new ModelCatalog(models)), prefs);
            MainWindow w = new MainWindow(vm, Dialogs.standard());
            WindowGeometry g = WindowGeometry.install(stage, prefs);
            stage.setScene(new Scene(w.root()));
            stage.show();
            o[0] = new Opened(stage, w, g);
        });
        settle();
        return o[0];
    }

    private record Opened(Stage stage, MainWindow window, WindowGeometry geometry) {
        double[] dividers() {
            SplitPane vertical = (SplitPane) window.root().lookup(".split-pane");
            SplitPane horizontal = (SplitPane) vertical.getItems().get(0);
            return new double[]{horizontal.getDividerPositions()[0], vertical.getDividerPositions()[0]};
        }
    }

    private static void settle() throws Exception {
        WaitForAsyncUtils.sleep(WindowGeometry.SETTLE_MS * 3L, TimeUnit.MILLISECONDS);
        WaitForAsyncUtils.waitForFxEvents();
    }

    private static Rectangle2D screen() {
        return Screen.getPrimary().getVisualBounds();
    }

    @Test
    void theRememberedSizeAndDividerFractionsComeBack(FxRobot robot) throws Exception {
        StudioPrefs p = prefs();
        p.putDouble("window.width", 1210);
        p.putDouble("window.height", 790);
        p.putDouble("layout.horizontal", 0.4);
        p.putDouble("layout.vertical", 0.8);
        Opened o = open(robot, p);
        assertEquals(Math.min(1210, screen().getWidth()), o.stage().getWidth(), 1);
        assertEquals(Math.min(790, screen().getHeight()), o.stage().getHeight(), 1);
        double[] d = o.dividers();
        assertEquals(0.4, d[0], 0.01, "side divider");
        assertEquals(0.8, d[1], 0.01, "bottom divider");

        // the window squeezed to its minimum and back: the panels get their fractions back, not the squeezed ones
        robot.interact(() -> {
            o.stage().setWidth(WindowGeometry.MIN_WIDTH);
            o.stage().setHeight(WindowGeometry.MIN_HEIGHT);
        });
        settle();
        robot.interact(() -> {
            o.stage().setWidth(1200);
            o.stage().setHeight(Math.min(780, screen().getHeight()));
        });
        settle();
        assertEquals(0.4, o.dividers()[0], 0.01);
        assertEquals(0.8, o.dividers()[1], 0.01);

        // what is saved: the user's size and fractions
        robot.interact(() -> {
            o.geometry().save(p);
            o.window().saveLayout();
        });
        assertEquals(1200, p.getDouble("window.width", 0), 1);
        assertEquals(0.4, p.getDouble("layout.horizontal", 0), 1e-9);
        assertEquals(0.8, p.getDouble("layout.vertical", 0), 1e-9);
        assertFalse(p.getBoolean("window.maximized", true));
    }

    @Test
    void aMinimumSizeHoldsAndSqueezedFractionsAreNotKept(FxRobot robot) throws Exception {
        StudioPrefs p = prefs();
        // what the old studio saved after opening at 200×200: a tiny window and its panels at their minimum
        p.putDouble("window.width", 200);
        p.putDouble("window.height", 200);
        p.putDouble("layout.horizontal", 0.995);
        p.putDouble("layout.vertical", 0.01);
        Opened o = open(robot, p);
        double minW = Math.min(WindowGeometry.MIN_WIDTH, screen().getWidth()), minH = Math.min(WindowGeometry.MIN_HEIGHT, screen().getHeight());
        assertEquals(minW, o.stage().getMinWidth());
        assertEquals(minH, o.stage().getMinHeight());
        assertTrue(o.stage().getWidth() >= minW - 1 && o.stage().getHeight() >= minH - 1, o.stage().getWidth() + "x" + o.stage().getHeight());
        assertArrayEquals(new double[]{0.34, 0.74}, o.window().layoutFractions(), 1e-9, "the default fractions");

        // something (a window manager, a toolkit bug) shrinks the window below the minimum: it is undone
        robot.interact(() -> {
            o.stage().setWidth(200);
            o.stage().setHeight(200);
        });
        settle();
        settle();
        assertTrue(o.stage().getWidth() >= minW - 1 && o.stage().getHeight() >= minH - 1, o.stage().getWidth() + "x" + o.stage().getHeight());

        // a real size: the default fractions show
        robot.interact(() -> {
            o.stage().setWidth(1200);
            o.stage().setHeight(Math.min(800, screen().getHeight()));
        });
        settle();
        assertEquals(0.34, o.dividers()[0], 0.01, "the default side fraction");
        assertEquals(0.74, o.dividers()[1], 0.02, "the default bottom fraction");
    }

    @Test
    void maximisedComesBackAndSurvivesADialog(FxRobot robot) throws Exception {
        StudioPrefs p = prefs();
        p.putDouble("window.width", 1000);
        p.putDouble("window.height", 640);
        p.putBoolean("window.maximized", true);
        Opened o = open(robot, p);
        assertTrue(o.stage().isMaximized(), "opened maximised");

        // a modal dialog that un-maximises its owner (JavaFX 21's GTK glass under a window manager does)
        robot.interact(() -> WindowGeometry.acrossModal(o.stage(), () -> {
            o.stage().setMaximized(false);
            return null;
        }));
        settle();
        assertTrue(o.stage().isMaximized(), "maximised again after the dialog");
        assertTrue(o.geometry().maximized());

        // the user un-maximises: the normal size comes back, and that is what is remembered
        robot.interact(() -> o.stage().setMaximized(false));
        settle();
        assertFalse(o.geometry().maximized());
        assertEquals(1000, o.stage().getWidth(), 1);
        robot.interact(() -> o.stage().setMaximized(true));
        settle();
        robot.interact(() -> o.geometry().save(p));
        assertTrue(p.getBoolean("window.maximized", false));
        assertEquals(1000, p.getDouble("window.width", 0), 1, "the normal width, not the maximised one");
    }
}
