package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.CompareViewModel;
import dev.styleclip.studio.service.EditPort.EditMethod;
import dev.styleclip.studio.viewmodel.EditRunViewModel;
import javafx.beans.value.ObservableObjectValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

/**
 * Bottom: the compare grid for the Edit tab's method (optimisation λ_L2 × λ_ID and prompt variants; mapper λ_delta;
 * global direction β × α and target variants), promote best, export.
 */
final class ComparePanel extends VBox {
    /** A grid cell's picture, in pixels. */
    private static final double CELL = 128;
    private final CompareViewModel c;
    private final EditRunViewModel run;
    private final GridPane grid = new GridPane();

    ComparePanel(CompareViewModel c, EditRunViewModel vm, ObservableObjectValue<EditMethod> method, Runnable exportGrid) {
        super(6);
        this.c = c;
        setPadding(new Insets(8, 10, 8, 10));
        TextField l2 = field("grid-l2", c.l2ValuesProperty(), 10, "λ_L2 values (rows), comma-separated");
        TextField id = field("grid-id", c.idValuesProperty(), 10, "λ_ID values (columns), comma-separated");
        TextField prompts = field("grid-prompts", c.promptVariantsProperty(), 18, "other prompts, separated by |");
        prompts.setPromptText("prompt variants: a | b");
        TextField strengths = field("grid-strengths", c.strengthValuesProperty(), 14, "mapper strengths λ_delta (columns), comma-separated");
        TextField alphas = field("grid-alphas", c.alphaValuesProperty(), 10, "direction strengths α (columns), comma-separated; negative = the other way");
        TextField betas = field("grid-betas", c.betaValuesProperty(), 10, "thresholds β (rows), comma-separated");
        Label l2Label = new Label("Compare  λ_L2"), idLabel = new Label("λ_ID");
        Label strengthLabel = new Label("Compare  λ_delta"), betaLabel = new Label("Compare  β"), alphaLabel = new Label("α");
        javafx.scene.Node[] optimisation = {l2Label, l2, idLabel, id};
        javafx.scene.Node[] mapper = {strengthLabel, strengths};
        javafx.scene.Node[] direction = {betaLabel, betas, alphaLabel, alphas};
        Runnable showMethod = () -> {
            var m = method.get();
            boolean isMapper = m == dev.styleclip.studio.service.EditPort.EditMethod.MAPPER;
            boolean isDirection = m == dev.styleclip.studio.service.EditPort.EditMethod.GLOBAL_DIRECTION;
            for (var n : optimisation) show(n, !isMapper && !isDirection);
            for (var n : mapper) show(n, isMapper);
            for (var n : direction) show(n, isDirection);
            show(prompts, !isMapper);
        };
        method.addListener((o, a, b) -> showMethod.run());
        Button run = new Button("Run grid", new FontIcon(FontAwesomeSolid.TH));
        run.setId("run-grid");
        run.disableProperty().bind(vm.canRunProperty().not().or(c.runningProperty()));
        HBox runWrap = new HBox(run);
        Tooltip.install(runWrap, new Tooltip("Queues one edit per cell on the compute thread, for the Edit tab's method"));
        run.setOnAction(e -> vm.runCompare());
        Button promote = new Button("Promote", new FontIcon(FontAwesomeSolid.ARROW_UP));
        promote.setId("promote-best");
        promote.setTooltip(new Tooltip("adds the clicked cell's edit to the stack (double-click a cell does the same); "
                + "with none clicked, the cell with the highest CLIP score + ID similarity"));
        promote.setOnAction(e -> vm.promote());
        this.run = vm;
        Button export = new Button("Export grid…", new FontIcon(FontAwesomeSolid.FILE_IMAGE));
        export.setId("export-grid");
        export.setOnAction(e -> exportGrid.run());
        HBox bar = new HBox(6, l2Label, l2, idLabel, id, strengthLabel, strengths, betaLabel, betas, alphaLabel, alphas,
                prompts, runWrap, promote, export);
        showMethod.run();
        bar.setAlignment(Pos.CENTER_LEFT);
        grid.setId("compare-grid");
        grid.setHgap(8);
        grid.setVgap(4);
        c.cells().addListener((ListChangeListener<CompareViewModel.Cell>) ch -> rebuild());
        ScrollPane scroll = new ScrollPane(grid);
        scroll.setFitToHeight(true);
        scroll.setPrefHeight(230);
        VBox.setVgrow(scroll, javafx.scene.layout.Priority.ALWAYS); // the grid takes the room the divider gives the panel
        rebuild();
        getChildren().addAll(bar, scroll);
    }

    private static void show(javafx.scene.Node n, boolean on) {
        n.setVisible(on);
        n.setManaged(on);
    }

    private static TextField field(String id, javafx.beans.property.StringProperty p, int cols, String tip) {
        TextField f = new TextField();
        f.setId(id);
        f.textProperty().bindBidirectional(p);
        f.setPrefColumnCount(cols);
        f.setTooltip(new Tooltip(tip));
        return f;
    }

    private void rebuild() {
        grid.getChildren().clear();
        if (c.cells().isEmpty()) {
            grid.add(new Label("Runs of the current edit fill in here — optimisation: λ_L2 (rows) × λ_ID (columns); mapper: "
                    + "λ_delta; global direction: β (rows) × α (columns) — each with its CLIP score, ID similarity and LPIPS."), 0, 0);
            return;
        }
        var cols = c.colLabels();
        for (int i = 0; i < cols.size(); i++) grid.add(new Label(cols.get(i)), i + 1, 0);
        var rows = c.rowLabels();
        for (int i = 0; i < rows.size(); i++) grid.add(new Label(rows.get(i)), 0, i + 1);
        for (CompareViewModel.Cell cell : c.cells()) {
            ImageView v = new ImageView();
            v.setFitWidth(CELL);
            v.setFitHeight(CELL);
            v.setPreserveRatio(true);
            v.imageProperty().bind(cell.imageProperty().map(Fx::image));
            Label state = new Label();
            state.textProperty().bind(cell.stateProperty());
            Label cap = new Label();
            cap.textProperty().bind(cell.captionProperty());
            cap.setStyle("-fx-font-size: 10px;");
            VBox box = new VBox(2, v, state, cap);
            box.getStyleClass().add("grid-cell");
            box.setId("grid-cell-" + cell.row + "-" + cell.col);
            // click: shown large beside the source; double-click: promoted to the stack
            box.setOnMouseClicked(e -> {
                c.selectedProperty().set(cell);
                if (e.getClickCount() == 2) run.promote();
            });
            box.styleProperty().bind(javafx.beans.binding.Bindings.when(c.selectedProperty().isEqualTo(cell))
                    .then("-fx-border-color: #2563eb; -fx-border-width: 2;").otherwise("-fx-border-color: transparent; -fx-border-width: 2;"));
            grid.add(box, cell.col + 1, cell.row + 1);
        }
    }
}
