package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.AlphaMask;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.nn.Gradients;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keep term on hand-made pictures: what changes inside the edited part costs nothing, what changes outside costs. */
class KeepLossTest {
    static final int S = 32;

    /** Keeps the left half (x < 16). */
    static AlphaMask leftHalf() {
        float[] a = new float[S * S];
        for (int y = 0; y < S; y++) for (int x = 0; x < S / 2; x++) a[y * S + x] = 1;
        return new AlphaMask(S, S, a);
    }

    static float[] picture(long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[3 * S * S];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextDouble() * 2 - 1);
        return v;
    }

    /** {@code base} with the pixels of one half replaced by {@code other}'s. */
    static float[] changeHalf(float[] base, float[] other, boolean left) {
        float[] out = base.clone();
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < S; y++) {
                for (int x = 0; x < S; x++) if ((x < S / 2) == left) out[c * S * S + y * S + x] = other[c * S * S + y * S + x];
            }
        }
        return out;
    }

    @Test
    void changesOnlyCountWhereThePictureIsKept() throws Exception {
        Engines.pytorch();
        try (NDManager m = NDManager.newBaseManager(); Lpips lpips = Lpips.demo(); KeepLoss keep = new KeepLoss(lpips, leftHalf(), m)) {
            assertEquals(0.5, keep.keptShare(), 1e-9);
            float[] src = picture(1), other = picture(2);
            NDArray source = m.create(src, new Shape(1, 3, S, S));
            KeepLoss.Source fixed = keep.fix(source);
            NDArray rightChanged = m.create(changeHalf(src, other, false), new Shape(1, 3, S, S));
            NDArray leftChanged = m.create(changeHalf(src, other, true), new Shape(1, 3, S, S));

            KeepLoss.Values none = keep.evaluate(rightChanged, fixed);
            assertEquals(0, none.l2().getFloat(), 0, "a change where the edit may reach costs no L2");
            assertEquals(0, none.lpips().getFloat(), 1e-6, "nor LPIPS");
            KeepLoss.Values some = keep.evaluate(leftChanged, fixed);
            // the L2 is the mean squared difference over the kept half
            double expected = 0;
            float[] lc = changeHalf(src, other, true);
            for (int i = 0; i < lc.length; i++) expected += (lc[i] - src[i]) * (lc[i] - src[i]);
            expected /= 3.0 * S * S / 2;
            assertEquals(expected, some.l2().getFloat(), 1e-5);
            assertTrue(some.lpips().getFloat() > 0.01, "LPIPS sees the kept half change: " + some.lpips().getFloat());
            // the batch form (mapper training) agrees with the fixed-source form
            assertEquals(some.total().getFloat(), keep.evaluate(leftChanged, source).total().getFloat(), 1e-5);
            assertEquals(some.lpips().getFloat(), keep.lpipsOutside(leftChanged, source), 1e-5);

            // the gradient reaches only the kept pixels
            NDArray x = leftChanged.duplicate();
            x.setRequiresGradient(true);
            try (Gradients g = Gradients.record()) {
                g.backward(keep.evaluate(x, fixed).total());
            }
            float[] grad = x.getGradient().toFloatArray();
            double left = 0, right = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < S; y++) {
                    for (int xx = 0; xx < S; xx++) {
                        double gv = Math.abs(grad[c * S * S + y * S + xx]);
                        if (xx < S / 2) left += gv;
                        else right += gv;
                    }
                }
            }
            assertTrue(left > 0, "the kept half is pulled back");
            assertEquals(0, right, 0, "the edited half is free");
            fixed.close();
        }
    }
}
