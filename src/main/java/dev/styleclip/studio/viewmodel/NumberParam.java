package dev.styleclip.studio.viewmodel;

import javafx.beans.binding.Bindings;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;

import java.util.Locale;

/**
 * A numeric setting with a safe range (the slider's range) and wider hard limits (reachable only by typing in the
 * numeric field, with a visible warning). Values are clamped to the hard limits.
 */
public final class NumberParam {
    private final String name;
    private final double safeMin, safeMax, hardMin, hardMax;
    private final boolean integer;
    private final DoubleProperty value;
    private final StringBinding warning;
    private boolean chosen;

    public NumberParam(String name, double def, double safeMin, double safeMax, double hardMin, double hardMax, boolean integer) {
        this.name = name;
        this.safeMin = safeMin;
        this.safeMax = safeMax;
        this.hardMin = hardMin;
        this.hardMax = hardMax;
        this.integer = integer;
        this.value = new SimpleDoubleProperty(this, name, def);
        this.warning = Bindings.createStringBinding(() -> {
            double v = value.get();
            if (v < safeMin || v > safeMax) {
                return String.format(Locale.ROOT, "%s = %s is outside the safe range %s … %s", name, format(v), format(safeMin), format(safeMax));
            }
            return "";
        }, value);
    }

    public String name() {
        return name;
    }

    public DoubleProperty valueProperty() {
        return value;
    }

    public double get() {
        return value.get();
    }

    /**
     * Sets a value someone chose — typed, moved, read from a file or the preferences — clamped to the hard limits (and
     * rounded for integer settings); from now on {@link #setDefault} leaves it alone.
     */
    public void set(double v) {
        chosen = true;
        value.set(clamp(v));
    }

    /**
     * Sets the value a setting starts from when nobody chose one (the device's and the network's defaults, which change
     * with the generator); a chosen value stays.
     */
    public void setDefault(double v) {
        if (!chosen) value.set(clamp(v));
    }

    /** Whether the value was chosen ({@link #set}) rather than left at its default: only a chosen value is remembered. */
    public boolean chosen() {
        return chosen;
    }

    private double clamp(double v) {
        if (!Double.isFinite(v)) throw new IllegalArgumentException(name + " must be a finite number");
        double c = Math.max(hardMin, Math.min(hardMax, v));
        return integer ? Math.rint(c) : c;
    }

    /** Parses typed text; throws IllegalArgumentException with a one-line message for non-numbers. */
    public void parse(String text) {
        try {
            set(Double.parseDouble(text.trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + text.trim() + "' is not a number");
        }
    }

    public StringBinding warningProperty() {
        return warning;
    }

    public boolean outsideSafeRange() {
        return !warning.get().isEmpty();
    }

    public double safeMin() {
        return safeMin;
    }

    public double safeMax() {
        return safeMax;
    }

    public double hardMin() {
        return hardMin;
    }

    public double hardMax() {
        return hardMax;
    }

    public boolean integer() {
        return integer;
    }

    public String format(double v) {
        if (integer) return Long.toString(Math.round(v));
        return String.format(Locale.ROOT, "%.4g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replaceAll("\\.(e|$)", "$1");
    }
}
