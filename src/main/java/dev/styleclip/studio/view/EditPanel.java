package dev.styleclip.studio.view;

import dev.styleclip.studio.service.EditPort.EditMethod;
import dev.styleclip.studio.viewmodel.EditSettings;
import dev.styleclip.studio.viewmodel.DirectionsViewModel;
import dev.styleclip.studio.viewmodel.EditRunViewModel;
import dev.styleclip.studio.viewmodel.EditStackViewModel;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Separator;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Edit tab: prompt with history, method and its settings (optimisation: λ / lr / steps / schedule / layer groups /
 * face regions;
 * mapper: file and λ_delta; global direction: neutral text, α, β and the channel-effect preparation), Run / Pause /
 * Cancel, the edit stack.
 */
final class EditPanel extends VBox {

    EditPanel(EditSettings s, DirectionsViewModel directions, EditRunViewModel vm, EditStackViewModel stackVm,
              Consumer<String> warn, Runnable saveRecipe, Runnable openRecipe, Supplier<Path> chooseMapper,
              Supplier<Path> chooseDirectionsFolder) {
        super(8);
        setPadding(new Insets(10));
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
                setText(empty || m == null ? null : m.label());
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

        VBox numbers = new VBox(4,
                Fx.numberRow("lambda-l2", s.lambdaL2(), warn),
                Fx.numberRow("lambda-id", s.lambdaId(), warn),
                Fx.numberRow("lr", s.lr(), warn),
                Fx.numberRow("steps", s.steps(), warn));
        VBox optimisation = new VBox(8, numbers, new HBox(6, new Label("Schedule"), schedule) {{
            setAlignment(Pos.CENTER_LEFT);
        }}, layers, regions(s, warn));
        optimisation.setId("optimisation-settings");

        // ---- latent mapper: file + λ_delta
        Label mapperName = new Label();
        mapperName.setId("mapper-file");
        mapperName.setWrapText(true);
        mapperName.textProperty().bind(s.mapperFileProperty().map(f -> {
            String p = EditRunViewModel.mapperPrompt(f);
            return (p != null ? "“" + p + "” — " : "") + f.getFileName();
        }).orElse("no mapper chosen: train one in the Mapper tab, or open one"));
        Button openMapper = new Button("Open mapper…", new FontIcon(FontAwesomeSolid.FOLDER_OPEN));
        openMapper.setId("open-mapper");
        openMapper.setOnAction(e -> {
            Path f = chooseMapper.get();
            if (f != null) s.mapperFileProperty().set(f);
        });
        VBox mapper = new VBox(6, mapperName, openMapper, Fx.numberRow("mapper-strength", s.mapperStrength(), warn),
                hint("Run adds the mapper to the stack at this λ_delta (ŵ = w + λ_delta·M(w); trained with 0.1); its "
                        + "slider in the stack changes it afterwards."));
        mapper.setId("mapper-settings");

        // ---- global direction: neutral, α, β, preparation
        TextField neutral = new TextField();
        neutral.setId("neutral");
        neutral.textProperty().bindBidirectional(s.neutralProperty());
        neutral.setPromptText("a face");
        Label prepared = new Label();
        prepared.setId("directions-status");
        prepared.setWrapText(true);
        prepared.textProperty().bind(directions.infoProperty().map(i -> i.description()).orElse("channel effects: unknown"));
        Label progress = new Label();
        progress.setId("directions-progress");
        progress.setWrapText(true);
        progress.textProperty().bind(directions.progressProperty());
        Button prepare = new Button("Prepare", new FontIcon(FontAwesomeSolid.COGS));
        prepare.setId("prepare-directions");
        prepare.disableProperty().bind(directions.preparingProperty());
        prepare.setTooltip(new Tooltip("Measure how every style channel moves CLIP's image embedding over the faces below: "
                + "long (hours for 1024² generators on a CPU), cached per generator + CLIP, resumes after a cancel"));
        prepare.setOnAction(e -> directions.prepare());
        Button importD = new Button("Import…", new FontIcon(FontAwesomeSolid.FILE_IMPORT));
        importD.setId("import-directions");
        importD.disableProperty().bind(directions.preparingProperty());
        importD.setTooltip(new Tooltip("A folder with stylegan3-editing's delta_i_c.npy, s_mean.npy and s_std.npy for this generator"));
        importD.setOnAction(e -> {
            Path d = chooseDirectionsFolder.get();
            if (d != null) directions.importFrom(d);
        });
        ComboBox<dev.styleclip.edit.directions.Precision> precision = new ComboBox<>();
        precision.setId("directions-precision");
        precision.getItems().setAll(dev.styleclip.edit.directions.Precision.values());
        precision.valueProperty().bindBidirectional(directions.precisionProperty());
        precision.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(dev.styleclip.edit.directions.Precision p) {
                return p == null ? "" : p == dev.styleclip.edit.directions.Precision.FLOAT64 ? "float64 (exact)" : "float32 (≈ 2× faster)";
            }

            @Override
            public dev.styleclip.edit.directions.Precision fromString(String t) {
                return null;
            }
        });
        precision.setTooltip(new Tooltip("float64 matches the reference's channel effects to the last digits the golden tests "
                + "check; float32 is about twice as fast and loses digits on channels that barely move CLIP"));
        precision.disableProperty().bind(directions.preparingProperty());
        Button stopD = new Button(null, new FontIcon(FontAwesomeSolid.STOP));
        stopD.setId("cancel-directions");
        stopD.setTooltip(new Tooltip("stop (Prepare again resumes)"));
        stopD.disableProperty().bind(directions.preparingProperty().not());
        stopD.setOnAction(e -> directions.cancel());
        VBox direction = new VBox(6, new HBox(6, new Label("Neutral"), neutral) {{
            setAlignment(Pos.CENTER_LEFT);
            HBox.setHgrow(neutral, Priority.ALWAYS);
        }}, hint("The prompt above is the target: the edit moves from the neutral text towards it."),
                Fx.numberRow("alpha", s.alpha(), warn), Fx.numberRow("beta", s.beta(), warn),
                hint("α: strength (its sign is the direction); β: channels whose relevance is below β stay untouched "
                        + "(higher = more disentangled, fewer channels)."),
                prepared, Fx.numberRow("directions-images", directions.images(), warn),
                new HBox(6, new Label("Arithmetic"), precision) {{
                    setAlignment(Pos.CENTER_LEFT);
                }},
                new HBox(6, prepare, importD, stopD), progress);
        direction.setId("direction-settings");
        directions.refresh();

        Runnable showMethod = () -> {
            EditMethod m = s.methodProperty().get();
            show(optimisation, m == EditMethod.OPTIMIZE_W || m == EditMethod.OPTIMIZE_Z);
            show(mapper, m == EditMethod.MAPPER);
            show(direction, m == EditMethod.GLOBAL_DIRECTION);
        };
        s.methodProperty().addListener((o, a, b) -> showMethod.run());
        showMethod.run();

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
        cancel.disableProperty().bind(vm.cancellableProperty().not());
        cancel.setOnAction(e -> vm.cancel());
        HBox buttons = new HBox(6, runWrap, pause, cancel);
        Label estimate = new Label();
        estimate.setId("run-estimate");
        estimate.setWrapText(true);
        estimate.setStyle("-fx-text-fill: #4b5563; -fx-font-size: 11px;");
        estimate.textProperty().bind(vm.runEstimateProperty());
        estimate.setTooltip(new Tooltip("the memory plan a run would get now, and the budget (Models tab)"));

        EditStackPanel stack = new EditStackPanel(stackVm, saveRecipe, openRecipe);
        VBox.setVgrow(stack, Priority.ALWAYS);
        getChildren().addAll(new Label("Prompt"), prompt, new Label("Method"), method, optimisation, mapper, direction,
                buttons, estimate, new Separator(), stack);
    }

    /**
     * The face regions an optimisation may change: whole face / edit only / keep, the six regions, their edge's grow
     * and feather (percent of the picture's side) and λ_keep; for the whole face only the mode row shows.
     */
    private static VBox regions(EditSettings s, Consumer<String> warn) {
        ToggleGroup modes = new ToggleGroup();
        HBox modeRow = new HBox(4, new Label("Regions"));
        modeRow.setAlignment(Pos.CENTER_LEFT);
        for (EditSettings.RegionMode m : EditSettings.RegionMode.values()) {
            ToggleButton b = new ToggleButton(m.label());
            b.setId("region-mode-" + m.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            b.setUserData(m);
            b.setToggleGroup(modes);
            b.setSelected(s.regionModeProperty().get() == m);
            modeRow.getChildren().add(b);
        }
        // a toggle group cannot be bound: it follows the setting and sets it, and one mode always stays pressed
        modes.selectedToggleProperty().addListener((o, a, b) -> {
            if (b == null) a.setSelected(true);
            else s.regionModeProperty().set((EditSettings.RegionMode) b.getUserData());
        });
        s.regionModeProperty().addListener((o, a, b) -> modes.getToggles().forEach(t -> t.setSelected(t.getUserData() == b)));
        FlowPane checks = new FlowPane(8, 4);
        for (String r : EditSettings.regionNames()) {
            CheckBox c = new CheckBox(r);
            c.setId("region-" + r);
            c.selectedProperty().bindBidirectional(s.regionProperty(r));
            checks.getChildren().add(c);
        }
        VBox details = new VBox(4, checks, Fx.numberRow("region-grow", s.regionGrow(), warn),
                Fx.numberRow("region-feather", s.regionFeather(), warn), Fx.numberRow("lambda-keep", s.lambdaKeep(), warn),
                hint("Edit only: the ticked regions may change, the rest is held (λ_keep: L2 + LPIPS outside them). Keep: "
                        + "the ticked regions are held. Grow / feather: the regions' edge, % of the picture. Ctrl+R shows them."));
        details.setId("region-details");
        details.visibleProperty().bind(s.regionModeProperty().isNotEqualTo(EditSettings.RegionMode.WHOLE_FACE));
        details.managedProperty().bind(details.visibleProperty());
        VBox box = new VBox(6, modeRow, details);
        box.setId("region-settings");
        return box;
    }

    private static void show(javafx.scene.Node n, boolean on) {
        n.setVisible(on);
        n.setManaged(on);
    }

    private static Label hint(String text) {
        Label l = new Label(text);
        l.setWrapText(true);
        l.setStyle("-fx-text-fill: #4b5563; -fx-font-size: 11px;");
        return l;
    }

    static ToggleButton toggle(String id, String text, javafx.beans.property.BooleanProperty p, String tip) {
        ToggleButton t = new ToggleButton(text);
        t.setId(id);
        t.selectedProperty().bindBidirectional(p);
        t.setTooltip(new Tooltip(tip));
        return t;
    }
}
