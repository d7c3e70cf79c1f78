package dev.styleclip.studio.view;

import dev.styleclip.runtime.ModelCatalog;
import dev.styleclip.studio.viewmodel.MainViewModel;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.scene.Parent;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.util.function.Function;

/** The main window: app name and version, the demo-mode banner and the status of installed model files. */
public final class MainWindow {
    private final MainViewModel vm;
    private final BorderPane root = new BorderPane();

    public MainWindow() {
        this(new MainViewModel(ModelCatalog.standard()));
    }

    public MainWindow(MainViewModel vm) {
        this.vm = vm;
        build();
    }

    public Parent root() {
        return root;
    }

    private void build() {
        Label title = new Label(vm.title());
        title.setId("app-title");
        title.setStyle("-fx-font-size: 22px; -fx-font-weight: bold;");
        Label version = new Label("version " + vm.version());
        version.setId("app-version");
        Region spacer = new Region();
        HBox.setHgrow(spacer, Priority.ALWAYS);
        Button refresh = new Button("Rescan models", new FontIcon(FontAwesomeSolid.SYNC));
        refresh.setId("rescan");
        refresh.setOnAction(e -> vm.refresh());
        HBox header = new HBox(12, title, version, spacer, refresh);
        header.setPadding(new Insets(12));

        Label banner = new Label("Demo networks: no StyleGAN3 generator is installed, so pictures come from random weights. "
                + "Put model files in " + vm.modelsFolder());
        banner.setId("demo-banner");
        banner.setWrapText(true);
        banner.setStyle("-fx-background-color: #fff3cd; -fx-padding: 8; -fx-text-fill: #664d03;");
        banner.visibleProperty().bind(vm.demoModeProperty());
        banner.managedProperty().bind(vm.demoModeProperty());

        TableView<MainViewModel.ModelRow> table = new TableView<>(vm.models());
        table.setId("model-table");
        table.getColumns().add(column("Model", MainViewModel.ModelRow::role, 180));
        table.getColumns().add(column("File", MainViewModel.ModelRow::description, 420));
        table.getColumns().add(column("Status", MainViewModel.ModelRow::status, 240));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

        VBox center = new VBox(8, banner, new Label("Model files in " + vm.modelsFolder()), table);
        VBox.setVgrow(table, Priority.ALWAYS);
        center.setPadding(new Insets(0, 12, 12, 12));
        root.setTop(header);
        root.setCenter(center);
    }

    private static TableColumn<MainViewModel.ModelRow, String> column(String title,
            Function<MainViewModel.ModelRow, String> value, double width) {
        TableColumn<MainViewModel.ModelRow, String> c = new TableColumn<>(title);
        c.setCellValueFactory(cd -> new ReadOnlyStringWrapper(value.apply(cd.getValue())));
        c.setPrefWidth(width);
        return c;
    }
}
