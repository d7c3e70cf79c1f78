package dev.styleclip.studio.view;

import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.BoundingBox;
import javafx.geometry.Bounds;
import javafx.scene.Cursor;
import javafx.scene.control.Label;
import javafx.scene.image.Image;
import javafx.scene.image.ImageView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.shape.Line;
import javafx.scene.shape.Rectangle;

/**
 * A before / after wipe: the after picture over the before picture, clipped at a vertical divider — before to the left
 * of it, after to the right — that the mouse drags and ← / → move (5 %; with Shift 1 %), with a label on each side.
 * Both pictures are fitted into the same box ({@link #fitWidthProperty()} × {@link #fitHeightProperty()}, aspect kept)
 * and centred, so their pixels line up whatever size each was made at. The divider is a fraction of the picture's
 * width, so it stays on the same pixel when the box is zoomed. Whoever uses the control keeps that state (bind
 * {@link #dividerProperty()} to a view model); the control only turns the mouse and the keys into it.
 */
final class BeforeAfterView extends Region {
    /** How far ← / → move the divider, and with Shift, as a fraction of the width. */
    static final double KEY_STEP = 0.05, FINE_STEP = 0.01;
    /** How near the divider (in pixels) a press must be to take it, where a press elsewhere belongs to someone else. */
    static final double GRAB = 10;

    private final ImageView before = new ImageView();
    private final ImageView after = new ImageView();
    private final Rectangle clip = new Rectangle();
    private final Line line = new Line();
    private final Label beforeLabel = new Label("before");
    private final Label afterLabel = new Label("after");
    private final DoubleProperty divider = new SimpleDoubleProperty(this, "divider", 0.5);
    private final DoubleProperty fitWidth = new SimpleDoubleProperty(this, "fitWidth", 256);
    private final DoubleProperty fitHeight = new SimpleDoubleProperty(this, "fitHeight", 256);
    private final boolean grabAnywhere;
    private boolean dragging;

    /**
     * @param id           the node's id; its parts are {@code id-before}, {@code id-after}, {@code id-divider},
     *                     {@code id-before-label} and {@code id-after-label}
     * @param grabAnywhere whether a press anywhere puts the divider there (the live view), or only one on the divider
     *                     takes it, leaving drags elsewhere to a scroll pane's panning (the viewer)
     */
    BeforeAfterView(String id, boolean grabAnywhere) {
        this.grabAnywhere = grabAnywhere;
        setId(id);
        before.setId(id + "-before");
        after.setId(id + "-after");
        line.setId(id + "-divider");
        beforeLabel.setId(id + "-before-label");
        afterLabel.setId(id + "-after-label");
        for (ImageView v : new ImageView[]{before, after}) {
            v.setPreserveRatio(true);
            v.fitWidthProperty().bind(fitWidth);
            v.fitHeightProperty().bind(fitHeight);
            v.layoutBoundsProperty().addListener((o, a, b) -> requestLayout());
        }
        after.setClip(clip);
        line.setStroke(Color.WHITE);
        line.setStrokeWidth(2);
        line.setMouseTransparent(true);
        for (Label l : new Label[]{beforeLabel, afterLabel}) {
            l.setStyle("-fx-text-fill: white; -fx-background-color: rgba(17,24,39,0.7); -fx-padding: 1 6; -fx-font-size: 11px;");
            l.setMouseTransparent(true);
            l.setMinWidth(Region.USE_PREF_SIZE);
        }
        getChildren().addAll(before, after, line, beforeLabel, afterLabel);
        divider.addListener((o, a, b) -> placeDivider());
        setFocusTraversable(true);
        addEventHandler(MouseEvent.MOUSE_PRESSED, e -> {
            if (!grabAnywhere && !nearDivider(e.getX())) return;
            dragging = true;
            requestFocus();
            divideAt(e.getX());
            e.consume();
        });
        addEventHandler(MouseEvent.MOUSE_DRAGGED, e -> {
            if (!dragging) return;
            divideAt(e.getX());
            e.consume();
        });
        addEventHandler(MouseEvent.MOUSE_RELEASED, e -> {
            if (!dragging) return;
            dragging = false;
            e.consume();
        });
        addEventHandler(MouseEvent.MOUSE_MOVED, e -> setCursor(grabAnywhere || nearDivider(e.getX()) ? Cursor.H_RESIZE : null));
        setOnKeyPressed(e -> {
            double step = e.isShiftDown() ? FINE_STEP : KEY_STEP;
            if (e.getCode() == KeyCode.LEFT) setDivider(divider.get() - step);
            else if (e.getCode() == KeyCode.RIGHT) setDivider(divider.get() + step);
            else return;
            e.consume();
        });
    }

    ObjectProperty<Image> beforeImageProperty() {
        return before.imageProperty();
    }

    ObjectProperty<Image> afterImageProperty() {
        return after.imageProperty();
    }

    StringProperty beforeTextProperty() {
        return beforeLabel.textProperty();
    }

    StringProperty afterTextProperty() {
        return afterLabel.textProperty();
    }

    /** Where the divider stands: 0 (after everywhere) … 1 (before everywhere), from the picture's left edge. */
    DoubleProperty dividerProperty() {
        return divider;
    }

    /** The box both pictures are fitted into (aspect kept), in pixels. */
    DoubleProperty fitWidthProperty() {
        return fitWidth;
    }

    DoubleProperty fitHeightProperty() {
        return fitHeight;
    }

    /** Whether the pictures are smoothed when scaled (the viewer shows pixels as pixels). */
    void setSmooth(boolean smooth) {
        before.setSmooth(smooth);
        after.setSmooth(smooth);
    }

    /** Sets the divider, kept within the picture. */
    void setDivider(double fraction) {
        divider.set(Math.max(0, Math.min(1, fraction)));
    }

    /**
     * The picture's box in this control's coordinates: the after picture's, else the before one's (from the layout,
     * not {@code boundsInParent}, which the clip cuts).
     */
    private Bounds picture() {
        ImageView v = after.getImage() != null ? after : before;
        Bounds b = v.getLayoutBounds();
        return new BoundingBox(v.getLayoutX() + b.getMinX(), v.getLayoutY() + b.getMinY(), b.getWidth(), b.getHeight());
    }

    private boolean nearDivider(double x) {
        Bounds p = picture();
        return Math.abs(x - (p.getMinX() + divider.get() * p.getWidth())) <= GRAB;
    }

    private void divideAt(double x) {
        Bounds p = picture();
        if (p.getWidth() > 0) setDivider((x - p.getMinX()) / p.getWidth());
    }

    @Override
    protected void layoutChildren() {
        for (ImageView v : new ImageView[]{before, after}) {
            Bounds b = v.getLayoutBounds();
            v.relocate(Math.round((getWidth() - b.getWidth()) / 2), Math.round((getHeight() - b.getHeight()) / 2));
        }
        placeDivider();
    }

    /** The after picture's clip, the line and the labels at the divider (at once, not at the next layout pass). */
    private void placeDivider() {
        Bounds a = after.getLayoutBounds();
        double x = divider.get() * a.getWidth();
        clip.setX(x);
        clip.setY(0);
        clip.setWidth(a.getWidth() - x);
        clip.setHeight(a.getHeight());
        Bounds p = picture();
        double lineX = p.getMinX() + divider.get() * p.getWidth();
        line.setStartX(lineX);
        line.setEndX(lineX);
        line.setStartY(p.getMinY());
        line.setEndY(p.getMaxY());
        beforeLabel.autosize();
        afterLabel.autosize();
        beforeLabel.relocate(p.getMinX() + 4, p.getMinY() + 4);
        afterLabel.relocate(p.getMaxX() - afterLabel.getWidth() - 4, p.getMinY() + 4);
        // a label whose side is covered by the other picture would name the wrong one
        beforeLabel.setVisible(lineX - p.getMinX() >= beforeLabel.getWidth() + 8);
        afterLabel.setVisible(p.getMaxX() - lineX >= afterLabel.getWidth() + 8);
    }

    @Override
    protected double computePrefWidth(double height) {
        return Math.max(before.getLayoutBounds().getWidth(), after.getLayoutBounds().getWidth());
    }

    @Override
    protected double computePrefHeight(double width) {
        return Math.max(before.getLayoutBounds().getHeight(), after.getLayoutBounds().getHeight());
    }
}
