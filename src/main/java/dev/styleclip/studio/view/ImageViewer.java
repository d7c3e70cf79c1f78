package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.LiveViewModel;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.ToggleButton;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.stage.Stage;
import javafx.stage.Window;

import java.util.Locale;

/**
 * A picture at full detail in its own window: zoom with Ctrl + mouse wheel or + / − (0 fits it, 1 shows it at 100 %),
 * pan by dragging. Opened by double-clicking a preview, whose size the layout decides. Opened from the current picture
 * it also compares it with the before picture (Compare, the \ key: the live view's wipe, its divider dragged on the line
 * or moved with ← / →, the same state as the live view's), both pictures zoomed and panned together.
 */
final class ImageViewer {
    static final double MIN_ZOOM = 0.1, MAX_ZOOM = 16;

    private final ImageView view = new ImageView();
    private final ScrollPane scroll = new ScrollPane();
    private final Label zoomLabel = new Label();
    private final Image image;
    /** The wipe over the before picture, or null when there is nothing to compare with. */
    private final BeforeAfterView compare;
    private double zoom = 1;

    private ImageViewer(Image image, Image before, LiveViewModel live) {
        this.image = image;
        view.setImage(image);
        view.setPreserveRatio(true);
        view.setSmooth(false); // pixels stay pixels when zoomed in: what the generator made, not a blur of it
        if (before != null && live != null) {
            compare = new BeforeAfterView("viewer-compare", false); // drags away from the divider pan
            compare.setSmooth(false);
            compare.beforeImageProperty().set(before);
            compare.afterImageProperty().set(image);
            compare.afterTextProperty().set("current");
            compare.dividerProperty().bindBidirectional(live.dividerProperty());
            scroll.contentProperty().bind(Bindings.when(live.comparingProperty()).<Node>then(compare).otherwise(view));
        } else {
            compare = null;
            scroll.setContent(view);
        }
        scroll.setPannable(true);
        scroll.setId("viewer-scroll");
        scroll.addEventFilter(javafx.scene.input.ScrollEvent.SCROLL, e -> {
            if (!e.isShortcutDown()) return;
            setZoom(zoom * (e.getDeltaY() > 0 ? 1.25 : 0.8));
            e.consume();
        });
        zoomLabel.setId("viewer-zoom");
        setZoom(1);
    }

    /** Opens {@code image} in a window owned by {@code owner}, titled {@code title}. */
    static ImageViewer open(Window owner, Image image, String title) {
        return open(owner, image, null, title, null);
    }

    /**
     * Opens {@code image} in a window owned by {@code owner}, titled {@code title}; with a {@code before} picture it can
     * be compared with it, in the live view's compare state ({@code live}).
     */
    static ImageViewer open(Window owner, Image image, Image before, String title, LiveViewModel live) {
        ImageViewer v = new ImageViewer(image, before, live);
        HBox bar = new HBox(8);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(2, 4, 2, 4));
        if (v.compare != null) {
            ToggleButton toggle = new ToggleButton("Compare");
            toggle.setId("viewer-compare-toggle");
            toggle.selectedProperty().bindBidirectional(live.comparingProperty());
            bar.getChildren().add(toggle);
        }
        bar.getChildren().add(v.zoomLabel);
        BorderPane root = new BorderPane(v.scroll);
        root.setBottom(bar);
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.setTitle(title);
        Scene scene = new Scene(root, Math.min(900, image.getWidth() + 40), Math.min(900, image.getHeight() + 60));
        scene.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.PLUS || e.getCode() == KeyCode.EQUALS || e.getCode() == KeyCode.ADD) v.setZoom(v.zoom * 1.25);
            else if (e.getCode() == KeyCode.MINUS || e.getCode() == KeyCode.SUBTRACT) v.setZoom(v.zoom * 0.8);
            else if (e.getCode() == KeyCode.DIGIT1) v.setZoom(1);
            else if (e.getCode() == KeyCode.DIGIT0) v.fit();
            else if (e.getCode() == KeyCode.BACK_SLASH && v.compare != null) live.toggleCompare();
            else if (e.getCode() == KeyCode.ESCAPE) stage.close();
        });
        stage.setScene(scene);
        stage.show();
        return v;
    }

    /** Scales the picture to the window. */
    void fit() {
        double w = scroll.getViewportBounds().getWidth(), h = scroll.getViewportBounds().getHeight();
        if (w > 0 && h > 0) setZoom(Math.min(w / image.getWidth(), h / image.getHeight()));
    }

    void setZoom(double z) {
        zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, z));
        view.setFitWidth(image.getWidth() * zoom);
        view.setFitHeight(image.getHeight() * zoom);
        if (compare != null) {
            compare.fitWidthProperty().set(image.getWidth() * zoom);
            compare.fitHeightProperty().set(image.getHeight() * zoom);
        }
        zoomLabel.setText(String.format(Locale.ROOT, " %d × %d px · %.0f %% · Ctrl+wheel or + / − zoom, 0 fits, 1 is 100 %%, drag pans%s",
                (int) image.getWidth(), (int) image.getHeight(), zoom * 100,
                compare != null ? " · \\ compares with before (drag the line or ← / →)" : ""));
    }

    double zoom() {
        return zoom;
    }
}
