package dev.styleclip.studio.view;

import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.SourcePort.FaceBox;
import dev.styleclip.studio.service.SourcePort.PhotoFaces;
import dev.styleclip.studio.viewmodel.LiveViewModel;
import dev.styleclip.studio.viewmodel.SourceViewModel;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.image.ImageView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Pane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import javafx.scene.shape.Circle;
import javafx.scene.shape.Rectangle;
import javafx.scene.text.Text;
import org.kordamp.ikonli.fontawesome5.FontAwesomeSolid;
import org.kordamp.ikonli.javafx.FontIcon;

import java.util.Locale;

/**
 * Centre: before and current side by side (Compare turns the current one into a before / after wipe), step counter,
 * CLIP score / ID similarity, live loss curves.
 */
final class LivePanel extends VBox {
    /** The previews' smallest and largest side; between them they follow the space the window gives. */
    static final double MIN_VIEW = 240, MAX_VIEW = 1024;
    private final javafx.beans.property.DoubleProperty view = new javafx.beans.property.SimpleDoubleProperty(this, "view", 300);
    private final LiveViewModel live;
    private final SourceViewModel vm;
    private final ImageView before = new ImageView();
    private final Pane overlay = new Pane();
    private StackPane beforeFrame;

    LivePanel(LiveViewModel live, SourceViewModel vm) {
        super(8);
        this.vm = vm;
        this.live = live;
        setPadding(new Insets(10));
        before.setId("before-image");
        ImageView current = new ImageView();
        current.setId("current-image");
        for (ImageView v : new ImageView[]{before, current}) {
            v.setPreserveRatio(true);
            v.setSmooth(true);
        }
        // the current picture as a wipe over the before one: the same pictures, the state in the view model
        BeforeAfterView compare = new BeforeAfterView("compare-view", true);
        compare.beforeImageProperty().bind(before.imageProperty());
        compare.afterImageProperty().bind(current.imageProperty());
        compare.afterTextProperty().set("current");
        compare.dividerProperty().bindBidirectional(live.dividerProperty());
        compare.visibleProperty().bind(live.comparingProperty());
        current.visibleProperty().bind(live.comparingProperty().not());
        live.comparingProperty().addListener((o, a, b) -> {
            if (b) compare.requestFocus(); // ← / → move the divider at once
        });
        // double-click: the picture at full detail, with zoom and pan (the current one with its comparison)
        before.setOnMouseClicked(e -> {
            if (e.getClickCount() == 2 && before.getImage() != null) {
                ImageViewer.open(getScene().getWindow(), before.getImage(), live.beforeLabelProperty().get());
                e.consume();
            }
        });
        for (javafx.scene.Node n : new javafx.scene.Node[]{current, compare}) {
            n.setOnMouseClicked(e -> {
                if (e.getClickCount() == 2 && current.getImage() != null) {
                    ImageViewer.open(getScene().getWindow(), current.getImage(), before.getImage(), live.currentLabelProperty().get(), live);
                    e.consume();
                }
            });
        }
        // two previews side by side in the width the split pane gives, leaving the height the labels, the scores
        // and the loss chart's minimum need
        view.bind(javafx.beans.binding.Bindings.createDoubleBinding(() -> Math.max(MIN_VIEW, Math.min(MAX_VIEW,
                Math.min((getWidth() - 2 * 10 - 12) / 2 - 8, getHeight() - 260))), widthProperty(), heightProperty()));

        live.beforeProperty().addListener((o, a, b) -> {
            before.setImage(Fx.image(b));
            drawOverlay();
        });
        live.currentProperty().addListener((o, a, b) -> current.setImage(Fx.image(b)));
        before.setImage(Fx.image(live.beforeProperty().get()));
        current.setImage(Fx.image(live.currentProperty().get()));
        vm.photoProperty().addListener((o, a, b) -> drawOverlay());
        vm.selectedFaceProperty().addListener((o, a, b) -> drawOverlay());
        vm.clickedPoints().addListener((ListChangeListener<double[]>) c -> drawOverlay());
        overlay.setPickOnBounds(true);
        overlay.setOnMouseClicked(e -> click(e.getX(), e.getY()));
        // the chosen face regions tinted over the before picture (View ▸ Region overlay)
        ImageView regions = new ImageView();
        regions.setId("region-overlay-image");
        regions.setPreserveRatio(true);
        regions.setMouseTransparent(true);
        regions.imageProperty().bind(live.regionOverlayProperty().map(Fx::image));
        regions.visibleProperty().bind(live.regionOverlayShownProperty().and(live.regionOverlayProperty().isNotNull()));
        beforeFrame = frame(new StackPane(before, regions, overlay));
        StackPane currentStack = frame(new StackPane(current, compare));
        // a picture as large as the frame the layout gave (never drawn past it, over its caption)
        fit(before, beforeFrame);
        fit(regions, beforeFrame);
        fit(current, currentStack);
        compare.fitWidthProperty().bind(current.fitWidthProperty());
        compare.fitHeightProperty().bind(current.fitHeightProperty());
        beforeFrame.widthProperty().addListener((o, a, b) -> drawOverlay());
        beforeFrame.heightProperty().addListener((o, a, b) -> drawOverlay());
        Label bl = new Label();
        bl.setId("before-label");
        bl.textProperty().bind(live.beforeLabelProperty());
        Label cl = new Label();
        cl.setId("current-label");
        cl.textProperty().bind(live.currentLabelProperty());
        bl.maxWidthProperty().bind(view);
        cl.maxWidthProperty().bind(view);
        for (Label l : new Label[]{bl, cl}) {
            // a caption longer than the picture is wide wraps instead of ending in "…", and is never squeezed under it
            l.setWrapText(true);
            l.setMinHeight(javafx.scene.layout.Region.USE_PREF_SIZE);
        }
        HBox images = new HBox(12, new VBox(4, bl, beforeFrame), new VBox(4, cl, currentStack));
        images.setAlignment(Pos.CENTER);

        Label step = new Label();
        step.setId("step-label");
        step.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> "step " + live.stepProperty().get() + " / " + live.totalProperty().get()
                        + (live.timingProperty().get().isEmpty() ? "" : " · " + live.timingProperty().get()),
                live.stepProperty(), live.totalProperty(), live.timingProperty()));
        Label scores = new Label();
        scores.setId("scores-label");
        scores.textProperty().bind(javafx.beans.binding.Bindings.createStringBinding(
                () -> "CLIP score " + fmt(live.clipScoreProperty().get()) + "    identity similarity " + fmt(live.idSimilarityProperty().get()),
                live.clipScoreProperty(), live.idSimilarityProperty()));
        ToggleButton compareToggle = new ToggleButton("Compare", new FontIcon(FontAwesomeSolid.COLUMNS));
        compareToggle.setId("compare-toggle");
        compareToggle.selectedProperty().bindBidirectional(live.comparingProperty());
        compareToggle.disableProperty().bind(live.canCompareProperty().not());
        compareToggle.setTooltip(new Tooltip("Before / after: the current picture over the before one, cut at a divider "
                + "to drag (or ← / →) — the \\ key"));
        HBox info = new HBox(24, compareToggle, step, scores);
        info.setAlignment(Pos.CENTER);
        Label faces = new Label();
        faces.setId("face-check");
        faces.setWrapText(true);
        faces.setStyle("-fx-text-fill: #374151; -fx-font-size: 11px;");
        faces.textProperty().bind(live.faceCheckProperty());
        faces.visibleProperty().bind(live.faceCheckProperty().isNotEmpty());
        faces.managedProperty().bind(faces.visibleProperty());
        faces.setMaxWidth(Double.MAX_VALUE);
        faces.setAlignment(Pos.CENTER);

        Label regionNote = new Label();
        regionNote.setId("region-note");
        regionNote.setWrapText(true);
        regionNote.setStyle("-fx-text-fill: #374151; -fx-font-size: 11px;");
        regionNote.textProperty().bind(live.regionNoteProperty());
        regionNote.visibleProperty().bind(live.regionNoteProperty().isNotEmpty());
        regionNote.managedProperty().bind(regionNote.visibleProperty());
        regionNote.setMaxWidth(Double.MAX_VALUE);
        regionNote.setAlignment(Pos.CENTER);

        LineChart<Number, Number> chart = LossChart.create("loss-chart", LiveViewModel.LOSS_TERMS, live::losses);
        chart.setPrefHeight(220);
        chart.setMinHeight(140);
        VBox.setVgrow(chart, Priority.ALWAYS);
        getChildren().addAll(images, info, faces, regionNote, chart);
    }

    private static void fit(ImageView v, StackPane frame) {
        var side = javafx.beans.binding.Bindings.min(frame.widthProperty(), frame.heightProperty());
        v.fitWidthProperty().bind(side);
        v.fitHeightProperty().bind(side);
    }

    private StackPane frame(StackPane p) {
        // the minimum stays fixed: a minimum that followed the width would keep the split pane from shrinking it
        p.setMinSize(MIN_VIEW, MIN_VIEW);
        p.prefWidthProperty().bind(view);
        p.prefHeightProperty().bind(view);
        p.maxWidthProperty().bind(view);
        p.maxHeightProperty().bind(view);
        p.setStyle("-fx-background-color: #1f2937; -fx-background-radius: 4;");
        return p;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.3f", v);
    }

    private double scale() {
        Pixels p = live.beforeProperty().get();
        double side = Math.min(beforeFrame.getWidth(), beforeFrame.getHeight());
        return p == null || side <= 0 ? 1 : Math.min(side / p.width(), side / p.height());
    }

    private double[] offset() {
        Pixels p = live.beforeProperty().get();
        double s = scale();
        return p == null ? new double[]{0, 0}
                : new double[]{(beforeFrame.getWidth() - p.width() * s) / 2, (beforeFrame.getHeight() - p.height() * s) / 2};
    }

    /** Face boxes with scores (the picked one highlighted) and the clicked points, over the photo. */
    private void drawOverlay() {
        overlay.getChildren().clear();
        PhotoFaces photo = vm.photoProperty().get();
        if (photo == null || live.beforeProperty().get() != photo.photo()) return;
        double s = scale();
        double[] o = offset();
        for (int i = 0; i < photo.faces().size(); i++) {
            FaceBox f = photo.faces().get(i);
            Rectangle r = new Rectangle(o[0] + f.x() * s, o[1] + f.y() * s, f.width() * s, f.height() * s);
            r.setFill(Color.TRANSPARENT);
            boolean picked = vm.selectedFaceProperty().get() == i;
            r.setStroke(picked ? Color.LIMEGREEN : Color.YELLOW);
            r.setStrokeWidth(picked ? 3 : 1.5);
            Text t = new Text(r.getX() + 2, Math.max(12, r.getY() - 3), String.format(Locale.ROOT, "%d: %.2f", i + 1, f.score()));
            t.setFill(picked ? Color.LIMEGREEN : Color.YELLOW);
            overlay.getChildren().addAll(r, t);
            // the 68 landmarks the alignment is computed from, so a bad detection shows before Align
            for (double[] l : f.landmarks()) {
                Circle dot = new Circle(o[0] + l[0] * s, o[1] + l[1] * s, picked ? 1.8 : 1.2, picked ? Color.LIMEGREEN : Color.YELLOW);
                dot.getStyleClass().add("landmark");
                overlay.getChildren().add(dot);
            }
        }
        int k = 0;
        for (double[] p : vm.clickedPoints()) {
            Circle c = new Circle(o[0] + p[0] * s, o[1] + p[1] * s, 4, Color.DEEPSKYBLUE);
            Text t = new Text(c.getCenterX() + 6, c.getCenterY() - 4, SourceViewModel.pointName(k++));
            t.setFill(Color.DEEPSKYBLUE);
            overlay.getChildren().addAll(c, t);
        }
        if (photo.faces().isEmpty() && vm.clickedPoints().size() < 4) {
            Text t = new Text(8, beforeFrame.getHeight() - 10, "click the " + SourceViewModel.pointName(vm.clickedPoints().size()));
            t.setFill(Color.WHITE);
            overlay.getChildren().add(t);
        }
    }

    private void click(double x, double y) {
        PhotoFaces photo = vm.photoProperty().get();
        if (photo == null) return;
        double s = scale();
        double[] o = offset();
        double px = (x - o[0]) / s, py = (y - o[1]) / s;
        for (int i = 0; i < photo.faces().size(); i++) {
            FaceBox f = photo.faces().get(i);
            if (px >= f.x() && px <= f.x() + f.width() && py >= f.y() && py <= f.y() + f.height() && vm.clickedPoints().isEmpty()) {
                vm.selectedFaceProperty().set(i);
                return;
            }
        }
        if (px >= 0 && py >= 0 && px <= photo.photo().width() && py <= photo.photo().height()) vm.addPoint(px, py);
    }
}
