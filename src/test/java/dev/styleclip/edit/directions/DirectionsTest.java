package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.mapper.EditGoldenModels;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** StyleSpace round trip, thresholds, the bicubic matrices and the .npy reader. */
class DirectionsTest {

    @Test
    void styleSpaceRoundTripIsTheWsSynthesis() throws Exception {
        StyleGan3Generator g = EditGoldenModels.generator();
        try (NDManager m = EditGoldenModels.manager().newSubManager()) {
            NDArray ws = GlobalDirections.statisticsWs(g, 3, 2, 0.7, null, m);
            float[] direct = g.synthesis(ws).toFloatArray();
            Map<String, NDArray> s = g.styleSpace(ws);
            assertEquals(g.styleChannels().keySet(), s.keySet());
            float[] viaS = g.synthesisFromStyleSpace(s, StyleGan3Generator.Options.defaults()).toFloatArray();
            assertArrayEquals(direct, viaS, 2e-6f);
            float[] flat = GlobalDirections.w2s(g, ws).toFloatArray();
            float[] viaFlat = GlobalDirections.synthesize(g, m.create(flat, new Shape(2, GlobalDirections.channelCount(g))),
                    StyleGan3Generator.Options.defaults()).toFloatArray();
            assertArrayEquals(direct, viaFlat, 2e-6f);
            // the input group is unit-normalised in its first two values
            float[] in = s.get(StyleGan3Generator.INPUT).toFloatArray();
            assertEquals(1.0, Math.hypot(in[0], in[1]), 1e-6);
        }
    }

    @Test
    void aSweepSplitInChunksEqualsOneSweep() throws Exception {
        StyleGan3Generator g = EditGoldenModels.generator();
        var clip = EditGoldenModels.clip();
        try (NDManager m = EditGoldenModels.manager().newSubManager()) {
            int n = 2, c = GlobalDirections.channelCount(g);
            float[] s = GlobalDirections.w2s(g, GlobalDirections.statisticsWs(g, 0, n, 0.5, 8, m)).toFloatArray();
            float[][] ms = GlobalDirections.meanStd(s, n, c);
            float[] one = s.clone();
            var all = GlobalDirections.sweep(g, clip, one, n, ms[0], ms[1], 5, 0, 6, java.util.Set.of(), m, null);
            float[] split = s.clone();
            var a = GlobalDirections.sweep(g, clip, split, n, ms[0], ms[1], 5, 0, 3, java.util.Set.of(), m, null);
            float[] resumed = split.clone(); // what a chunk file stores and a resumed run reloads
            var b = GlobalDirections.sweep(g, clip, resumed, n, ms[0], ms[1], 5, 3, 6, java.util.Set.of(), m, null);
            assertArrayEquals(one, resumed, 0f);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(all.get(i).features(), a.get(i).features(), 0f);
                assertArrayEquals(all.get(i + 3).features(), b.get(i).features(), 0f);
            }
            // the swept channels stay at mean + 5 std (the reference's not-restored quirk)
            for (int ch = 0; ch < 6; ch++) assertEquals(ms[0][ch] + 5f * ms[1][ch], one[ch], 0f);
        }
    }

    @Test
    void betaAboveEveryChannelIsAClearError() {
        float[] r = {0.1f, -0.3f, 0.05f};
        float[] std = {1f, 2f, 3f};
        GlobalDirections.Direction d = GlobalDirections.direction(r, std, 0.1);
        assertEquals(2, d.activeChannels());
        assertArrayEquals(new float[]{0.1f / 0.3f, -2f, 0f}, d.direction(), 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GlobalDirections.direction(r, std, 0.5));
        assertTrue(e.getMessage().contains("no channel"), e.getMessage());
    }

    @Test
    void bicubicMatricesInterpolate() {
        double[][] id = BicubicResize.matrix(5, 5);
        for (int i = 0; i < 5; i++) assertEquals(1.0, id[i][i]);
        double[][] up = BicubicResize.matrix(4, 7);
        for (double[] row : up) {
            double sum = 0;
            for (double v : row) sum += v;
            assertEquals(1.0, sum, 1e-6);
        }
        // align_corners: the end points are the input's end points; a linear ramp stays linear inside
        assertEquals(1.0, up[0][0], 1e-7);
        assertEquals(1.0, up[6][3], 1e-7);
        double mid = 0;
        for (int j = 0; j < 4; j++) mid += up[3][j] * j;
        assertEquals(1.5, mid, 1e-6);
        // a linear ramp x (0..3): bicubic with border clamping reproduces it where no clamping is involved
        double at1 = 0;
        for (int j = 0; j < 4; j++) at1 += BicubicResize.matrix(4, 7)[2][j] * j;
        assertEquals(1.0, at1, 1e-6);
    }
}
