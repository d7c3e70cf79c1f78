package dev.styleclip.studio.view;

import dev.styleclip.runtime.MemoryBudget;
import dev.styleclip.studio.viewmodel.StudioViewModel;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;

/**
 * The memory budget setting (Models tab): the most memory a job may plan for ("auto": a safe share of what is free);
 * every job picks the fastest memory plan within it and is refused up front when none fits. Remembered.
 */
final class MemoryBudgetRow extends HBox {
    MemoryBudgetRow(StudioViewModel vm) {
        super(6);
        setAlignment(Pos.CENTER_LEFT);
        TextField field = new TextField(text(vm.memoryBudgetProperty().get()));
        field.setId("memory-budget");
        field.setPrefColumnCount(7);
        field.setPromptText("auto");
        field.setTooltip(new Tooltip("the most memory a job may use, e.g. 6G or 900M; empty or auto: a safe share of what "
                + "is free. Jobs choose the fastest plan that fits and are refused before they start when none does."));
        Button apply = new Button("Set");
        apply.setId("memory-budget-set");
        Runnable set = () -> {
            if (!vm.setMemoryBudget(field.getText())) field.setText(text(vm.memoryBudgetProperty().get()));
        };
        field.setOnAction(e -> set.run());
        apply.setOnAction(e -> set.run());
        vm.memoryBudgetProperty().addListener((o, a, b) -> field.setText(text(b.longValue())));
        getChildren().addAll(new Label("Memory budget"), field, apply);
    }

    private static String text(long bytes) {
        return bytes <= 0 ? "auto" : MemoryBudget.format(bytes).replace(" GiB", "G").replace(" MiB", "M");
    }
}
