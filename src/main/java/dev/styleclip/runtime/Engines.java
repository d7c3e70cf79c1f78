package dev.styleclip.runtime;

import ai.djl.engine.Engine;

import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Starts DJL's PyTorch engine offline: libtorch is unpacked from the {@code pytorch-native-cpu} jar on the class path
 * into a cache folder, never downloaded.
 */
public final class Engines {
    public static final String ENGINE = "PyTorch";

    private Engines() {
    }

    /** Sets DJL's offline switches and cache folder unless the user already chose them. Call before any DJL use. */
    public static void configureOffline() {
        setIfAbsent("ai.djl.offline", "true");
        if (System.getenv("DJL_CACHE_DIR") == null) {
            setIfAbsent("DJL_CACHE_DIR", defaultCacheDir().toString());
        }
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        // DJL takes the wrong turn (download) when PYTORCH_VERSION names another version; never set it ourselves.
    }

    /** The folder libtorch is unpacked into: {@code ~/.cache/styleclip/djl} ({@code user.home} from the OS account). */
    public static Path defaultCacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Paths.get(xdg) : Paths.get(System.getProperty("user.home"), ".cache");
        return base.resolve("styleclip").resolve("djl");
    }

    /** The PyTorch engine (loads libtorch on first call). */
    public static Engine pytorch() {
        configureOffline();
        Engine e = Engine.getEngine(ENGINE);
        ProcessMemory.markEngineStart();
        return e;
    }

    /** Whether DJL's offline mode is in force. */
    public static boolean offline() {
        return Boolean.parseBoolean(System.getProperty("ai.djl.offline", System.getenv("DJL_OFFLINE")));
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) System.setProperty(key, value);
    }
}
