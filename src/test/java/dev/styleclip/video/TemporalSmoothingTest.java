package dev.styleclip.video;

import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.FfhqAlign.Quad;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Smoothing over time: the alignment crops (STIT's Gaussians) and latents, with every frame kept. */
class TemporalSmoothingTest {

    private static final List<TemporalFilter> FILTERS = List.of(TemporalFilter.gaussian(0.7), TemporalFilter.gaussian(3),
            TemporalFilter.fiveTap(), TemporalFilter.gaussian(0));

    @Test
    void aConstantSequenceStaysAsItIsAndKeepsEveryFrame() {
        for (TemporalFilter f : FILTERS) {
            for (int n : new int[]{1, 2, 3, 5, 40}) { // shorter and longer than the kernel
                double[][] in = new double[n][];
                for (int i = 0; i < n; i++) in[i] = new double[]{3.25, -7.5};
                double[][] out = f.apply(in);
                assertEquals(n, out.length, "frames kept");
                for (double[] v : out) assertArrayEquals(new double[]{3.25, -7.5}, v, 1e-12);
                float[][] fin = new float[n][];
                for (int i = 0; i < n; i++) fin[i] = new float[]{0.5f, 2f, -1f};
                float[][] fout = f.apply(fin);
                assertEquals(n, fout.length);
                for (float[] v : fout) assertArrayEquals(new float[]{0.5f, 2f, -1f}, v, 1e-6f);
            }
        }
    }

    @Test
    void aStepIsBlurredSymmetrically() {
        int n = 20;
        double[][] step = new double[n][];
        for (int i = 0; i < n; i++) step[i] = new double[]{i < n / 2 ? 0 : 1};
        for (TemporalFilter f : List.of(TemporalFilter.gaussian(2), TemporalFilter.fiveTap())) {
            double[][] out = f.apply(step);
            for (int k = 0; k < n / 2; k++) {
                assertEquals(1.0, out[n / 2 - 1 - k][0] + out[n / 2 + k][0], 1e-12, "mirror images about the step, k=" + k);
            }
            for (int i = 1; i < n; i++) assertTrue(out[i][0] >= out[i - 1][0] - 1e-15, "still rising at " + i);
            assertTrue(out[n / 2 - 1][0] > 0.05 && out[n / 2][0] < 0.95, "the edge is softened: " + Arrays.deepToString(out));
            assertEquals(0.0, out[0][0], 1e-12, "far from the step nothing changes");
            assertEquals(1.0, out[n - 1][0], 1e-12);
        }
    }

    @Test
    void theGaussianIsScipys() {
        TemporalFilter g = TemporalFilter.gaussian(1);
        assertEquals(4, g.radius(), "truncated at int(4σ + 0.5)");
        double[][] impulse = new double[9][];
        for (int i = 0; i < 9; i++) impulse[i] = new double[]{i == 4 ? 1 : 0};
        double[][] out = g.apply(impulse);
        // scipy.ndimage.gaussian_filter1d([0,0,0,0,1,0,0,0,0], 1)
        double[] scipy = {1.3383062e-04, 4.4318616e-03, 5.3991128e-02, 2.4197145e-01, 3.9894347e-01,
            2.4197145e-01, 5.3991128e-02, 4.4318616e-03, 1.3383062e-04};
        for (int i = 0; i < 9; i++) assertEquals(scipy[i], out[i][0], 1e-8, "tap " + i);
    }

    /** stylegan3-editing's {@code smooth_ws} gives n − 4 frames; ours the same values inside and every frame. */
    @Test
    void theFiveTapKernelKeepsTheFramesTheReferenceDrops() {
        int n = 12;
        float[][] ws = new float[n][];
        java.util.Random rnd = new java.util.Random(3);
        for (int i = 0; i < n; i++) ws[i] = new float[]{(float) rnd.nextGaussian(), (float) rnd.nextGaussian()};
        float[][] out = TemporalFilter.fiveTap().apply(ws);
        assertEquals(n, out.length);
        for (int t = 2; t < n - 2; t++) {
            for (int j = 0; j < 2; j++) {
                double reference = (ws[t][j] + 0.75 * ws[t + 1][j] + 0.75 * ws[t - 1][j] + 0.25 * ws[t - 2][j] + 0.25 * ws[t + 2][j]) / 3;
                assertEquals(reference, out[t][j], 1e-6, "frame " + t);
            }
        }
        // the end frames exist and are smoothed with mirrored neighbours: frame 0 sees 1, 2 twice over and itself twice
        double first = (4 * ws[0][0] + 3 * ws[0][0] + ws[1][0] + 3 * ws[1][0] + ws[2][0]) / 12;
        assertEquals(first, out[0][0], 1e-6);
    }

    @Test
    void missingDetectionsAreInterpolatedNeverDropped() {
        Quad a = face(100, 100, 40, 0);
        Quad b = face(130, 112, 46, 0.1);
        List<Quad> detected = Arrays.asList(null, null, a, null, null, b, null);
        List<Quad> filled = QuadTrack.fillGaps(detected);
        assertEquals(7, filled.size());
        assertSame(a, filled.get(0), "before the first detection: the nearest");
        assertSame(a, filled.get(1));
        assertSame(a, filled.get(2));
        assertSame(b, filled.get(5));
        assertSame(b, filled.get(6), "after the last detection: the nearest");
        Quad third = filled.get(3);
        assertArrayEquals(new double[]{a.c()[0] + (b.c()[0] - a.c()[0]) / 3, a.c()[1] + (b.c()[1] - a.c()[1]) / 3}, third.c(), 1e-9);
        assertArrayEquals(new double[]{a.x()[0] + 2 * (b.x()[0] - a.x()[0]) / 3, a.x()[1] + 2 * (b.x()[1] - a.x()[1]) / 3},
                filled.get(4).x(), 1e-9);
        assertArrayEquals(new double[]{a.eyeLeft()[0] + (b.eyeLeft()[0] - a.eyeLeft()[0]) / 3,
            a.eyeLeft()[1] + (b.eyeLeft()[1] - a.eyeLeft()[1]) / 3}, third.eyeLeft(), 1e-9);
        assertCornersFollow(third);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> QuadTrack.fillGaps(Arrays.asList(null, null)));
        assertTrue(none.getMessage().contains("no face"), none.getMessage());
    }

    @Test
    void smoothingSteadiesAJitteringCropAndKeepsEveryFrame() {
        int n = 30;
        List<Quad> still = new ArrayList<>();
        List<Quad> jitter = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            still.add(face(120, 90, 50, 0.05));
            jitter.add(face(120 + (i % 2 == 0 ? 1.5 : -1.5), 90 + (i % 3 - 1), 50 + (i % 2), 0.05));
        }
        List<Quad> same = QuadTrack.smooth(still, 2, 4);
        assertEquals(n, same.size());
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 4; k++) assertArrayEquals(still.get(i).quad()[k], same.get(i).quad()[k], 1e-9);
            assertSame(still.get(i).eyeLeft(), same.get(i).eyeLeft(), "each frame keeps its own face points");
        }
        List<Quad> steady = QuadTrack.smooth(jitter, 2, 4);
        assertEquals(n, steady.size());
        assertTrue(shake(steady) < shake(jitter) / 5, "frame-to-frame movement " + shake(jitter) + " → " + shake(steady));
        steady.forEach(TemporalSmoothingTest::assertCornersFollow);
    }

    /** Mean distance the crop's centre moves from one frame to the next. */
    private static double shake(List<Quad> qs) {
        double s = 0;
        for (int i = 1; i < qs.size(); i++) s += Math.hypot(qs.get(i).c()[0] - qs.get(i - 1).c()[0], qs.get(i).c()[1] - qs.get(i - 1).c()[1]);
        return s / (qs.size() - 1);
    }

    private static void assertCornersFollow(Quad q) {
        double[] c = q.c(), x = q.x(), y = q.y();
        assertArrayEquals(new double[]{c[0] - x[0] - y[0], c[1] - x[1] - y[1]}, q.quad()[0], 1e-9, "TL");
        assertArrayEquals(new double[]{c[0] + x[0] + y[0], c[1] + x[1] + y[1]}, q.quad()[2], 1e-9, "BR");
        assertEquals(Math.hypot(x[0], x[1]) * 2, q.qsize(), 1e-9);
    }

    /** A face with eyes {@code eyes} apart around (cx, cy), turned by {@code turn} radians. */
    private static Quad face(double cx, double cy, double eyes, double turn) {
        double cos = Math.cos(turn), sin = Math.sin(turn);
        double[] el = {cx - eyes / 2 * cos, cy - eyes / 2 * sin};
        double[] er = {cx + eyes / 2 * cos, cy + eyes / 2 * sin};
        double[] ml = {cx - eyes / 3 * cos - eyes * sin, cy - eyes / 3 * sin + eyes * cos};
        double[] mr = {cx + eyes / 3 * cos - eyes * sin, cy + eyes / 3 * sin + eyes * cos};
        return FfhqAlign.quadFromPoints(el, er, ml, mr, FfhqAlign.Variant.FFHQ);
    }
}
