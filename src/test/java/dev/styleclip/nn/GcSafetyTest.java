package dev.styleclip.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class GcSafetyProbeTest {
    @Test
    void scalarOperandSurvivesGcBeforeBackward() throws Exception {
        Engines.configureOffline();
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            for (int i = 0; i < 20; i++) {
                try (NDManager s = m.newSubManager()) {
                    NDArray x = s.create(new float[]{1, 2, 3});
                    x.setRequiresGradient(true);
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray y;
                        try (NDManager f = s.newSubManager()) {
                            NDArray c = f.create(new float[]{5, 6, 7});
                            y = x.mul(c).mul(2f).sum();
                            y.attach(s);
                        }
                        byte[][] junk = new byte[64][];
                        for (int k = 0; k < 64; k++) junk[k] = new byte[1 << 20];
                        System.gc();
                        Thread.sleep(20);
                        for (int k = 0; k < 64; k++) { ByteBufferHolder.fill(); }
                        gc.backward(y);
                    }
                    assertArrayEquals(new float[]{10, 12, 14}, x.getGradient().toFloatArray(), "iteration " + i);
                }
            }
        }
    }

    static final class ByteBufferHolder {
        static void fill() {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocateDirect(64);
            for (int i = 0; i < 16; i++) b.putFloat(Float.NaN);
        }
    }
}
