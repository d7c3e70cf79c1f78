package dev.styleclip.studio.viewmodel;

import dev.styleclip.AppInfo;
import dev.styleclip.runtime.ModelCatalog;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** State of the main window: app identity and the installed model files. No JavaFX nodes, no NDArrays. */
public final class MainViewModel {

    /** One row of the model status table. */
    public record ModelRow(String role, String description, String status) {
    }

    private final ModelCatalog catalog;
    private final ObservableList<ModelRow> models = FXCollections.observableArrayList();
    private final ReadOnlyBooleanWrapper demoMode = new ReadOnlyBooleanWrapper();

    public MainViewModel(ModelCatalog catalog) {
        this.catalog = catalog;
        refresh();
    }

    public String title() {
        return AppInfo.NAME;
    }

    public String version() {
        return AppInfo.version();
    }

    public String modelsFolder() {
        return catalog.dir().toString();
    }

    public ObservableList<ModelRow> models() {
        return models;
    }

    public ReadOnlyBooleanProperty demoModeProperty() {
        return demoMode.getReadOnlyProperty();
    }

    /** Re-scans the models folder. */
    public void refresh() {
        models.clear();
        for (ModelCatalog.Status s : catalog.scan()) {
            models.add(new ModelRow(s.role().label(), s.role().description(),
                    s.file().map(p -> "installed: " + p.getFileName()).orElse("not installed")));
        }
        demoMode.set(catalog.demoMode());
    }
}
