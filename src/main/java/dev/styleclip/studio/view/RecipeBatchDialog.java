package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.RecipeBatchViewModel;
import dev.styleclip.studio.viewmodel.RecipeBatchViewModel.RecipeSource;
import dev.styleclip.studio.viewmodel.RecipeBatchViewModel.Row;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.Stage;
import javafx.stage.Window;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * File ▸ Apply recipe to folder, in a window of its own beside the studio (not modal: the studio stays usable while a
 * folder runs): the recipe (current edit stack or a file), input and output folders, redo-finished, Start / Cancel,
 * progress with ETA, and the result list, whose rows open their picture on a double-click. All state lives in the
 * {@link RecipeBatchViewModel}; the file dialogs are the main window's.
 */
final class RecipeBatchDialog {
    private final Stage stage = new Stage();
    private final RecipeBatchViewModel vm;

    /**
     * @param chooseRecipe asks for a recipe file (null: cancelled)
     * @param chooseFolder asks for a folder with the given title, starting in the given folder (null: where it likes)
     */
    RecipeBatchDialog(Window owner, RecipeBatchViewModel vm, Supplier<Path> chooseRecipe, FolderChooser chooseFolder) {
        this.vm = vm;
        if (owner != null) stage.initOwner(owner);
        stage.setTitle("Apply recipe to folder");

        ToggleGroup recipe = new ToggleGroup();
        RadioButton stack = new RadioButton();
        stack.setId("batch-recipe-stack");
        stack.setToggleGroup(recipe);
        RadioButton file = new RadioButton();
        file.setId("batch-recipe-file");
        file.setToggleGroup(recipe);
        file.textProperty().bind(vm.recipeFileProperty().map(p -> "the recipe " + p.getFileName()).orElse("a recipe file…"));
        recipe.selectToggle(vm.recipeSourceProperty().get() == RecipeSource.FILE ? file : stack);
        vm.recipeSourceProperty().addListener((o, a, b) -> recipe.selectToggle(b == RecipeSource.FILE ? file : stack));
        recipe.selectedToggleProperty().addListener((o, a, b) -> vm.recipeSourceProperty().set(b == file ? RecipeSource.FILE : RecipeSource.EDIT_STACK));
        file.disableProperty().bind(vm.recipeFileProperty().isNull()); // a file is chosen first (Choose…), then it can be picked
        Button pickRecipe = new Button("Choose…");
        pickRecipe.setId("batch-choose-recipe");
        pickRecipe.setOnAction(e -> vm.chooseRecipeFile(chooseRecipe.get()));
        stack.textProperty().bind(vm.stackDescriptionProperty());

        GridPane form = new GridPane();
        form.setHgap(8);
        form.setVgap(6);
        form.addRow(0, new Label("Recipe"), stack);
        form.addRow(1, new Label(), new HBox(6, file, pickRecipe));
        form.addRow(2, new Label("Inputs"), folderRow("batch-inputs", vm.inputFolderProperty(),
                () -> chooseFolder.choose("Folder of photos and latents to edit", vm.inputFolderProperty().get()), vm::chooseInputFolder));
        form.addRow(3, new Label("Output"), folderRow("batch-output", vm.outputFolderProperty(),
                () -> chooseFolder.choose("Folder for the results", vm.outputFolderProperty().get()), vm::chooseOutputFolder));
        ColumnConstraints grow = new ColumnConstraints();
        grow.setHgrow(Priority.ALWAYS);
        form.getColumnConstraints().addAll(new ColumnConstraints(), grow);
        form.disableProperty().bind(vm.runningProperty());

        CheckBox force = new CheckBox("Redo inputs whose results exist (else they are skipped)");
        force.setId("batch-force");
        force.selectedProperty().bindBidirectional(vm.forceProperty());
        force.disableProperty().bind(vm.runningProperty());
        Label photos = new Label();
        photos.setId("batch-photo-note");
        photos.setWrapText(true);
        photos.setStyle("-fx-text-fill: #4b5563;");
        photos.textProperty().bind(vm.photoNoteProperty());

        Button start = new Button("Start");
        start.setId("batch-start");
        start.setDefaultButton(true);
        start.disableProperty().bind(vm.runningProperty());
        start.setOnAction(e -> vm.start());
        Button cancel = new Button("Cancel");
        cancel.setId("batch-cancel");
        cancel.disableProperty().bind(vm.runningProperty().not());
        cancel.setOnAction(e -> vm.cancel());
        ProgressBar bar = new ProgressBar();
        bar.setId("batch-progress");
        bar.progressProperty().bind(vm.progressProperty());
        bar.visibleProperty().bind(vm.runningProperty());
        bar.setMaxWidth(Double.MAX_VALUE);
        HBox.setHgrow(bar, Priority.ALWAYS);
        HBox buttons = new HBox(8, start, cancel, bar);
        buttons.setAlignment(Pos.CENTER_LEFT);
        Label progress = new Label();
        progress.setId("batch-progress-text");
        progress.textProperty().bind(vm.progressTextProperty());
        Label message = new Label();
        message.setId("batch-message");
        message.setWrapText(true);
        message.setStyle("-fx-text-fill: #1e3a8a;");
        message.textProperty().bind(vm.messageProperty());

        TableView<Row> table = new TableView<>(vm.rows());
        table.setId("batch-results");
        table.setPlaceholder(new Label("The inputs' results come here as they end; double-click one to see its picture."));
        table.getColumns().add(column("Input", Row::input, 160));
        table.getColumns().add(column("Status", Row::status, 70));
        table.getColumns().add(column("Output", Row::output, 330));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        table.setRowFactory(t -> {
            TableRow<Row> r = new TableRow<>();
            r.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && r.getItem() != null) open(r.getItem());
            });
            return r;
        });
        VBox.setVgrow(table, Priority.ALWAYS);

        VBox root = new VBox(8, form, force, photos, buttons, progress, message, table);
        root.setPadding(new Insets(12));
        stage.setScene(new Scene(root, 640, 520));
    }

    /** Asks for a folder. */
    @FunctionalInterface
    interface FolderChooser {
        Path choose(String title, Path start);
    }

    private static HBox folderRow(String id, ObjectProperty<Path> folder, Supplier<Path> choose, Consumer<Path> chosen) {
        Label shown = new Label();
        shown.setId(id);
        shown.setTextOverrun(OverrunStyle.LEADING_ELLIPSIS);
        shown.setMaxWidth(Double.MAX_VALUE);
        shown.setMinWidth(200);
        shown.textProperty().bind(folder.map(Path::toString).orElse("—"));
        Tooltip tip = new Tooltip();
        tip.textProperty().bind(shown.textProperty());
        shown.setTooltip(tip);
        HBox.setHgrow(shown, Priority.ALWAYS);
        Button pick = new Button("Choose…");
        pick.setId(id + "-choose");
        pick.setOnAction(e -> chosen.accept(choose.get()));
        HBox row = new HBox(6, shown, pick);
        row.setAlignment(Pos.CENTER_LEFT);
        row.setMinWidth(Region.USE_PREF_SIZE);
        return row;
    }

    private static TableColumn<Row, String> column(String title, Function<Row, String> value, double width) {
        TableColumn<Row, String> c = new TableColumn<>(title);
        c.setCellValueFactory(d -> new ReadOnlyStringWrapper(value.apply(d.getValue())));
        c.setPrefWidth(width);
        return c;
    }

    private void open(Row row) {
        Path p = vm.pictureOf(row);
        if (p != null) ImageViewer.open(stage, new Image(p.toUri().toString()), row.input() + " → " + p.getFileName());
    }

    /** Shows the window (again) in front. */
    void show() {
        stage.show();
        stage.toFront();
    }

    Stage stage() {
        return stage;
    }
}
