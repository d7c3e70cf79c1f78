package dev.styleclip.runtime;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** libtorch must load from the native jar with DJL's offline mode forced: nothing is downloaded. */
class EngineOfflineTest {

    @Test
    void pytorchStartsOfflineFromTheNativeJar() {
        System.setProperty("ai.djl.offline", "true");
        Engines.configureOffline();
        assertTrue(Engines.offline(), "offline mode must be in force");
        Engine engine = Engines.pytorch();
        assertEquals("PyTorch", engine.getEngineName());
        assertTrue(engine.getVersion().startsWith("2.7.1"), "libtorch version " + engine.getVersion());
        try (NDManager m = engine.newBaseManager()) {
            NDArray a = m.create(new float[]{1, 2, 3, 4}, new ai.djl.ndarray.types.Shape(2, 2));
            NDArray b = a.matMul(a);
            assertArrayEquals(new float[]{7, 10, 15, 22}, b.toFloatArray());
        }
    }
}
