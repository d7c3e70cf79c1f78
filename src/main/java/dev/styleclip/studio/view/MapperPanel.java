package dev.styleclip.studio.view;

import dev.styleclip.studio.service.MapperFolders.MapperInfo;
import dev.styleclip.studio.viewmodel.LiveViewModel;
import dev.styleclip.studio.viewmodel.MapperLibraryViewModel;
import dev.styleclip.studio.viewmodel.MapperRunViewModel;
import dev.styleclip.studio.viewmodel.MapperSettings;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.OverrunStyle;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.Separator;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Mapper tab: prompt and output folder, the training settings (safe ranges, CPU-sized defaults and what they cost here),
 * layer groups, Train / Pause / Cancel, progress with ETA, live loss curves, the latest sample grid; then the trained
 * mappers, "Open mapper…", λ_delta and "Apply to current face". All state lives in the view models: the form's in
 * {@link MapperSettings}, the run's in {@link MapperRunViewModel}, the trained mappers' in {@link MapperLibraryViewModel}.
 */
final class MapperPanel extends VBox {
    static final double SAMPLE_SIZE = 220;

    MapperPanel(MapperSettings settings, MapperRunViewModel run, MapperLibraryViewModel library, Consumer<String> warn,
                Supplier<Path> chooseFolder, Supplier<Path> chooseMapper) {
        super(8);
        setPadding(new Insets(10));
        setMinHeight(Region.USE_PREF_SIZE); // the tab scrolls rather than squeezing the chart, the sample and the list

        TextField prompt = new TextField();
        prompt.setId("mapper-prompt");
        prompt.textProperty().bindBidirectional(settings.promptProperty());
        prompt.promptTextProperty().bind(Bindings.createStringBinding(() -> {
            String p = settings.editPromptProperty().get();
            return p == null || p.isBlank() ? "describe the edit, e.g. “a person with purple hair”" : "the Edit tab's prompt: " + p;
        }, settings.editPromptProperty()));
        prompt.disableProperty().bind(run.runningProperty());

        Label folder = new Label();
        folder.setId("mapper-folder");
        folder.setTextOverrun(OverrunStyle.LEADING_ELLIPSIS);
        folder.setMaxWidth(Double.MAX_VALUE);
        folder.textProperty().bind(settings.folderProperty().map(Path::toString).orElse("—"));
        Tooltip folderTip = new Tooltip();
        folderTip.textProperty().bind(folder.textProperty());
        folder.setTooltip(folderTip);
        HBox.setHgrow(folder, Priority.ALWAYS);
        Button choose = iconButton("mapper-choose-folder", FontAwesomeSolid.FOLDER_OPEN, "Choose the output folder (one holding a checkpoint is resumed)");
        choose.setOnAction(e -> {
            Path p = chooseFolder.get();
            if (p != null) settings.chooseFolder(p);
        });
        Button reset = iconButton("mapper-default-folder", FontAwesomeSolid.UNDO, "Back to the folder named after the prompt");
        reset.setOnAction(e -> settings.useDefaultFolder());
        reset.disableProperty().bind(settings.folderChosenProperty().not().or(run.runningProperty()));
        choose.disableProperty().bind(run.runningProperty());
        Label folderName = new Label("Folder");
        folderName.setMinWidth(Region.USE_PREF_SIZE);
        HBox folderRow = new HBox(6, folderName, folder, choose, reset);
        folderRow.setAlignment(Pos.CENTER_LEFT);

        Label state = new Label();
        state.setId("mapper-state");
        state.setWrapText(true);
        state.setStyle("-fx-text-fill: #1e3a8a;");
        state.textProperty().bind(run.stateProperty());

        VBox numbers = new VBox(4,
                Fx.numberRow("mapper-epochs", settings.epochs(), warn),
                Fx.numberRow("mapper-steps", settings.stepsPerEpoch(), warn),
                Fx.numberRow("mapper-batch", settings.batch(), warn),
                Fx.numberRow("mapper-lr", settings.lr(), warn),
                Fx.numberRow("mapper-l2", settings.lambdaL2(), warn),
                Fx.numberRow("mapper-id", settings.lambdaId(), warn),
                Fx.numberRow("mapper-plateau-factor", settings.plateauFactor(), warn),
                Fx.numberRow("mapper-plateau-patience", settings.plateauPatience(), warn));
        numbers.disableProperty().bind(run.runningProperty());

        HBox groups = new HBox(4, new Label("Groups"),
                EditPanel.toggle("mapper-coarse", "coarse", settings.coarseProperty(), "pose, face shape (first ws)"),
                EditPanel.toggle("mapper-medium", "medium", settings.mediumProperty(), "features, hair style"),
                EditPanel.toggle("mapper-fine", "fine", settings.fineProperty(), "colours, texture (last ws)"));
        groups.setAlignment(Pos.CENTER_LEFT);
        groups.disableProperty().bind(run.runningProperty());

        Label hint = small("mapper-hint");
        hint.textProperty().bind(settings.hintProperty());

        Button train = new Button("Train", new FontIcon(FontAwesomeSolid.PLAY));
        train.setId("mapper-train");
        train.disableProperty().bind(run.runningProperty());
        train.setTooltip(new Tooltip("Train (or resume) the mapper into the folder; a checkpoint is written after every epoch.\n"
                + "One job runs at a time: generating and editing wait while a mapper trains (paused or not)."));
        train.setOnAction(e -> run.train());
        Button pause = new Button("Pause", new FontIcon(FontAwesomeSolid.PAUSE));
        pause.setId("mapper-pause");
        pause.disableProperty().bind(run.runningProperty().not());
        pause.textProperty().bind(Bindings.when(run.pausedProperty()).then("Resume").otherwise("Pause"));
        pause.setOnAction(e -> run.togglePause());
        Button cancel = new Button("Cancel", new FontIcon(FontAwesomeSolid.STOP));
        cancel.setId("mapper-cancel");
        cancel.disableProperty().bind(run.runningProperty().not());
        cancel.setTooltip(new Tooltip("Stop after the current step; the last epoch's checkpoint is kept for a resume"));
        cancel.setOnAction(e -> run.cancel());
        HBox buttons = new HBox(6, train, pause, cancel);

        ProgressBar bar = new ProgressBar();
        bar.setId("mapper-progress");
        bar.setMaxWidth(Double.MAX_VALUE);
        bar.progressProperty().bind(run.progressFractionProperty());
        Label progress = new Label();
        progress.setId("mapper-progress-label");
        progress.textProperty().bind(run.progressProperty());
        Label lr = small("mapper-lr-label");
        lr.textProperty().bind(Bindings.createStringBinding(() -> {
            double v = run.lrProperty().get();
            return (Double.isNaN(v) ? "" : "lr " + settings.lr().format(v) + " · ") + run.epochsDoneProperty().get() + " epochs saved";
        }, run.lrProperty(), run.epochsDoneProperty()));
        Label nets = small("mapper-networks");
        nets.textProperty().bind(run.networksProperty());
        nets.visibleProperty().bind(run.networksProperty().isNotEmpty());
        nets.managedProperty().bind(nets.visibleProperty());

        LineChart<Number, Number> chart = LossChart.create("mapper-loss-chart", LiveViewModel.LOSS_TERMS, run::losses);
        chart.setPrefHeight(210);

        ImageView sample = new ImageView();
        sample.setId("mapper-sample");
        sample.setFitWidth(SAMPLE_SIZE);
        sample.setFitHeight(SAMPLE_SIZE);
        sample.setPreserveRatio(true);
        sample.setSmooth(true);
        sample.imageProperty().bind(run.sampleProperty().map(Fx::image));
        Label sampleTitle = small("mapper-sample-label");
        sampleTitle.setText("Sample after each epoch: faces on top, their edits at λ_delta 0.1 below");
        VBox sampleBox = new VBox(4, sampleTitle, sample);
        sampleBox.visibleProperty().bind(run.sampleProperty().isNotNull());
        sampleBox.managedProperty().bind(sampleBox.visibleProperty());

        ListView<MapperInfo> list = new ListView<>(library.mappers());
        list.setId("mapper-list");
        list.setPrefHeight(110);
        list.setMinHeight(70);
        list.setPlaceholder(new Label("No trained mappers yet: train one, or open one"));
        list.setCellFactory(l -> new ListCell<>() {
            @Override
            protected void updateItem(MapperInfo item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.label());
                setTooltip(empty || item == null ? null : new Tooltip(item.file().toString()));
            }
        });
        list.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
            if (b != null) library.selectedProperty().set(b);
        });
        library.selectedProperty().addListener((o, a, b) -> {
            if (list.getSelectionModel().getSelectedItem() != b) list.getSelectionModel().select(b);
        });
        list.getSelectionModel().select(library.selectedProperty().get());
        Button open = new Button("Open mapper…", new FontIcon(FontAwesomeSolid.FOLDER_OPEN));
        open.setId("mapper-open");
        open.setOnAction(e -> {
            Path p = chooseMapper.get();
            if (p != null) library.open(p);
        });
        Button refresh = iconButton("mapper-refresh", FontAwesomeSolid.SYNC, "Look for trained mappers again in " + settings.mappersRoot());
        refresh.setOnAction(e -> library.refresh());

        Button apply = new Button("Apply to current face", new FontIcon(FontAwesomeSolid.MAGIC));
        apply.setId("mapper-apply");
        apply.disableProperty().bind(library.canApplyProperty().not());
        apply.setOnAction(e -> library.applySelected());
        HBox applyWrap = new HBox(apply);
        Tooltip.install(applyWrap, new Tooltip("w' = w + λ_delta·M(w) on the current face (generate one first)"));

        Label applyTitle = new Label("Trained mappers");
        applyTitle.setStyle("-fx-font-weight: bold;");
        Label trainTitle = new Label("Train a mapper");
        trainTitle.setStyle("-fx-font-weight: bold;");
        getChildren().addAll(trainTitle, new Label("Prompt"), prompt, folderRow, state, numbers, groups, hint, buttons,
                bar, progress, lr, nets, chart, sampleBox, new Separator(), applyTitle, list, new HBox(6, open, refresh),
                Fx.numberRow("trained-mapper-strength", library.strength(), warn), applyWrap);
    }

    private static Button iconButton(String id, FontAwesomeSolid icon, String tip) {
        Button b = new Button(null, new FontIcon(icon));
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    private static Label small(String id) {
        Label l = new Label();
        l.setId(id);
        l.setWrapText(true);
        l.setStyle("-fx-text-fill: #4b5563; -fx-font-size: 11px;");
        return l;
    }
}
