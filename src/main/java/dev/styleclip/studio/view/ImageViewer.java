package dev.styleclip.studio.view;

import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.layout.BorderPane;
import javafx.stage.Stage;
import javafx.stage.Window;

import java.util.Locale;

/**
 * A picture at full detail in its own window: zoom with Ctrl + mouse wheel or + / − (0 fits it, 1 shows it at 100 %),
 * pan by dragging. Opened by double-clicking a preview, whose size the layout decides.
 */
final class ImageViewer {
    static final double MIN_ZOOM = 0.1, MAX_ZOOM = 16;

    private final ImageView view = new ImageView();
    private final ScrollPane scroll = new ScrollPane(view);
    private final Label zoomLabel = new Label();
    private final Image image;
    private double zoom = 1;

    private ImageViewer(Image image) {
        this.image = image;
        view.setImage(image);
        view.setPreserveRatio(true);
        view.setSmooth(false); // pixels stay pixels when zoomed in: what the generator made, not a blur of it
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
        ImageViewer v = new ImageViewer(image);
        BorderPane root = new BorderPane(v.scroll);
        root.setBottom(v.zoomLabel);
        Stage stage = new Stage();
        stage.initOwner(owner);
        stage.setTitle(title);
        Scene scene = new Scene(root, Math.min(900, image.getWidth() + 40), Math.min(900, image.getHeight() + 60));
        scene.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.PLUS || e.getCode() == KeyCode.EQUALS || e.getCode() == KeyCode.ADD) v.setZoom(v.zoom * 1.25);
            else if (e.getCode() == KeyCode.MINUS || e.getCode() == KeyCode.SUBTRACT) v.setZoom(v.zoom * 0.8);
            else if (e.getCode() == KeyCode.DIGIT1) v.setZoom(1);
            else if (e.getCode() == KeyCode.DIGIT0) v.fit();
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
        zoomLabel.setText(String.format(Locale.ROOT, " %d × %d px · %.0f %% · Ctrl+wheel or + / − zoom, 0 fits, 1 is 100 %%, drag pans",
                (int) image.getWidth(), (int) image.getHeight(), zoom * 100));
    }

    double zoom() {
        return zoom;
    }
}
