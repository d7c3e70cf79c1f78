package dev.styleclip.studio.view;

import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.studio.viewmodel.SourceViewModel;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import dev.styleclip.edit.PhotoInversion;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.Separator;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.io.File;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Source tab: generate from a seed (ψ, translate, rotate) or import a photo, pick a face or click points, align. */
final class SourcePanel extends VBox {

    SourcePanel(SourceViewModel vm, Consumer<String> warn, Supplier<Path> choosePhoto, Supplier<Path> chooseLatent) {
        super(8);
        setPadding(new Insets(10));
        // the installed pickles and the demo networks of the published architectures (remembered)
        javafx.scene.control.ComboBox<GeneratorSource> genChoice = new javafx.scene.control.ComboBox<>();
        genChoice.setId("generator-choice");
        genChoice.setMaxWidth(Double.MAX_VALUE);
        genChoice.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(GeneratorSource g) {
                if (g == null) return "";
                return g.isDemo() ? "demo network " + g.demo() + " (random weights)" : g.file().getFileName().toString();
            }

            @Override
            public GeneratorSource fromString(String s) {
                return null;
            }
        });
        boolean[] filling = {false};
        Runnable fillChoice = () -> {
            filling[0] = true;
            genChoice.getItems().setAll(vm.generators());
            genChoice.setValue(vm.generator());
            filling[0] = false;
        };
        fillChoice.run();
        vm.generatorLabelProperty().addListener((o, a, b) -> fillChoice.run());
        genChoice.setOnAction(e -> {
            if (!filling[0] && genChoice.getValue() != null) vm.chooseGenerator(genChoice.getValue());
        });
        genChoice.setTooltip(new Tooltip("the generator of new faces (remembered); the demo networks have random weights "
                + "in NVIDIA's published architectures: patterns, not faces, at the real sizes"));
        Label genLabel = new Label("Generator");
        genLabel.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE); // the choice's long names must not squeeze it to "…"
        HBox genRow = new HBox(6, genLabel, genChoice);
        genRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(genChoice, Priority.ALWAYS);

        TextField seed = new TextField(Long.toString(vm.seedProperty().get()));
        seed.setId("seed-field");
        seed.setPrefColumnCount(9);
        vm.seedProperty().addListener((o, a, b) -> seed.setText(Long.toString(b.longValue())));
        seed.setOnAction(e -> {
            if (vm.setSeedText(seed.getText())) vm.generate();
        });
        Button prev = iconButton("seed-prev", FontAwesomeSolid.CHEVRON_LEFT, "previous seed", vm::previousSeed);
        Button next = iconButton("seed-next", FontAwesomeSolid.CHEVRON_RIGHT, "next seed", vm::nextSeed);
        Button random = iconButton("seed-random", FontAwesomeSolid.DICE, "random seed", vm::randomSeed);
        HBox seedRow = new HBox(4, new Label("Seed"), seed, prev, next, random);
        seedRow.setAlignment(Pos.CENTER_LEFT);

        Button generate = new Button("Generate", new FontIcon(FontAwesomeSolid.MAGIC));
        generate.setId("generate");
        generate.setDefaultButton(false);
        generate.setMaxWidth(Double.MAX_VALUE);
        generate.setOnAction(e -> {
            if (vm.setSeedText(seed.getText())) vm.generate();
        });

        Button openLatent = new Button("Open latent…", new FontIcon(FontAwesomeSolid.FILE_CODE));
        openLatent.setId("open-latent");
        openLatent.setTooltip(new Tooltip("a W+ latent (.npz) written by Export latent or ./styleclip edit"));
        openLatent.setOnAction(e -> {
            Path p = chooseLatent.get();
            if (p != null) vm.importLatent(p);
        });
        HBox genButtons = new HBox(6, generate, openLatent);
        HBox.setHgrow(generate, Priority.ALWAYS);
        VBox seedBox = new VBox(6, new Label("From a seed") {{
            setStyle("-fx-font-weight: bold;");
        }}, genRow, seedRow,
                Fx.slider("psi-slider", "ψ (trunc.)", vm.psiProperty(), 0, 1.2, "%.2f"),
                Fx.slider("translate-x", "translate x", vm.translateXProperty(), -0.5, 0.5, "%.2f"),
                Fx.slider("translate-y", "translate y", vm.translateYProperty(), -0.5, 0.5, "%.2f"),
                Fx.slider("rotate", "rotate °", vm.rotateProperty(), -180, 180, "%.0f"),
                genButtons);

        Button importPhoto = new Button("Import photo…", new FontIcon(FontAwesomeSolid.FOLDER_OPEN));
        importPhoto.setId("import-photo");
        importPhoto.setOnAction(e -> {
            Path p = choosePhoto.get();
            if (p != null) vm.importPhoto(p);
        });
        Label drop = new Label("…or drop a photo here");
        drop.setId("photo-drop");
        drop.setMaxWidth(Double.MAX_VALUE);
        drop.setAlignment(Pos.CENTER);
        drop.setStyle("-fx-border-color: #9ca3af; -fx-border-style: dashed; -fx-padding: 14; -fx-text-fill: #4b5563;");
        Label faces = new Label();
        faces.setId("faces-label");
        faces.setWrapText(true);
        Runnable updateFaces = () -> {
            var p = vm.photoProperty().get();
            if (p == null) faces.setText("No photo. Faces found are outlined with their scores; click one to pick it. "
                    + "If detection fails, click the left eye, right eye, left and right mouth corners.");
            else faces.setText(p.faces().size() + " face(s) found" + (vm.selectedFaceProperty().get() >= 0
                    ? ", face " + (vm.selectedFaceProperty().get() + 1) + " picked" : "")
                    + "; points clicked: " + vm.clickedPoints().size() + "/4");
        };
        vm.photoProperty().addListener((o, a, b) -> updateFaces.run());
        vm.selectedFaceProperty().addListener((o, a, b) -> updateFaces.run());
        vm.clickedPoints().addListener((javafx.collections.ListChangeListener<double[]>) c -> updateFaces.run());
        updateFaces.run();
        Button align = new Button("Align", new FontIcon(FontAwesomeSolid.CROP_ALT));
        align.setId("align");
        align.disableProperty().bind(vm.photoProperty().isNull());
        align.setOnAction(e -> vm.align());
        Button invert = new Button("Invert", new FontIcon(FontAwesomeSolid.EXCHANGE_ALT));
        invert.setId("invert");
        invert.disableProperty().bind(vm.canInvertProperty().not());
        invert.setTooltip(new Tooltip("Align the picked face and find its latent (live frames; Esc cancels); the "
                + "reconstruction becomes the face to edit"));
        invert.setOnAction(e -> vm.invert());
        Button cancelInvert = new Button("Cancel", new FontIcon(FontAwesomeSolid.STOP));
        cancelInvert.setId("invert-cancel");
        cancelInvert.disableProperty().bind(vm.invertingProperty().not());
        cancelInvert.setTooltip(new Tooltip("stop the inversion (Esc); the face stays as it was"));
        cancelInvert.setOnAction(e -> vm.cancelInversion());
        HBox photoButtons = new HBox(6, align, invert, cancelInvert);
        ComboBox<PhotoInversion.Method> method = new ComboBox<>();
        method.setId("invert-method");
        method.getItems().setAll(PhotoInversion.Method.values());
        method.valueProperty().bindBidirectional(vm.invertMethodProperty());
        method.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(PhotoInversion.Method m) {
                return m == null ? "" : m.label() + (m != PhotoInversion.Method.PROJECTION && !vm.encoderAvailable() ? " (not installed)" : "");
            }

            @Override
            public PhotoInversion.Method fromString(String s) {
                return null;
            }
        });
        method.setTooltip(new Tooltip("encoder: a ReStyle pSp / e4e network, seconds; projection: optimises w against "
                + "LPIPS, minutes; both: the encoder's latent refined by a short projection"));
        HBox methodRow = new HBox(6, new Label("Inversion"), method);
        methodRow.setAlignment(Pos.CENTER_LEFT);
        Label report = new Label();
        report.setId("inversion-report");
        report.setWrapText(true);
        report.textProperty().bind(vm.inversionReportProperty());
        VBox photoBox = new VBox(6, new Label("From a photo") {{
            setStyle("-fx-font-weight: bold;");
        }}, importPhoto, drop, faces, methodRow,
                Fx.numberRow("invert-steps", vm.invertSteps(), warn),
                photoButtons, report);

        setOnDragOver(e -> {
            if (e.getDragboard().hasFiles()) e.acceptTransferModes(TransferMode.COPY);
            e.consume();
        });
        setOnDragDropped(e -> {
            boolean ok = false;
            if (e.getDragboard().hasFiles() && !e.getDragboard().getFiles().isEmpty()) {
                File f = e.getDragboard().getFiles().get(0);
                vm.importPhoto(f.toPath());
                ok = true;
            }
            e.setDropCompleted(ok);
            e.consume();
        });
        VBox.setVgrow(photoBox, Priority.ALWAYS);
        getChildren().addAll(seedBox, new Separator(), photoBox);
    }

    static Button iconButton(String id, FontAwesomeSolid icon, String tip, Runnable action) {
        Button b = new Button(null, new FontIcon(icon));
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.setOnAction(e -> action.run());
        return b;
    }
}
