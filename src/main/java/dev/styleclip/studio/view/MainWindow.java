package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.Notice;
import dev.styleclip.studio.viewmodel.StudioPrefs;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import javafx.util.Duration;
import org.controlsfx.control.Notifications;
import org.controlsfx.control.StatusBar;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The main window: Source / Edit / Mapper / Models tabs on the left, the live view in the centre, the compare grid at
 * the bottom, a status bar (device, job, memory), keyboard shortcuts and a help overlay (F1). Built in code; all state
 * lives in the {@link StudioViewModel}.
 */
public final class MainWindow {
    /** Keyboard shortcuts, as the help overlay lists them. */
    public static final List<String[]> SHORTCUTS = List.of(
            new String[]{"Ctrl+Enter", "run the edit"},
            new String[]{"Esc", "cancel the running edit / inversion / grid (closes this help)"},
            new String[]{"Ctrl+Z / Ctrl+Y", "undo / redo an edit (in a text field: its typing)"},
            new String[]{"Ctrl+E", "export before / after PNG"},
            new String[]{"Ctrl+S", "save the session"},
            new String[]{"Ctrl+O", "open a session"},
            new String[]{"Ctrl+G", "generate the current seed"},
            new String[]{"Ctrl+B", "apply a recipe to a folder of photos / latents"},
            new String[]{"Ctrl+1 … 4", "show the Source, Edit, Mapper, Models tab"},
            new String[]{"Ctrl+R", "show / hide the face regions chosen in the Edit tab over the before picture"},
            new String[]{"\\", "compare before / after: the current picture (a clicked grid cell too) over the source, "
                    + "cut at a divider to drag; ← / → move it (Shift: finer)"},
            new String[]{"Ctrl+Q", "quit (asks first only while work runs; the session is kept)"},
            new String[]{"F1", "show / hide this help (Help → Getting started: the whole loop in four steps)"});

    private final StudioViewModel vm;
    private final Dialogs dialogs;
    private final StackPane root = new StackPane();
    private final BorderPane main = new BorderPane();
    private final SplitPane horizontal = new SplitPane();
    private final SplitPane vertical = new SplitPane();
    private final TabPane tabs = new TabPane();
    private SplitFraction side, bottom;
    private final VBox help = new VBox(6);
    private final Timeline memoryTimer;
    private boolean notificationsEnabled = true;
    private RecipeBatchDialog batchDialog;

    public MainWindow(StudioViewModel vm) {
        this(vm, Dialogs.standard());
    }

    public MainWindow(StudioViewModel vm, Dialogs dialogs) {
        this.vm = vm;
        this.dialogs = dialogs;
        build();
        memoryTimer = new Timeline(new KeyFrame(Duration.seconds(2), e -> vm.refreshMemory()));
        memoryTimer.setCycleCount(Timeline.INDEFINITE);
        memoryTimer.play();
    }

    public Parent root() {
        return root;
    }

    public StudioViewModel viewModel() {
        return vm;
    }

    public TabPane tabs() {
        return tabs;
    }

    /** Turns the pop-up notifications off (screenshots); notices still reach the status bar. */
    public void setNotificationsEnabled(boolean on) {
        notificationsEnabled = on;
    }

    private Window window() {
        return root.getScene() == null ? null : root.getScene().getWindow();
    }

    private void build() {
        Label title = new Label(vm.title());
        title.setId("app-title");
        title.setStyle("-fx-font-size: 20px; -fx-font-weight: bold;");
        Label version = new Label("version " + vm.models().version());
        version.setId("app-version");
        Label demo = new Label("demo network");
        demo.setId("demo-chip");
        demo.setStyle("-fx-background-color: #fde68a; -fx-padding: 2 8; -fx-background-radius: 8; -fx-text-fill: #78350f;");
        demo.visibleProperty().bind(vm.source().demoProperty());
        demo.managedProperty().bind(vm.source().demoProperty());
        demo.setTooltip(new Tooltip("No StyleGAN3 generator is installed: pictures come from random weights (Models tab)"));
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button open = tool("open-session", FontAwesomeSolid.FOLDER_OPEN, "Open session (Ctrl+O)", this::openSession);
        Button save = tool("save-session", FontAwesomeSolid.SAVE, "Save session (Ctrl+S)", this::saveSession);
        Button export = tool("export", FontAwesomeSolid.FILE_EXPORT, "Export before/after PNG (Ctrl+E)", this::exportBeforeAfter);
        Button latents = tool("export-latents", FontAwesomeSolid.FILE_CODE, "Export the current latent (.npz)", this::exportLatents);
        Button undo = tool("undo", FontAwesomeSolid.UNDO, "Undo (Ctrl+Z)", vm.document()::undo);
        undo.disableProperty().bind(vm.document().history().canUndoProperty().not());
        Button redo = tool("redo", FontAwesomeSolid.REDO, "Redo (Ctrl+Y)", vm.document()::redo);
        redo.disableProperty().bind(vm.document().history().canRedoProperty().not());
        Button helpB = tool("help", FontAwesomeSolid.QUESTION_CIRCLE, "Keyboard shortcuts (F1)", this::toggleHelp);
        HBox header = new HBox(8, title, version, demo, spacer, open, save, export, latents, new Separator(Orientation.VERTICAL),
                undo, redo, new Separator(Orientation.VERTICAL), helpB);
        header.setAlignment(Pos.CENTER_LEFT);
        header.setPadding(new Insets(8, 12, 8, 12));
        header.setStyle("-fx-border-color: transparent transparent #d1d5db transparent;");

        tabs.setId("side-tabs");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getTabs().add(tab("tab-source", "Source", FontAwesomeSolid.USER,
                new SourcePanel(vm.source(), m -> vm.status().warn("Inversion", m), this::choosePhoto, this::chooseLatent)));
        tabs.getTabs().add(tab("tab-edit", "Edit", FontAwesomeSolid.PEN,
                new EditPanel(vm.edit(), vm.directions(), vm.run(), vm.stack(), m -> vm.status().warn("Edit settings", m),
                        this::saveRecipe, this::openRecipe, this::chooseMapperFile, this::chooseDirections)));
        tabs.getTabs().add(tab("tab-mapper", "Mapper", FontAwesomeSolid.PROJECT_DIAGRAM,
                new MapperPanel(vm.mapperSettings(), vm.mapperRun(), vm.mapperLibrary(), m -> vm.status().warn("Mapper settings", m),
                        this::chooseMapperFolder, this::chooseMapperFile)));
        tabs.getTabs().add(tab("tab-models", "Models", FontAwesomeSolid.DATABASE,
                new ModelsPanel(vm.models(), this::chooseModelFile, vm::refreshModels, new MemoryBudgetRow(vm))));
        tabs.setMinWidth(330);

        LivePanel live = new LivePanel(vm.live(), vm.source());
        horizontal.getItems().addAll(tabs, live);
        ComparePanel compare = new ComparePanel(vm.compare(), vm.run(), vm.edit().methodProperty(), this::exportGrid);
        vertical.setOrientation(Orientation.VERTICAL);
        vertical.getItems().addAll(horizontal, compare);
        StudioPrefs prefs = vm.prefs();
        // fractions, held apart from the skin's pixel positions: a small window must not leave the panels narrow
        side = new SplitFraction(horizontal, prefs.getDouble("layout.horizontal", 0.34), 0.34, 0.2, 0.75);
        bottom = new SplitFraction(vertical, prefs.getDouble("layout.vertical", 0.74), 0.74, 0.3, 0.98);

        StatusBar status = new StatusBar();
        status.setId("status-bar");
        status.textProperty().bind(vm.status().messageProperty());
        Label device = new Label("device: " + vm.deviceName());
        device.setId("status-device");
        Label job = new Label();
        job.setId("status-job");
        job.textProperty().bind(vm.status().jobProperty().map(s -> "job: " + s));
        Label memory = new Label();
        memory.setId("status-memory");
        memory.textProperty().bind(vm.memoryProperty());
        for (Label l : new Label[]{device, job, memory}) l.setMinWidth(Region.USE_PREF_SIZE); // a long message gives way, not these
        status.getRightItems().addAll(device, new Separator(Orientation.VERTICAL), job, new Separator(Orientation.VERTICAL), memory);

        main.setTop(new VBox(StudioMenu.create(this, vm), header));
        main.setCenter(vertical);
        main.setBottom(status);
        buildHelp();
        root.getChildren().addAll(main, help);

        vm.models().setNotices(vm.status()::notice);
        vm.status().notices().addListener((ListChangeListener<Notice>) c -> {
            while (c.next()) if (c.wasAdded()) c.getAddedSubList().forEach(this::popup);
        });
    }

    private static Tab tab(String id, String text, FontAwesomeSolid icon, Region content) {
        ScrollPane scroll = new ScrollPane(content);
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        content.setMinHeight(Region.USE_PREF_SIZE); // a short tab scrolls: fitting its height must not squeeze wrapped text to "…"
        Tab t = new Tab(text, scroll);
        t.setId(id);
        t.setGraphic(new FontIcon(icon));
        return t;
    }

    private static Button tool(String id, FontAwesomeSolid icon, String tip, Runnable action) {
        Button b = new Button(null, new FontIcon(icon));
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        return b;
    }

    private void buildHelp() {
        help.setId("help-overlay");
        help.setVisible(false);
        help.setMaxSize(560, Region.USE_PREF_SIZE);
        help.setPadding(new Insets(18));
        help.setStyle("-fx-background-color: rgba(17,24,39,0.93); -fx-background-radius: 10;");
        Label t = new Label("Keyboard shortcuts");
        t.setStyle("-fx-text-fill: white; -fx-font-size: 16px; -fx-font-weight: bold;");
        GridPane g = new GridPane();
        g.setHgap(16);
        g.setVgap(6);
        for (int i = 0; i < SHORTCUTS.size(); i++) {
            Label k = new Label(SHORTCUTS.get(i)[0]);
            k.setStyle("-fx-text-fill: #fcd34d; -fx-font-family: monospace; -fx-font-weight: bold;");
            k.setMinWidth(Region.USE_PREF_SIZE); // a key is never cut ("Ctrl+E…" for Ctrl+Enter); descriptions wrap
            Label d = new Label(SHORTCUTS.get(i)[1]);
            d.setStyle("-fx-text-fill: white;");
            d.setWrapText(true);
            g.addRow(i, k, d);
        }
        help.getChildren().addAll(t, g);
        help.setOnMouseClicked(e -> help.setVisible(false));
        StackPane.setAlignment(help, Pos.CENTER);
    }

    public void toggleHelp() {
        help.setVisible(!help.isVisible());
    }

    public boolean helpVisible() {
        return help.isVisible();
    }

    /** Installs the keyboard shortcuts on the scene that shows this window. */
    public void installShortcuts(Scene scene) {
        var acc = scene.getAccelerators();
        acc.put(new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN), vm.document()::undo);
        acc.put(new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN), vm.document()::redo);
        acc.put(new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN), this::exportBeforeAfter);
        acc.put(new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN), this::saveSession);
        acc.put(new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN), this::openSession);
        acc.put(new KeyCodeCombination(KeyCode.G, KeyCombination.SHORTCUT_DOWN), vm.source()::generate);
        acc.put(new KeyCodeCombination(KeyCode.F1), this::toggleHelp);
        scene.addEventFilter(javafx.scene.input.KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER && e.isShortcutDown()) {
                // a filter, so a focused text field (the prompt) cannot swallow it
                vm.run().runEdit();
                e.consume();
            } else if (e.getCode() == KeyCode.ESCAPE) {
                if (help.isVisible()) help.setVisible(false);
                else vm.cancel();
                e.consume();
            }
        });
    }

    private void popup(Notice n) {
        if (n.level() == Notice.Level.DIALOG && window() != null) {
            // a refusal the user must act on: a dialog that stays until closed (not modal: the app stays usable)
            Alert a = new Alert(Alert.AlertType.WARNING, n.text(), ButtonType.OK);
            a.setTitle(n.title());
            a.setHeaderText(n.title());
            a.initOwner(window());
            a.getDialogPane().setId("memory-dialog");
            a.getDialogPane().setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
            a.show();
            return;
        }
        if (!notificationsEnabled || window() == null) return;
        try {
            Notifications note = Notifications.create().title(n.title()).text(n.text()).owner(window())
                    .hideAfter(Duration.seconds(n.level() == Notice.Level.ERROR ? 8 : 4));
            switch (n.level()) {
                case ERROR -> note.showError();
                case WARNING -> note.showWarning();
                default -> note.showInformation();
            }
        } catch (RuntimeException e) {
            // a notification that cannot be shown must not break the app: the status bar has the text
        }
    }

    /** Scrolls the selected side tab so that the node with this id (in it) shows near the top. */
    public void reveal(String id) {
        if (!(tabs.getSelectionModel().getSelectedItem().getContent() instanceof ScrollPane sp)) return;
        javafx.scene.Node n = sp.getContent().lookup(id);
        if (n == null) return;
        double y = sp.getContent().sceneToLocal(n.localToScene(0, 0)).getY();
        double free = sp.getContent().getLayoutBounds().getHeight() - sp.getViewportBounds().getHeight();
        sp.setVvalue(free <= 0 ? 0 : Math.min(1, Math.max(0, (y - 10) / free)));
    }

    /** Moves the divider between the side tabs and the live view (0…1). */
    public void setSideFraction(double f) {
        side.set(f);
    }

    /** Moves the divider between the upper part and the compare grid (0…1). */
    public void setBottomFraction(double f) {
        bottom.set(f);
    }

    /** The fractions the dividers are kept at (side tabs | live view, upper part / compare grid). */
    public double[] layoutFractions() {
        return new double[]{side.get(), bottom.get()};
    }

    /** Remembers the divider fractions (what the user chose, not what a small window squeezed them to). */
    public void saveLayout() {
        StudioPrefs p = vm.prefs();
        p.putDouble("layout.horizontal", side.get());
        p.putDouble("layout.vertical", bottom.get());
    }

    public void dispose() {
        memoryTimer.stop();
    }

    // ---- file actions ----------------------------------------------------------------------------------------

    /**
     * The folder a dialog opens in: the one used last for this kind of file, else the user's Pictures (or home)
     * folder — never the folder the application was started from.
     */
    private Path folder(String key) {
        String f = vm.prefs().get(key, null);
        if (f != null) return Paths.get(f);
        Path home = Paths.get(System.getProperty("user.home"));
        Path pictures = home.resolve("Pictures");
        return java.nio.file.Files.isDirectory(pictures) ? pictures : home;
    }

    private Path choosePhoto() {
        return dialogs.open(window(), "Import a photo", folder("folder.photos"), "Pictures", "*.png", "*.jpg", "*.jpeg", "*.bmp", "*.gif");
    }

    private Path chooseLatent() {
        return dialogs.open(window(), "Open a latent", folder("folder.export"), "NumPy", "*.npz");
    }

    /** Import photo… (File menu): a photo chosen in a dialog becomes the Source tab's photo. */
    void importPhoto() {
        Path p = choosePhoto();
        if (p != null) {
            tabs.getSelectionModel().select(0);
            vm.source().importPhoto(p);
        }
    }

    /** Open latent… (File menu). */
    void openLatent() {
        Path p = chooseLatent();
        if (p != null) vm.source().importLatent(p);
    }

    /** Shows side tab {@code i} (0 Source, 1 Edit, 2 Mapper, 3 Models). */
    void showTab(int i) {
        tabs.getSelectionModel().select(i);
    }

    /** Closes the window as its close button does (asking first when work runs). */
    void quit() {
        Window w = window();
        if (w != null) w.fireEvent(new javafx.stage.WindowEvent(w, javafx.stage.WindowEvent.WINDOW_CLOSE_REQUEST));
    }

    /** The Getting started page (Help menu). */
    void gettingStarted() {
        GettingStarted.show(window());
    }

    /** The folder of stylegan3-editing's global-direction files, chosen through its {@code delta_i_c.npy}. */
    private Path chooseDirections() {
        Path p = dialogs.open(window(), "Import global directions: pick delta_i_c.npy (s_mean.npy, s_std.npy beside it)",
                folder("folder.directions"), "delta_i_c", "delta_i_c*.npy", "*.npy");
        if (p == null || p.toAbsolutePath().getParent() == null) return null;
        vm.prefs().put("folder.directions", p.toAbsolutePath().getParent().toString());
        return p.toAbsolutePath().getParent();
    }

    private Path chooseMapperFolder() {
        Path cur = vm.mapperSettings().folderProperty().get();
        return dialogs.directory(window(), "Mapper output folder", cur != null && cur.getParent() != null ? cur.getParent() : vm.mapperSettings().mappersRoot());
    }

    private Path chooseMapperFile() {
        return dialogs.open(window(), "Open a trained mapper", vm.mapperSettings().mappersRoot(), "Mappers", "*.safetensors");
    }

    private Path chooseModelFile() {
        return dialogs.open(window(), "Import a model file", folder("folder.modelImport"), "Model files",
                "*.pkl", "*.pt", "*.pth", "*.safetensors", "*.tgz", "*.json");
    }

    void exportBeforeAfter() {
        Path p = dialogs.save(window(), "Export before / after", folder("folder.export"), "styleclip-edit.png", "PNG", "*.png");
        if (p != null) vm.files().exportBeforeAfter(p);
    }

    void exportGrid() {
        Path p = dialogs.save(window(), "Export grid", folder("folder.export"), "styleclip-grid.png", "PNG", "*.png");
        if (p != null) vm.files().exportGrid(p);
    }

    void exportLatents() {
        Path p = dialogs.save(window(), "Export latent", folder("folder.export"), "styleclip-latent.npz", "NumPy", "*.npz");
        if (p != null) vm.files().exportLatents(p);
    }

    void saveSession() {
        Path cur = vm.files().sessionFileProperty().get();
        Path p = dialogs.save(window(), "Save session", cur != null ? cur.getParent() : folder("folder.sessions"),
                cur != null ? cur.getFileName().toString() : "session.json", "Sessions", "*.json");
        if (p != null) vm.files().saveSession(p);
    }

    void openSession() {
        Path p = dialogs.open(window(), "Open session", folder("folder.sessions"), "Sessions", "*.json");
        if (p != null) vm.files().openSession(p);
    }

    void saveRecipe() {
        Path p = dialogs.save(window(), "Save recipe", folder("folder.sessions"), "recipe.json", "Recipes", "*.json");
        if (p != null) vm.files().saveRecipe(p);
    }

    /** Apply recipe to folder… (File menu): its window, made on first use and kept (a running batch goes on). */
    void applyRecipeToFolder() {
        if (batchDialog == null) {
            batchDialog = new RecipeBatchDialog(window(), vm.recipeBatch(),
                    () -> dialogs.open(window(), "Recipe to apply", folder("folder.sessions"), "Recipes", "*.json"),
                    (title, start) -> dialogs.directory(window(), title, start != null ? start : folder("folder.batchInputs")));
        }
        batchDialog.show();
    }

    void openRecipe() {
        Path p = dialogs.open(window(), "Open recipe", folder("folder.sessions"), "Recipes", "*.json");
        if (p != null) vm.files().openRecipe(p);
    }
}
