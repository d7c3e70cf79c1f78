package dev.styleclip.studio.view;

import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.viewmodel.NumberParam;
import javafx.beans.property.DoubleProperty;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.Slider;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.image.Image;
import javafx.scene.image.PixelFormat;
import javafx.scene.image.WritableImage;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

import java.util.Locale;
import java.util.function.Consumer;

/** Small view helpers. */
final class Fx {
    private Fx() {
    }

    static Image image(Pixels p) {
        if (p == null) return null;
        WritableImage img = new WritableImage(p.width(), p.height());
        img.getPixelWriter().setPixels(0, 0, p.width(), p.height(), PixelFormat.getIntArgbInstance(), p.argb(), 0, p.width());
        return img;
    }

    /**
     * A slider over the safe range with a numeric field that also takes values outside it (up to the hard limits),
     * then showing a warning.
     */
    static VBox numberRow(String id, NumberParam p, Consumer<String> onError) {
        Label name = new Label(p.name());
        name.setMinWidth(48);
        Slider s = new Slider(p.safeMin(), p.safeMax(), clamp(p.get(), p.safeMin(), p.safeMax()));
        s.setId(id + "-slider");
        HBox.setHgrow(s, Priority.ALWAYS);
        TextField f = new TextField(p.format(p.get()));
        f.setId(id + "-field");
        f.setPrefColumnCount(6);
        // the warning is a mark in the row (its text in the tooltip, the field outlined), never a line of its own:
        // a line appearing above the buttons would move them under the pointer
        Label warn = new Label("⚠");
        warn.setId(id + "-warning");
        warn.setMinWidth(14);
        warn.setStyle("-fx-text-fill: #b45309;");
        Tooltip warnTip = new Tooltip();
        warnTip.textProperty().bind(p.warningProperty());
        warn.setTooltip(warnTip);
        warn.visibleProperty().bind(p.warningProperty().isNotEmpty());
        f.styleProperty().bind(javafx.beans.binding.Bindings.when(p.warningProperty().isNotEmpty())
                .then("-fx-border-color: #b45309;").otherwise(""));
        boolean[] guard = {false};
        s.valueProperty().addListener((o, a, b) -> {
            if (guard[0]) return;
            guard[0] = true;
            p.set(b.doubleValue());
            f.setText(p.format(p.get()));
            guard[0] = false;
        });
        p.valueProperty().addListener((o, a, b) -> {
            if (guard[0]) return;
            guard[0] = true;
            s.setValue(clamp(b.doubleValue(), p.safeMin(), p.safeMax()));
            f.setText(p.format(b.doubleValue()));
            guard[0] = false;
        });
        Runnable commit = () -> {
            // leaving the field without typing is no choice: a default stays a default (and follows the generator)
            if (f.getText().equals(p.format(p.get()))) return;
            try {
                p.parse(f.getText());
            } catch (IllegalArgumentException e) {
                onError.accept(e.getMessage());
            }
            f.setText(p.format(p.get()));
        };
        f.setOnAction(e -> commit.run());
        f.focusedProperty().addListener((o, a, b) -> {
            if (!b) commit.run();
        });
        f.setTooltip(new Tooltip(String.format(Locale.ROOT, "safe %s … %s; typed values may go to %s … %s",
                p.format(p.safeMin()), p.format(p.safeMax()), p.format(p.hardMin()), p.format(p.hardMax()))));
        HBox row = new HBox(6, name, s, f, warn);
        row.setAlignment(Pos.CENTER_LEFT);
        return new VBox(2, row);
    }

    /** A slider bound to a property with its value shown beside it. */
    static HBox slider(String id, String label, DoubleProperty prop, double min, double max, String fmt) {
        Label name = new Label(label);
        name.setMinWidth(70);
        Slider s = new Slider(min, max, prop.get());
        s.setId(id);
        s.valueProperty().bindBidirectional(prop);
        HBox.setHgrow(s, Priority.ALWAYS);
        Label v = new Label();
        v.setMinWidth(44);
        v.textProperty().bind(prop.asString(Locale.ROOT, fmt));
        HBox row = new HBox(6, name, s, v);
        row.setAlignment(Pos.CENTER_LEFT);
        return row;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
