package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.edit.mapper.EditGoldenModels;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            int n = 2;
            GlobalDirections.Statistics st = GlobalDirections.statistics(g, 0, n, 0.5, 8, m);
            double[] one = st.s().clone();
            var all = GlobalDirections.sweep(g, clip, one, n, st.mean(), st.std(), 5, 0, 6, java.util.Set.of(), m, null);
            double[] split = st.s().clone();
            var a = GlobalDirections.sweep(g, clip, split, n, st.mean(), st.std(), 5, 0, 3, java.util.Set.of(), m, null);
            double[] resumed = split.clone(); // what a chunk file stores and a resumed run reloads
            var b = GlobalDirections.sweep(g, clip, resumed, n, st.mean(), st.std(), 5, 3, 6, java.util.Set.of(), m, null);
            assertArrayEquals(one, resumed, 0);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(all.get(i).features(), a.get(i).features(), 0);
                assertArrayEquals(all.get(i + 3).features(), b.get(i).features(), 0);
            }
            // the swept channels stay at mean + 5 std (the reference's not-restored quirk), in float32 arithmetic
            for (int ch = 0; ch < 6; ch++) assertEquals((float) st.mean()[ch] + 5f * (float) st.std()[ch], one[ch], 0);
            // float32 results are float32 numbers
            for (double v : all.get(0).features()) assertEquals((float) v, v, 0);
        }
    }

    @Test
    void aFloat64SweepIsTheFloat32OneUpToRounding() throws Exception {
        StyleGan3Generator g = EditGoldenModels.generator();
        var clip = EditGoldenModels.clip();
        try (NDManager m = EditGoldenModels.manager().newSubManager();
             StyleGan3Generator g64 = g.toFloat64(m);
             var clip64 = clip.toFloat64(m)) {
            int n = 2;
            GlobalDirections.Statistics s32 = GlobalDirections.statistics(g, 0, n, 0.5, 8, m);
            GlobalDirections.Statistics s64 = GlobalDirections.statistics(g64, 0, n, 0.5, 8, m);
            assertArrayEquals(s32.s(), s64.s(), 1e-5);
            assertArrayEquals(s32.std(), s64.std(), 1e-5);
            double[] w32 = s32.s().clone(), w64 = s64.s().clone(), w64b = s64.s().clone();
            var r32 = GlobalDirections.sweep(g, clip, w32, n, s32.mean(), s32.std(), 5, 10, 12, java.util.Set.of(11), m, null);
            var r64 = GlobalDirections.sweep(g64, clip64, w64, n, s64.mean(), s64.std(), 5, 10, 12, java.util.Set.of(11), m, null);
            // the precision form builds the twins itself
            var r64b = GlobalDirections.sweep(Precision.FLOAT64, g, clip, w64b, n, s64.mean(), s64.std(), 5, 10, 12,
                    java.util.Set.of(11), m, null);
            assertArrayEquals(w64, w64b, 0);
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(r64.get(i).features(), r64b.get(i).features(), 0);
                assertArrayEquals(r32.get(i).features(), r64.get(i).features(), 1e-4);
            }
            assertArrayEquals(r32.get(1).images(), r64.get(1).images(), 1e-4);
            assertArrayEquals(r32.get(1).clipInput(), r64.get(1).clipInput(), 1e-4);
            boolean differs = false;
            for (int k = 0; k < r64.get(0).features().length; k++) {
                double v = r64.get(0).features()[k];
                differs |= (float) v != v;
            }
            assertTrue(differs, "float64 features carry more than float32 digits");
            assertThrows(IllegalArgumentException.class, () -> GlobalDirections.sweep(g64, clip, w64.clone(), n, s64.mean(),
                    s64.std(), 5, 0, 1, java.util.Set.of(), m, null));
        }
    }

    @Test
    void cacheFoldersAndPreparedFilesArePerPrecision(@TempDir Path tmp) throws Exception {
        String k64 = DirectionsPrepareJob.cacheKey(null, null, "demo-g", "demo-c", Precision.FLOAT64);
        String k32 = DirectionsPrepareJob.cacheKey(null, null, "demo-g", "demo-c", Precision.FLOAT32);
        assertTrue(k64.endsWith("-float64") && k32.endsWith("-float32"), k64 + " " + k32);
        assertEquals(k64.substring(0, 24), k32.substring(0, 24));
        assertEquals(Precision.FLOAT64, DirectionsPrepareJob.Settings.defaults().precision());
        assertEquals(Precision.FLOAT64, new DirectionsPrepareJob.Settings(0, 2, 0.5, 8, 5, 4).precision());
        assertEquals(Precision.FLOAT32, Precision.parse("FP32"));
        assertThrows(IllegalArgumentException.class, () -> Precision.parse("float16"));

        StyleGan3Generator g = EditGoldenModels.generator();
        var clip = EditGoldenModels.clip();
        int c = GlobalDirections.channelCount(g);
        // partial results of the other precision are refused, before any sweep work
        Path dir = tmp.resolve("d");
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve(DirectionsPrepareJob.STATS), List.of(Tensor.ofFloats("S", new long[]{2, c}, new float[2 * c]),
                Tensor.ofFloats("s_mean", new long[]{c}, new float[c]), Tensor.ofFloats("s_std", new long[]{c}, new float[c])),
                Map.of("images", "2")); // no precision key: a float32 file of an earlier version
        var f64 = new DirectionsPrepareJob(g, clip, new DirectionsPrepareJob.Settings(0, 2, 0.5, 8, 5, 4, Precision.FLOAT64), dir);
        try (ComputeService cs = new ComputeService()) {
            Exception e = assertThrows(Exception.class, () -> cs.run("prepare", f64, f -> { }));
            assertTrue(rootMessage(e).contains("float32 preparation, this one runs in float64"), rootMessage(e));
            // and the other way round: a float64 chunk in a float32 run
            Safetensors.write(dir.resolve(DirectionsPrepareJob.STATS), List.of(Tensor.ofDoubles("S", new long[]{2, c}, new double[2 * c]),
                    Tensor.ofDoubles("s_mean", new long[]{c}, new double[c]), Tensor.ofDoubles("s_std", new long[]{c}, new double[c])),
                    Map.of("images", "2", DirectionsPrepareJob.PRECISION_KEY, "float32"));
            Safetensors.write(dir.resolve(DirectionsPrepareJob.chunkName(0)), List.of(
                    Tensor.ofDoubles("features", new long[]{4, 2, 2, 32}, new double[4 * 2 * 2 * 32]),
                    Tensor.ofDoubles("s_work", new long[]{2, c}, new double[2 * c])), Map.of(DirectionsPrepareJob.PRECISION_KEY, "float64"));
            var f32 = new DirectionsPrepareJob(g, clip, new DirectionsPrepareJob.Settings(0, 2, 0.5, 8, 5, 4, Precision.FLOAT32), dir);
            e = assertThrows(Exception.class, () -> cs.run("prepare", f32, f -> { }));
            assertTrue(rootMessage(e).contains("float64 preparation, this one runs in float32"), rootMessage(e));
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) e = e.getCause();
        return String.valueOf(e.getMessage());
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
