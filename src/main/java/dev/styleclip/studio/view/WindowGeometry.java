package dev.styleclip.studio.view;

import dev.styleclip.studio.viewmodel.StudioPrefs;
import javafx.animation.PauseTransition;
import javafx.collections.ListChangeListener;
import javafx.geometry.Rectangle2D;
import javafx.stage.Modality;
import javafx.stage.Screen;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.stage.WindowEvent;
import javafx.util.Duration;

import java.util.function.Supplier;

/**
 * The main window's size, position and maximised state: set explicitly, kept at or above a minimum, remembered in the
 * preferences, and repaired when the window manager or JavaFX shrinks the window behind our back.
 *
 * <p>Why (docs/stack.md, JDK-8316423, fixed in JavaFX 22 and not in any 21.0.x): under some X11 window managers
 * (openbox) JavaFX 21's GTK glass reports GTK's default 200×200 as the window's first configured size and keeps it, so
 * a window opens at 200×200 whatever size it asked for; and while a modal dialog is up, glass pins the owner to its
 * last un-maximised size (min = max size hints), which un-maximises a maximised window. So: after the window settles
 * ({@value #SETTLE_MS} ms without size events), a size below the minimum is replaced by the last good one (a few times
 * at most, never fighting a window manager for ever); a window that was maximised before a modal dialog is maximised
 * again when the dialog closes ({@link #acrossModal}, and modal JavaFX windows are watched).
 */
public final class WindowGeometry {
    public static final double DEFAULT_WIDTH = 1280, DEFAULT_HEIGHT = 860;
    /** The smallest window the panels are laid out for (less only where the screen is smaller). */
    public static final double MIN_WIDTH = 960, MIN_HEIGHT = 640;
    static final String WIDTH = "window.width", HEIGHT = "window.height", X = "window.x", Y = "window.y",
            MAXIMIZED = "window.maximized";
    static final int SETTLE_MS = 250;
    private static final int MAX_REPAIRS = 6;

    private final Stage stage;
    private final double minWidth, minHeight;
    private double width, height, x = Double.NaN, y = Double.NaN;
    private boolean maximized;
    private int modal;
    private int repairs;
    /** Set when the window should now have its normal size (shown, un-maximised, after a dialog, after a repair). */
    private boolean expecting;
    private final PauseTransition settle = new PauseTransition(Duration.millis(SETTLE_MS));

    private WindowGeometry(Stage stage, StudioPrefs prefs) {
        this.stage = stage;
        double px = prefs.getDouble(X, Double.NaN), py = prefs.getDouble(Y, Double.NaN);
        Rectangle2D screen = screenAt(px, py);
        minWidth = Math.min(MIN_WIDTH, screen.getWidth());
        minHeight = Math.min(MIN_HEIGHT, screen.getHeight());
        width = clamp(prefs.getDouble(WIDTH, DEFAULT_WIDTH), minWidth, Math.max(minWidth, screen.getWidth()), DEFAULT_WIDTH);
        height = clamp(prefs.getDouble(HEIGHT, DEFAULT_HEIGHT), minHeight, Math.max(minHeight, screen.getHeight()), DEFAULT_HEIGHT);
        if (!Double.isNaN(px) && !Double.isNaN(py) && !Screen.getScreensForRectangle(px, py, 100, 100).isEmpty()) {
            x = px;
            y = py;
        }
        maximized = prefs.getBoolean(MAXIMIZED, false);
    }

    /**
     * Sizes (and places) the stage from the preferences before it is shown, enforces the minimum size, and keeps
     * watching it; {@link #save} writes what it learnt back.
     */
    public static WindowGeometry install(Stage stage, StudioPrefs prefs) {
        WindowGeometry g = new WindowGeometry(stage, prefs);
        stage.getProperties().put(WindowGeometry.class, g);
        g.apply();
        return g;
    }

    /** The geometry installed on {@code w}, or null. */
    public static WindowGeometry of(Window w) {
        return w == null ? null : w.getProperties().get(WindowGeometry.class) instanceof WindowGeometry g ? g : null;
    }

    private void apply() {
        stage.setMinWidth(minWidth);
        stage.setMinHeight(minHeight);
        stage.setWidth(width);
        stage.setHeight(height);
        if (!Double.isNaN(x)) {
            stage.setX(x);
            stage.setY(y);
        }
        if (maximized) stage.setMaximized(true);
        settle.setOnFinished(e -> settled());
        Runnable changed = () -> {
            if (stage.isShowing()) settle.playFromStart();
        };
        stage.widthProperty().addListener(o -> changed.run());
        stage.heightProperty().addListener(o -> changed.run());
        stage.xProperty().addListener(o -> changed.run());
        stage.yProperty().addListener(o -> changed.run());
        stage.maximizedProperty().addListener((o, was, now) -> {
            // a modal dialog un-maximises its owner (see above): that is not the user's choice
            if (!modalUp()) maximized = now;
            if (!now) expecting = true;
            changed.run();
        });
        stage.showingProperty().addListener((o, was, now) -> {
            if (now) {
                expecting = true;
                settle.playFromStart();
            }
        });
        // modal JavaFX windows (alerts, dialogs) over this stage: maximise again once the last one is gone
        ListChangeListener<Window> windows = c -> {
            while (c.next()) {
                if (c.wasRemoved()) restoreMaximizedLater();
            }
        };
        Window.getWindows().addListener(windows);
        stage.addEventHandler(WindowEvent.WINDOW_HIDDEN, e -> {
            Window.getWindows().removeListener(windows);
            settle.stop();
        });
    }

    /** Runs a dialog that is modal to {@code owner} (e.g. a platform file chooser), then repairs the owner's geometry. */
    public static <T> T acrossModal(Window owner, Supplier<T> dialog) {
        WindowGeometry g = of(owner);
        if (g == null) return dialog.get();
        g.modal++;
        try {
            return dialog.get();
        } finally {
            g.modal--;
            g.expecting = true;
            g.restoreMaximizedLater();
        }
    }

    private boolean modalUp() {
        if (modal > 0) return true;
        for (Window w : Window.getWindows()) {
            if (w != stage && w.isShowing() && w instanceof Stage s && s.getModality() != Modality.NONE) return true;
        }
        return false;
    }

    /**
     * Maximises again a little later: right after the dialog the owner still carries the fixed-size hints glass gave
     * it while disabled, and a window manager refuses to maximise it then (JavaFX believes it maximised, it is not).
     */
    private void restoreMaximizedLater() {
        PauseTransition later = new PauseTransition(Duration.millis(SETTLE_MS));
        later.setOnFinished(e -> restoreMaximized());
        later.play();
    }

    private void restoreMaximized() {
        if (stage.isShowing() && maximized && !stage.isMaximized() && !modalUp()) stage.setMaximized(true);
    }

    /**
     * After the window settled: where it should have its normal size (just shown, un-maximised, after a dialog) and
     * has another, the normal size is set again; a size below the minimum is undone at any time; otherwise the size is
     * the user's and is remembered.
     */
    private void settled() {
        if (!stage.isShowing() || stage.isMaximized() || stage.isFullScreen() || stage.isIconified() || modalUp()) return;
        boolean small = stage.getWidth() < minWidth - 1 || stage.getHeight() < minHeight - 1;
        boolean other = Math.abs(stage.getWidth() - width) > 2 || Math.abs(stage.getHeight() - height) > 2;
        if (small || expecting && other) {
            if (repairs++ < MAX_REPAIRS) {
                expecting = true;
                stage.setWidth(width);
                stage.setHeight(height);
                settle.playFromStart();
                return;
            }
        }
        expecting = false;
        repairs = 0;
        width = stage.getWidth();
        height = stage.getHeight();
        x = stage.getX();
        y = stage.getY();
    }

    /** The size the window has, or gets back, when it is not maximised. */
    public double normalWidth() {
        return width;
    }

    public double normalHeight() {
        return height;
    }

    /** Whether the window is maximised by the user's choice (a modal dialog's un-maximising does not count). */
    public boolean maximized() {
        return maximized;
    }

    /** Remembers the normal size and position and the maximised state. */
    public void save(StudioPrefs prefs) {
        settled();
        prefs.putDouble(WIDTH, width);
        prefs.putDouble(HEIGHT, height);
        if (!Double.isNaN(x)) {
            prefs.putDouble(X, x);
            prefs.putDouble(Y, y);
        }
        prefs.putBoolean(MAXIMIZED, maximized);
    }

    private static Rectangle2D screenAt(double x, double y) {
        Screen s = Double.isNaN(x) || Double.isNaN(y) ? Screen.getPrimary()
                : Screen.getScreensForRectangle(x, y, 100, 100).stream().findFirst().orElse(Screen.getPrimary());
        return s.getVisualBounds();
    }

    private static double clamp(double v, double lo, double hi, double def) {
        if (!Double.isFinite(v) || v <= 0) v = def;
        return Math.max(lo, Math.min(hi, v));
    }
}
