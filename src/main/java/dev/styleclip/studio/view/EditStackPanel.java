package dev.styleclip.studio.view;

import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.studio.viewmodel.CompareViewModel;
import dev.styleclip.studio.viewmodel.EditStackViewModel;
import dev.styleclip.studio.viewmodel.Steps;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.util.Locale;

/** The Edit tab's stack: one row per step (on/off, strength slider, remove), recipes saved and opened. */
final class EditStackPanel extends VBox {

    EditStackPanel(EditStackViewModel vm, Runnable saveRecipe, Runnable openRecipe) {
        super(8);
        Label stackTitle = new Label("Edit stack");
        stackTitle.setStyle("-fx-font-weight: bold;");
        ListView<RecipeStep> stack = new ListView<>(vm.steps());
        stack.setId("edit-stack");
        stack.setPrefHeight(150);
        stack.setMinHeight(110); // three steps stay visible; the panel scrolls instead of squeezing the stack
        stack.setPlaceholder(new Label("No edits yet: run one, or open a recipe"));
        stack.setCellFactory(l -> new EditCell(vm));
        Button saveR = new Button("Save recipe…", new FontIcon(FontAwesomeSolid.SAVE));
        saveR.setId("save-recipe");
        saveR.setOnAction(e -> saveRecipe.run());
        Button openR = new Button("Open recipe…", new FontIcon(FontAwesomeSolid.FOLDER_OPEN));
        openR.setId("open-recipe");
        openR.setOnAction(e -> openRecipe.run());

        VBox.setVgrow(stack, Priority.ALWAYS);
        // the recipe buttons sit in the title row, so a long stack never scrolls them away
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        HBox title = new HBox(6, stackTitle, gap, saveR, openR);
        title.setAlignment(Pos.CENTER_LEFT);
        getChildren().addAll(title, stack);
    }

    /**
     * One edit: on/off, label, strength slider (its range depends on the kind; the stack re-renders when the slider is
     * released — and while it is dragged, the latest position only), remove.
     */
    private static final class EditCell extends ListCell<RecipeStep> {
        private final EditStackViewModel vm;

        EditCell(EditStackViewModel vm) {
            this.vm = vm;
            // a cell as wide as the list, not as its content: the row then shrinks its label instead of scrolling
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(RecipeStep e, boolean empty) {
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
            Label label = new Label(Steps.kind(e) + ": “" + e.label() + "”");
            // the label gives way first (ellipsis), so switch, slider and remove stay visible in a narrow pane
            label.setMaxWidth(160);
            label.setMinWidth(24);
            label.setTooltip(new Tooltip(Steps.describe(e) + (e.metrics().isEmpty() ? ""
                    : "\n" + CompareViewModel.caption(e.metrics()))));
            double[] range = Steps.sliderRange(e);
            Slider strength = new Slider(range[0], range[1], e.strength());
            strength.setTooltip(new Tooltip(Steps.strengthName(e)));
            strength.setPrefWidth(90);
            strength.setMinWidth(50);
            Label value = new Label(String.format(Locale.ROOT, "%.2f", e.strength()));
            strength.valueProperty().addListener((o, a, b) -> {
                value.setText(String.format(Locale.ROOT, "%.2f", b.doubleValue()));
                if (strength.isValueChanging()) vm.previewStrength(index, b.doubleValue());
            });
            strength.valueChangingProperty().addListener((o, was, now) -> {
                if (!now) vm.setStrength(index, strength.getValue());
            });
            strength.setOnMouseReleased(a -> {
                if (Math.abs(strength.getValue() - e.strength()) > 1e-9) vm.setStrength(index, strength.getValue());
            });
            Button remove = new Button(null, new FontIcon(FontAwesomeSolid.TRASH));
            remove.setTooltip(new Tooltip("remove this edit"));
            remove.setOnAction(a -> vm.removeEdit(index));
            remove.setId("remove-edit-" + index);
            remove.setMinWidth(Region.USE_PREF_SIZE);
            on.setMinWidth(Region.USE_PREF_SIZE);
            value.setMinWidth(Region.USE_PREF_SIZE);
            HBox box = new HBox(4, on, label, strength, value, remove);
            box.setAlignment(Pos.CENTER_LEFT);
            HBox.setHgrow(label, Priority.ALWAYS);
            setGraphic(box);
        }
    }
}
