package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.FakeBackend;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.AppInfo;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.studio.viewmodel.ModelsViewModel;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import dev.styleclip.runtime.models.ModelEntries;
import javafx.scene.control.Button;
import dev.styleclip.runtime.models.ModelEntry;
import javafx.scene.control.ComboBox;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The real main window, headless (Monocle), over a fake backend: name, version, model status, demo banner, help. */
@ExtendWith(ApplicationExtension.class)
class MainWindowTest {
    private Path models;
    private Preferences node;
    private MainWindow window;

    @Start
    void start(Stage stage) throws IOException {
        models = Files.createTempDirectory("models");
        node = Preferences.userRoot().node("/dev/styleclip/test/window-" + System.nanoTime());
        StudioViewModel vm = new StudioViewModel(new FakeBackend(), new ModelsViewModel(new ModelCatalog(models)), new StudioPrefs(node));
        window = new MainWindow(vm, Dialogs.standard());
        Scene scene = new Scene(window.root(), 1200, 800);
        window.installShortcuts(scene);
        stage.setScene(scene);
        stage.show();
    }

    @AfterEach
    void tearDown() throws Exception {
        node.removeNode();
    }

    @Test
    void showsNameVersionAndModelStatus(FxRobot robot) throws Exception {
        assertEquals(AppInfo.NAME, robot.lookup("#app-title").queryAs(Label.class).getText());
        String version = robot.lookup("#app-version").queryAs(Label.class).getText();
        assertTrue(version.contains(AppInfo.version()), version);
        assertFalse(AppInfo.version().contains("${"), "version is filtered at build time");
        TabPane tabs = robot.lookup("#side-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(3));
        TableView<?> table = robot.lookup("#model-table").queryAs(TableView.class);
        assertEquals(ModelRole.values().length, table.getItems().size());
        assertTrue(robot.lookup("#demo-banner").queryAs(Label.class).isVisible(), "no generator: demo banner shown");
        // one click downloads the recommended set: the same list as 'models fetch --recommended', with its size
        Button recommended = robot.lookup("#download-recommended").queryButton();
        var missing = ModelEntries.recommended();
        long bytes = missing.stream().mapToLong(e -> e.size() == null ? 0 : e.size()).sum();
        assertEquals("Download the recommended set (" + missing.size() + " files, " + dev.styleclip.runtime.MemoryBudget.format(bytes) + ")",
                recommended.getText());
        assertFalse(recommended.isDisabled());
        // the official files offer the recommended set first, each with its role, size and licence
        ComboBox<?> entry = robot.lookup("#model-entry").queryAs(ComboBox.class);
        ModelEntry offered = (ModelEntry) entry.getValue();
        assertTrue(offered.isDefault(), offered.name());
        String line = ModelsViewModel.describe(offered);
        assertTrue(line.startsWith(offered.name() + " — ") && line.contains("recommended") && line.contains(offered.licence()), line);

        // installing a generator and rescanning hides the banner
        Files.writeString(models.resolve("stylegan3-t-ffhqu-256x256.pkl"), "x");
        robot.clickOn("#rescan");
        robot.interrupt();
        assertFalse(robot.lookup("#demo-banner").queryAs(Label.class).isVisible());
        ModelsViewModel.ModelRow first = (ModelsViewModel.ModelRow) table.getItems().get(0);
        assertTrue(first.status().contains("stylegan3-t-ffhqu-256x256.pkl"), first.status());
    }

    @Test
    void helpOverlayOnF1(FxRobot robot) {
        assertFalse(window.helpVisible());
        robot.clickOn("#app-title");
        robot.push(KeyCode.F1);
        robot.interrupt();
        assertTrue(window.helpVisible());
        Label key = robot.lookup("Ctrl+Enter").queryAs(Label.class);
        assertTrue(key.getWidth() >= key.prefWidth(-1) - 0.5, "a shortcut is never cut: " + key.getWidth() + " < " + key.prefWidth(-1));
        robot.push(KeyCode.ESCAPE);
        robot.interrupt();
        assertFalse(window.helpVisible());
    }

    @Test
    void previewsFollowTheWindowAndOpenFullSizeWithZoom(FxRobot robot) {
        robot.clickOn("#generate");
        robot.interrupt();
        javafx.scene.image.ImageView current = robot.lookup("#current-image").queryAs(javafx.scene.image.ImageView.class);
        robot.interact(() -> {
            window.setBottomFraction(0.97);
            window.setSideFraction(0.7);
        });
        robot.interrupt();
        double narrow = current.getFitWidth();
        robot.interact(() -> window.setSideFraction(0.2));
        robot.interrupt();
        assertTrue(current.getFitWidth() > narrow + 30, "a wider live pane shows bigger previews: " + narrow + " → " + current.getFitWidth());

        robot.doubleClickOn("#current-image");
        robot.interrupt();
        Label zoom = robot.lookup("#viewer-zoom").queryAs(Label.class);
        assertTrue(zoom.getText().contains("100 %"), zoom.getText());
        robot.clickOn("#viewer-scroll").type(KeyCode.PLUS);
        robot.interrupt();
        assertTrue(zoom.getText().contains("125 %"), zoom.getText());
        robot.type(KeyCode.ESCAPE);
        robot.interrupt();
        assertTrue(robot.lookup("#viewer-zoom").tryQuery().isEmpty(), "Esc closes the viewer");
    }

    /**
     * Compare in the full-size viewer: opened from the current picture it shows the live view's wipe (the same state),
     * both pictures in one box at every zoom; a drag on the divider moves it, a drag elsewhere pans.
     */
    @Test
    void theViewerComparesTheCurrentPictureWithZoomAndPan(FxRobot robot) {
        StudioViewModel vm = window.viewModel();
        robot.clickOn("#generate");
        robot.interact(vm.run()::runEdit);
        robot.interrupt();
        assertEquals(1, vm.document().editStack().size());
        // typed in a text field, \ is a character, not the shortcut
        robot.interact(() -> robot.lookup("#side-tabs").queryAs(TabPane.class).getSelectionModel().select(1));
        robot.clickOn("#prompt").type(KeyCode.END).type(KeyCode.BACK_SLASH);
        robot.interrupt();
        assertTrue(vm.edit().promptProperty().get().endsWith("\\"), vm.edit().promptProperty().get());
        assertFalse(vm.live().comparingProperty().get());
        robot.interact(() -> window.root().requestFocus()); // out of the text field
        robot.type(KeyCode.BACK_SLASH);
        robot.interrupt();
        assertTrue(vm.live().comparingProperty().get(), "\\ elsewhere: Compare");
        robot.doubleClickOn("#compare-view");
        robot.interrupt();
        javafx.scene.control.ScrollPane scroll = robot.lookup("#viewer-scroll").queryAs(javafx.scene.control.ScrollPane.class);
        javafx.stage.Window viewer = scroll.getScene().getWindow();
        robot.interact(() -> {
            // smaller than the zoomed picture, so that it can pan
            viewer.setWidth(110);
            viewer.setHeight(150);
        });
        javafx.scene.Node wipe = robot.lookup("#viewer-compare").query();
        assertTrue(scroll.getContent() == wipe, "opened comparing, as the live view was");
        javafx.scene.image.ImageView before = robot.lookup("#viewer-compare-before").queryAs(javafx.scene.image.ImageView.class);
        javafx.scene.image.ImageView after = robot.lookup("#viewer-compare-after").queryAs(javafx.scene.image.ImageView.class);
        assertEquals(vm.live().beforeProperty().get().argb()[0], before.getImage().getPixelReader().getArgb(0, 0));
        assertEquals(vm.live().currentProperty().get().argb()[0], after.getImage().getPixelReader().getArgb(0, 0));
        assertTrue(before.getImage().getPixelReader().getArgb(0, 0) != after.getImage().getPixelReader().getArgb(0, 0),
                "two different pictures");
        // zoomed to 1600 % (the fake's 8 px pictures: 128 px), both pictures the same size at the same place
        for (int i = 0; i < 13; i++) robot.type(KeyCode.PLUS);
        robot.interrupt();
        assertTrue(robot.lookup("#viewer-zoom").queryAs(Label.class).getText().contains("1600 %"));
        assertEquals(128, after.getLayoutBounds().getWidth(), 1e-6);
        assertEquals(after.getLayoutBounds(), before.getLayoutBounds());
        assertEquals(after.getLayoutX(), before.getLayoutX(), 1e-9);
        assertEquals(after.getLayoutY(), before.getLayoutY(), 1e-9);
        javafx.scene.shape.Rectangle clip = (javafx.scene.shape.Rectangle) after.getClip();
        assertEquals(64, clip.getX(), 1e-6, "the live view's divider, in the middle");

        // a drag on the divider moves it (and not the view) ...
        javafx.geometry.Bounds pic = after.localToScreen(after.getLayoutBounds());
        double y = pic.getMinY() + 20;
        double h0 = scroll.getHvalue(), v0 = scroll.getVvalue();
        robot.drag(new javafx.geometry.Point2D(pic.getMinX() + 64, y), javafx.scene.input.MouseButton.PRIMARY)
                .moveTo(new javafx.geometry.Point2D(pic.getMinX() + 40, y))
                .moveTo(new javafx.geometry.Point2D(pic.getMinX() + 32, y)).release(javafx.scene.input.MouseButton.PRIMARY);
        robot.interrupt();
        assertEquals(0.25, vm.live().dividerProperty().get(), 1.0 / 128, "the divider followed the mouse");
        assertEquals(vm.live().dividerProperty().get() * 128, clip.getX(), 1e-6);
        assertEquals(h0, scroll.getHvalue(), 1e-9, "no pan while the divider moves");
        assertEquals(v0, scroll.getVvalue(), 1e-9);
        // ... a drag elsewhere pans, the divider stays
        double d = vm.live().dividerProperty().get();
        pic = after.localToScreen(after.getLayoutBounds());
        robot.drag(new javafx.geometry.Point2D(pic.getMinX() + 75, pic.getMinY() + 60), javafx.scene.input.MouseButton.PRIMARY)
                .moveTo(new javafx.geometry.Point2D(pic.getMinX() + 60, pic.getMinY() + 45))
                .moveTo(new javafx.geometry.Point2D(pic.getMinX() + 45, pic.getMinY() + 30)).release(javafx.scene.input.MouseButton.PRIMARY);
        robot.interrupt();
        assertEquals(d, vm.live().dividerProperty().get(), 1e-12);
        assertTrue(scroll.getHvalue() != h0 || scroll.getVvalue() != v0, "the view panned: " + scroll.getHvalue() + ", " + scroll.getVvalue());

        // \ in the viewer: the plain picture again, in the live view too
        robot.type(KeyCode.BACK_SLASH);
        robot.interrupt();
        assertFalse(vm.live().comparingProperty().get());
        assertTrue(scroll.getContent() instanceof javafx.scene.image.ImageView, "the plain picture");
        robot.type(KeyCode.ESCAPE);
        robot.interrupt();
        assertTrue(robot.lookup("#current-image").query().isVisible());
    }

    @Test
    void everyActionIsInTheMenusWithItsShortcut(FxRobot robot) {
        javafx.scene.control.MenuBar bar = robot.lookup("#menu-bar").queryAs(javafx.scene.control.MenuBar.class);
        assertEquals(List.of("_File", "_Edit", "_View", "_Help"), bar.getMenus().stream().map(javafx.scene.control.Menu::getText).toList());
        List<String> shortcuts = bar.getMenus().stream().flatMap(m -> m.getItems().stream())
                .filter(i -> i.getAccelerator() != null).map(i -> i.getAccelerator().getDisplayText()).toList();
        assertTrue(shortcuts.size() >= 12, shortcuts.toString());
        // Ctrl+2 (View → Edit) shows the Edit tab
        robot.clickOn("#app-title");
        robot.press(KeyCode.CONTROL).type(KeyCode.DIGIT2).release(KeyCode.CONTROL);
        robot.interrupt();
        assertEquals("tab-edit", robot.lookup("#side-tabs").queryAs(TabPane.class).getSelectionModel().getSelectedItem().getId());
        // Help → Getting started: the loop in four steps, in its own window
        robot.interact(() -> bar.getMenus().get(3).getItems().get(0).fire());
        robot.interrupt();
        Label text = robot.lookup("#getting-started-text").queryAs(Label.class);
        assertTrue(text.getText().startsWith("Getting started") && text.getText().contains("4. Keep the result"), text.getText());
        robot.interact(() -> text.getScene().getWindow().hide());
    }

    @Test
    void ctrlEnterInThePromptRunsTheEdit(FxRobot robot) {
        StudioViewModel vm = window.viewModel();
        robot.clickOn("#generate");
        robot.interrupt();
        TabPane tabs = robot.lookup("#side-tabs").queryAs(TabPane.class);
        robot.interact(() -> tabs.getSelectionModel().select(1));
        robot.clickOn("#prompt");
        robot.press(KeyCode.CONTROL).type(KeyCode.ENTER).release(KeyCode.CONTROL);
        robot.interrupt();
        assertEquals(1, vm.document().editStack().size());
        assertTrue(robot.lookup("#step-label").queryAs(Label.class).getText().contains("300 / 300"));
        // a narrow side pane (≈ 300 px) still shows the step's remove button inside the stack
        robot.interact(() -> window.setSideFraction(0.25));
        robot.interrupt();
        javafx.scene.Node remove = robot.lookup("#remove-edit-0").query();
        javafx.scene.Node list = robot.lookup("#edit-stack").query();
        javafx.geometry.Bounds r = remove.localToScene(remove.getBoundsInLocal()), l = list.localToScene(list.getBoundsInLocal());
        assertTrue(remove.isVisible() && r.getMaxX() <= l.getMaxX() + 0.5, "remove button at " + r + ", list " + l);
        robot.interact(() -> window.root().requestFocus()); // in a text field Ctrl+Z undoes typing
        robot.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        robot.interrupt();
        assertEquals(0, vm.document().editStack().size());
    }
}
