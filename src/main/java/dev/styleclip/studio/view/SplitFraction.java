package dev.styleclip.studio.view;

import javafx.geometry.Orientation;
import javafx.scene.Node;
import javafx.scene.control.SplitPane;
import javafx.scene.input.MouseEvent;

/**
 * Keeps a split pane's (first) divider at a fraction of its size. The skin turns positions into pixels and clamps them
 * to the panels' minimum sizes whenever the pane is laid out, so a window that was once small (or opened at 200×200,
 * see {@link WindowGeometry}) would keep its panels at their minimum width afterwards; here the fraction is held
 * separately, set again after every resize of the pane, and changed only by the user dragging the divider or by
 * {@link #set}.
 */
final class SplitFraction {
    private final SplitPane pane;
    private final double lo, hi;
    private double fraction;
    private boolean dragging;

    SplitFraction(SplitPane pane, double initial, double def, double lo, double hi) {
        this.pane = pane;
        this.lo = lo;
        this.hi = hi;
        fraction = Double.isFinite(initial) && initial >= lo && initial <= hi ? initial : def;
        apply();
        (pane.getOrientation() == Orientation.HORIZONTAL ? pane.widthProperty() : pane.heightProperty())
                .addListener(o -> apply());
        pane.addEventFilter(MouseEvent.MOUSE_PRESSED, e -> dragging = onOwnDivider(e));
        pane.addEventFilter(MouseEvent.MOUSE_RELEASED, e -> {
            if (!dragging) return;
            dragging = false;
            if (!pane.getDividers().isEmpty()) fraction = Math.max(lo, Math.min(hi, pane.getDividers().get(0).getPosition()));
        });
    }

    /** The fraction the divider is kept at. */
    double get() {
        return fraction;
    }

    /** Moves the divider to {@code f} (clamped to this pane's range) and keeps it there. */
    void set(double f) {
        fraction = Math.max(lo, Math.min(hi, f));
        apply();
    }

    private void apply() {
        pane.setDividerPositions(fraction);
    }

    /** Whether a press is on this pane's own divider (not on one of a nested split pane). */
    private boolean onOwnDivider(MouseEvent e) {
        for (Node n = e.getTarget() instanceof Node t ? t : null; n != null && n != pane; n = n.getParent()) {
            if (n.getStyleClass().contains("split-pane-divider")) return n.getParent() == pane;
        }
        return false;
    }
}
