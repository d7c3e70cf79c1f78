package dev.styleclip.studio.view;

import dev.styleclip.studio.service.StudioBackend.EditMethod;
import dev.styleclip.studio.viewmodel.EditEntry;
import dev.styleclip.studio.viewmodel.EditSettings;
import dev.styleclip.studio.viewmodel.Notice;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Separator;
import javafx.scene.control.Slider;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.util.Locale;

/** Edit tab: prompt with history, method, λ / lr / steps / schedule, layer groups, Run / Pause / Cancel, the edit stack. */
final class EditPanel extends VBox {

    EditPanel(StudioViewModel vm, Runnable saveRecipe, Runnable openRecipe) {
        super(8);
        setPadding(new Insets(10));
        EditSettings s = vm.edit();
        ComboBox<String> prompt = new ComboBox<>(s.promptHistory());
        prompt.setId("prompt");
        prompt.setEditable(true);
        prompt.setMaxWidth(Double.MAX_VALUE);
        prompt.getEditor().textProperty().bindBidirectional(s.promptProperty());
        prompt.setPromptText("describe the edit, e.g. “a person with purple hair”");

        ComboBox<EditMethod> method = new ComboBox<>();
        method.setId("method");
        method.getItems().setAll(EditMethod.values());
        method.valueProperty().bindBidirectional(s.methodProperty());
        method.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(EditMethod m, boolean empty) {
                super.updateItem(m, empty);
                if (empty || m == null) {
                    setText(null);
                    setDisable(false);
                    setTooltip(null);
                } else {
                    boolean ok = vm.backend().editAvailable(m);
                    setText(m.label() + (ok ? "" : " (not available yet)"));
                    setDisable(!ok && (m == EditMethod.MAPPER || m == EditMethod.GLOBAL_DIRECTION));
                    setTooltip(ok ? null : new Tooltip(vm.backend().editUnavailableReason(m)));
                }
            }
        });
        method.setButtonCell(method.getCellFactory().call(null));
        method.setMaxWidth(Double.MAX_VALUE);

        ComboBox<String> schedule = new ComboBox<>();
        schedule.setId("schedule");
        schedule.getItems().setAll(EditSettings.SCHEDULES);
        schedule.valueProperty().bindBidirectional(s.scheduleProperty());

        ToggleButton coarse = toggle("layers-coarse", "coarse", s.coarseProperty(), "pose, face shape (first ws)");
        ToggleButton medium = toggle("layers-medium", "medium", s.mediumProperty(), "features, hair style");
        ToggleButton fine = toggle("layers-fine", "fine", s.fineProperty(), "colours, texture (last ws)");
        HBox layers = new HBox(4, new Label("Layers"), coarse, medium, fine);
        layers.setAlignment(Pos.CENTER_LEFT);

        java.util.function.Consumer<String> warn = m -> vm.notice(new Notice(Notice.Level.WARNING, "Edit settings", m));
        VBox numbers = new VBox(4,
                Fx.numberRow("lambda-l2", s.lambdaL2(), warn),
                Fx.numberRow("lambda-id", s.lambdaId(), warn),
                Fx.numberRow("lr", s.lr(), warn),
                Fx.numberRow("steps", s.steps(), warn));

        Button run = new Button("Run", new FontIcon(FontAwesomeSolid.PLAY));
        run.setId("run");
        run.disableProperty().bind(vm.canRunProperty().not());
        Tooltip runTip = new Tooltip();
        Runnable updateTip = () -> runTip.setText(vm.runUnavailableReason().isEmpty() ? "Run the edit (Ctrl+Enter)" : vm.runUnavailableReason());
        vm.canRunProperty().addListener((o, a, b) -> updateTip.run());
        updateTip.run();
        HBox runWrap = new HBox(run);
        Tooltip.install(runWrap, runTip);
        run.setOnAction(e -> vm.runEdit());
        Button pause = new Button("Pause", new FontIcon(FontAwesomeSolid.PAUSE));
        pause.setId("pause");
        pause.disableProperty().bind(vm.editRunningProperty().not());
        pause.textProperty().bind(Bindings.when(vm.editPausedProperty()).then("Resume").otherwise("Pause"));
        pause.setOnAction(e -> vm.togglePause());
        Button cancel = new Button("Cancel", new FontIcon(FontAwesomeSolid.STOP));
        cancel.setId("cancel");
        cancel.disableProperty().bind(vm.editRunningProperty().not().and(vm.compare().runningProperty().not()));
        cancel.setOnAction(e -> vm.cancel());
        HBox buttons = new HBox(6, runWrap, pause, cancel);

        Label stackTitle = new Label("Edit stack");
        stackTitle.setStyle("-fx-font-weight: bold;");
        ListView<EditEntry> stack = new ListView<>(vm.editStack());
        stack.setId("edit-stack");
        stack.setPrefHeight(150);
        stack.setPlaceholder(new Label("No edits yet: run one, or open a recipe"));
        stack.setCellFactory(l -> new EditCell(vm));
        Button saveR = new Button("Save recipe…", new FontIcon(FontAwesomeSolid.SAVE));
        saveR.setId("save-recipe");
        saveR.setOnAction(e -> saveRecipe.run());
        Button openR = new Button("Open recipe…", new FontIcon(FontAwesomeSolid.FOLDER_OPEN));
        openR.setId("open-recipe");
        openR.setOnAction(e -> openRecipe.run());
        VBox.setVgrow(stack, Priority.ALWAYS);

        getChildren().addAll(new Label("Prompt"), prompt, new Label("Method"), method, numbers,
                new HBox(6, new Label("Schedule"), schedule) {{
                    setAlignment(Pos.CENTER_LEFT);
                }}, layers, buttons, new Separator(), stackTitle, stack, new HBox(6, saveR, openR));
    }

    private static ToggleButton toggle(String id, String text, javafx.beans.property.BooleanProperty p, String tip) {
        ToggleButton t = new ToggleButton(text);
        t.setId(id);
        t.selectedProperty().bindBidirectional(p);
        t.setTooltip(new Tooltip(tip));
        return t;
    }

    /** One edit: on/off, label, strength slider (applied on release), remove. */
    private static final class EditCell extends ListCell<EditEntry> {
        private final StudioViewModel vm;

        EditCell(StudioViewModel vm) {
            this.vm = vm;
        }

        @Override
        protected void updateItem(EditEntry e, boolean empty) {
            super.updateItem(e, empty);
            setText(null);
            if (empty || e == null) {
                setGraphic(null);
                return;
            }
            int index = getIndex();
            CheckBox on = new CheckBox();
            on.setSelected(e.enabled());
            on.setOnAction(a -> vm.setEnabled(index, on.isSelected()));
            Label label = new Label(e.kind() + ": “" + e.label() + "”");
            label.setMaxWidth(160);
            Slider strength = new Slider(-1, 2, e.strength());
            strength.setPrefWidth(90);
            Label value = new Label(String.format(Locale.ROOT, "%.2f", e.strength()));
            strength.valueProperty().addListener((o, a, b) -> value.setText(String.format(Locale.ROOT, "%.2f", b.doubleValue())));
            strength.valueChangingProperty().addListener((o, was, now) -> {
                if (!now) vm.setStrength(index, strength.getValue());
            });
            strength.setOnMouseReleased(a -> {
                if (Math.abs(strength.getValue() - e.strength()) > 1e-9) vm.setStrength(index, strength.getValue());
            });
            Button remove = new Button(null, new FontIcon(FontAwesomeSolid.TRASH));
            remove.setTooltip(new Tooltip("remove this edit"));
            remove.setOnAction(a -> vm.removeEdit(index));
            HBox box = new HBox(4, on, label, strength, value, remove);
            box.setAlignment(Pos.CENTER_LEFT);
            HBox.setHgrow(label, Priority.ALWAYS);
            setGraphic(box);
        }
    }
}
