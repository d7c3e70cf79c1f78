package dev.styleclip.studio.viewmodel;

import java.util.prefs.BackingStoreException;
import java.util.prefs.Preferences;

/**
 * What the studio remembers between runs (last folders and files, λ defaults, window size and position, divider
 * positions), in {@link java.util.prefs.Preferences} under the user node named by the system property
 * {@code styleclip.prefs.node} (default {@value #DEFAULT_NODE}) so tests can redirect it.
 */
public final class StudioPrefs {
    public static final String NODE_PROPERTY = "styleclip.prefs.node";
    public static final String DEFAULT_NODE = "/dev/styleclip/studio";

    private final Preferences node;

    public StudioPrefs(Preferences node) {
        this.node = node;
    }

    public static StudioPrefs standard() {
        return new StudioPrefs(Preferences.userRoot().node(System.getProperty(NODE_PROPERTY, DEFAULT_NODE)));
    }

    public Preferences node() {
        return node;
    }

    public double getDouble(String key, double def) {
        try {
            double v = node.getDouble(key, def);
            return Double.isFinite(v) ? v : def;
        } catch (RuntimeException e) {
            return def;
        }
    }

    /** Whether something is remembered under {@code key}. */
    public boolean has(String key) {
        return get(key, null) != null;
    }

    /**
     * Remembers a number the user chose; forgets the key when the setting is at its default (so the default can follow
     * the device and the generator at the next start).
     */
    public void putChosen(String key, NumberParam p) {
        if (p.chosen()) putDouble(key, p.get());
        else put(key, null);
    }

    /** Sets {@code p} to the number remembered under {@code key}, if there is one (it then counts as chosen). */
    public void getChosen(String key, NumberParam p) {
        if (has(key)) p.set(getDouble(key, p.get()));
    }

    public void putDouble(String key, double v) {
        if (Double.isFinite(v)) guard(() -> node.putDouble(key, v));
    }

    /** Preferences are a convenience: a failing write (removed node, read-only store) is ignored. */
    private static void guard(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            // keep going without remembering
        }
    }

    public String get(String key, String def) {
        try {
            return node.get(key, def);
        } catch (RuntimeException e) {
            return def;
        }
    }

    public void put(String key, String v) {
        guard(() -> {
            if (v == null) node.remove(key);
            else node.put(key, v);
        });
    }

    public int getInt(String key, int def) {
        return (int) getDouble(key, def);
    }

    public boolean getBoolean(String key, boolean def) {
        try {
            return node.getBoolean(key, def);
        } catch (RuntimeException e) {
            return def;
        }
    }

    public void putBoolean(String key, boolean v) {
        guard(() -> node.putBoolean(key, v));
    }

    /** Writes to the backing store now (never throws: preferences are best effort). */
    public void flush() {
        try {
            node.flush();
        } catch (BackingStoreException | RuntimeException e) {
            // preferences are a convenience: losing them must not break the app
        }
    }
}
