package dev.styleclip.studio.view;

import dev.styleclip.runtime.models.ModelEntry;
import dev.styleclip.studio.viewmodel.ModelsViewModel;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceDialog;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/** Models tab: the installed files, the demo banner, Import… and Download with progress, then the settings given. */
final class ModelsPanel extends VBox {

    ModelsPanel(ModelsViewModel vm, Supplier<Path> chooseModelFile, Runnable afterChange, javafx.scene.Node settings) {
        super(8);
        setPadding(new Insets(10));
        Label banner = new Label("Demo networks: no StyleGAN3 generator is installed, so pictures come from random weights "
                + "(labelled “demo network”). Put model files in " + vm.modelsFolder() + " or import them below.");
        banner.setId("demo-banner");
        banner.setWrapText(true);
        banner.setMinHeight(Region.USE_PREF_SIZE);
        banner.setStyle("-fx-background-color: #fff3cd; -fx-padding: 8; -fx-text-fill: #664d03;");
        banner.visibleProperty().bind(vm.demoModeProperty());
        banner.managedProperty().bind(vm.demoModeProperty());

        TableView<ModelsViewModel.ModelRow> table = new TableView<>(vm.models());
        table.setId("model-table");
        table.getColumns().add(column("Model", ModelsViewModel.ModelRow::role, 130));
        table.getColumns().add(column("Status", ModelsViewModel.ModelRow::status, 170));
        table.getColumns().add(column("File", ModelsViewModel.ModelRow::description, 300));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        // as tall as its rows (one per model role), not the control's default 400 px: the download and memory rows stay in view
        table.setFixedCellSize(24);
        table.prefHeightProperty().bind(javafx.beans.binding.Bindings.size(table.getItems()).multiply(24).add(30));
        VBox.setVgrow(table, Priority.ALWAYS);

        Button rescan = new Button("Rescan", new FontIcon(FontAwesomeSolid.SYNC));
        rescan.setId("rescan");
        rescan.setOnAction(e -> {
            vm.refresh();
            afterChange.run();
        });
        ComboBox<ModelEntry> entry = new ComboBox<>(vm.entries());
        entry.setId("model-entry");
        entry.setCellFactory(l -> new EntryCell());
        entry.setButtonCell(new EntryCell());
        entry.setMaxWidth(Double.MAX_VALUE);
        entry.setValue(vm.firstChoice());
        HBox.setHgrow(entry, Priority.ALWAYS);
        Button importB = new Button("Import…", new FontIcon(FontAwesomeSolid.FILE_IMPORT));
        importB.setId("import-model");
        importB.disableProperty().bind(vm.transferringProperty());
        importB.setOnAction(e -> {
            Path f = chooseModelFile.get();
            if (f == null) return;
            Optional<ModelEntry> guess = vm.guessEntry(f);
            ModelEntry target = guess.orElse(null);
            if (target == null) {
                // the dialog lists the entries' descriptions, not their records
                List<String> labels = vm.entries().stream().map(ModelsViewModel::describe).toList();
                ChoiceDialog<String> d = new ChoiceDialog<>(ModelsViewModel.describe(entry.getValue()), labels);
                d.setHeaderText("Which model file is " + f.getFileName() + "?");
                d.getDialogPane().setMaxWidth(640);
                target = d.showAndWait().map(labels::indexOf).filter(i -> i >= 0).map(vm.entries()::get).orElse(null);
            }
            if (target != null) vm.importFile(f, target, afterChange);
        });
        Button download = new Button("Download", new FontIcon(FontAwesomeSolid.DOWNLOAD));
        download.setId("download-model");
        download.disableProperty().bind(vm.transferringProperty().or(entry.valueProperty().isNull()));
        download.setOnAction(e -> vm.download(entry.getValue(), afterChange));
        // one click for everything the app needs (the recommended set), with what it costs in files and bytes
        Button recommended = new Button(vm.recommendedSummary(), new FontIcon(FontAwesomeSolid.CLOUD_DOWNLOAD_ALT));
        recommended.setId("download-recommended");
        recommended.setMaxWidth(Double.MAX_VALUE);
        recommended.setTooltip(new Tooltip("downloads every recommended file that is not installed yet, one after the other; "
                + "each is checked (size, sha256, format) before it is installed"));
        recommended.disableProperty().bind(vm.transferringProperty());
        Runnable afterAll = () -> {
            recommended.setText(vm.recommendedSummary());
            afterChange.run();
        };
        recommended.setOnAction(e -> vm.downloadRecommended(afterAll));
        Button stop = new Button(null, new FontIcon(FontAwesomeSolid.TIMES));
        stop.setId("cancel-download");
        stop.disableProperty().bind(vm.transferringProperty().not());
        stop.setOnAction(e -> vm.cancelTransfer());
        ProgressBar bar = new ProgressBar(0);
        bar.setId("download-progress");
        bar.progressProperty().bind(vm.progressProperty());
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.visibleProperty().bind(vm.transferringProperty());
        Label progress = new Label();
        progress.textProperty().bind(vm.progressTextProperty());
        HBox.setHgrow(bar, Priority.ALWAYS);
        download.setMinWidth(Region.USE_PREF_SIZE);
        importB.setMinWidth(Region.USE_PREF_SIZE);
        HBox actions = new HBox(6, entry, download, stop);
        actions.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(banner, new HBox(6, rescan, importB) {{
            setAlignment(Pos.CENTER_LEFT);
        }}, new Label("Model files in " + vm.modelsFolder()), table, new Label("Official files"), recommended, actions, bar, progress,
                new javafx.scene.control.Separator(), settings);
    }

    private static final class EntryCell extends ListCell<ModelEntry> {
        @Override
        protected void updateItem(ModelEntry e, boolean empty) {
            super.updateItem(e, empty);
            setText(empty || e == null ? null : ModelsViewModel.describe(e));
        }
    }

    private static TableColumn<ModelsViewModel.ModelRow, String> column(String title,
            Function<ModelsViewModel.ModelRow, String> value, double width) {
        TableColumn<ModelsViewModel.ModelRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
