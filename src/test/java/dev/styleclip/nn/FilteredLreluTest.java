package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.golden.Golden;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The polyphase filtered leaky ReLU against a plain loop implementation of zero-stuff + filter + act + filter + drop. */
class FilteredLreluTest {

    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    private static float[] lowpass(int taps, double cutoff, double width, double fs) {
        double[] d = FilterDesign.lowpass(taps, cutoff, width, fs);
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static float[] radial(int taps, double cutoff, double width, double fs) {
        double[][] d = FilterDesign.radialLowpass(taps, cutoff, width, fs);
        float[] f = new float[taps * taps];
        for (int i = 0; i < taps; i++) for (int j = 0; j < taps; j++) f[i * taps + j] = (float) d[i][j];
        return f;
    }

    /** One channel plane through upfirdn (plain loops, float64). */
    static double[][] upfirdn(double[][] x, float[] f, boolean radial, int up, int down, int[] p, double gain) {
        int h = x.length, w = x[0].length;
        int uh = h * up + p[2] + p[3], uw = w * up + p[0] + p[1];
        double[][] z = new double[uh][uw];
        for (int i = 0; i < uh; i++)
            for (int j = 0; j < uw; j++) {
                int si = i - p[2], sj = j - p[0];
                if (si >= 0 && sj >= 0 && si % up == 0 && sj % up == 0 && si / up < h && sj / up < w) z[i][j] = x[si / up][sj / up];
            }
        int k = f == null ? 1 : radial ? (int) Math.round(Math.sqrt(f.length)) : f.length;
        double[][] f2 = new double[k][k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++) {
                if (f == null) f2[a][b] = 1;
                else if (radial) f2[a][b] = f[a * k + b];
                else f2[a][b] = (double) f[a] * f[b];
            }
        int oh = uh - k + 1, ow = uw - k + 1;
        double[][] y = new double[(oh + down - 1) / down][(ow + down - 1) / down];
        for (int i = 0; i < oh; i += down)
            for (int j = 0; j < ow; j += down) {
                double s = 0;
                for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) s += f2[k - 1 - a][k - 1 - b] * z[i + a][j + b];
                y[i / down][j / down] = s * gain;
            }
        return y;
    }

    private void check(int c, int h, int w, float[] fu, float[] fd, boolean rad, int up, int down, int[] pad, double gain,
                       double slope, Double clamp) {
        Random rnd = new Random(42 + h + up);
        float[] data = new float[c * h * w];
        for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
        try (NDManager m = NDManager.newBaseManager()) {
            FilteredLrelu op = new FilteredLrelu(m, c, fu, fd, rad, up, down, pad, h, w, gain, slope, clamp);
            NDArray y = op.forward(m.create(data, new Shape(1, c, h, w)));
            float[] got = y.toFloatArray();
            int idx = 0;
            int oh = op.outHeight(), ow = op.outWidth();
            float[] exp = new float[c * oh * ow];
            for (int ch = 0; ch < c; ch++) {
                double[][] plane = new double[h][w];
                for (int i = 0; i < h; i++) for (int j = 0; j < w; j++) plane[i][j] = data[(ch * h + i) * w + j];
                double[][] t = upfirdn(plane, fu, false, up, 1, pad, (double) up * up);
                for (double[] row : t)
                    for (int j = 0; j < row.length; j++) {
                        double v = row[j] < 0 ? row[j] * slope : row[j];
                        v *= gain;
                        if (clamp != null) v = Math.max(-clamp, Math.min(clamp, v));
                        row[j] = v;
                    }
                double[][] o = upfirdn(t, fd, rad, 1, down, new int[4], 1);
                assertArrayEquals(new int[]{oh, ow}, new int[]{o.length, o[0].length}, "output size");
                for (double[] row : o) for (double v : row) exp[idx++] = (float) v;
            }
            Golden.assertAllClose(got, exp, 2e-5, 2e-5, "filtered lrelu up " + up + " down " + down);
        }
    }

    @Test
    void upTwoDownTwoSeparable() {
        check(3, 38, 38, lowpass(12, 2, 12, 32), lowpass(12, 2.4, 11, 32), false, 2, 2, new int[]{9, 8, 9, 8},
                Math.sqrt(2), 0.2, 256.0);
    }

    @Test
    void upFourDownTwoCropping() {
        check(2, 38, 38, lowpass(24, 4, 8, 64), lowpass(12, 4.7, 22, 64), false, 4, 2, new int[]{-6, -9, -6, -9},
                Math.sqrt(2), 0.2, 256.0);
    }

    @Test
    void radialAndRectangular() {
        check(2, 36, 30, lowpass(12, 2, 12, 32), radial(12, 2.4, 11, 32), true, 2, 2, new int[]{11, 10, 11, 10},
                Math.sqrt(2), 0.2, 256.0);
        check(2, 20, 20, lowpass(24, 4, 8, 64), radial(12, 4.7, 22, 64), true, 4, 2, new int[]{-6, -9, -6, -9},
                Math.sqrt(2), 0.2, null);
    }

    @Test
    void oddSizesInThePhaseDomain() {
        check(2, 21, 17, lowpass(24, 4, 8, 64), lowpass(12, 4.7, 22, 64), false, 4, 2, new int[]{-6, -9, -5, -8},
                Math.sqrt(2), 0.2, 256.0);
        check(2, 19, 23, lowpass(24, 4, 8, 64), radial(12, 4.7, 22, 64), true, 4, 2, new int[]{-5, -9, -6, -8},
                Math.sqrt(2), 0.2, 256.0);
        check(1, 15, 13, lowpass(12, 2, 12, 32), lowpass(12, 2.4, 11, 32), false, 2, 2, new int[]{8, 8, 9, 7},
                Math.sqrt(2), 0.2, 256.0);
    }

    @Test
    void clampBitesAndCriticalCrop() {
        check(2, 54, 54, lowpass(12, 16, 8, 64), lowpass(12, 16, 8, 64), false, 2, 2, new int[]{-11, -12, -11, -12},
                Math.sqrt(2) * 300, 0.2, 256.0);
    }

    @Test
    void identityToRgb() {
        check(3, 8, 8, null, null, false, 1, 1, new int[]{0, 0, 0, 0}, 1, 1, 256.0);
    }

    @Test
    void filterDesignMatchesKnownValues() {
        // scipy.signal.firwin(numtaps=12, cutoff=2, width=12, fs=32) and the jinc design, as numbers
        double[] f = FilterDesign.lowpass(12, 2, 12, 32);
        double s = 0;
        for (double v : f) s += v;
        org.junit.jupiter.api.Assertions.assertEquals(1.0, s, 1e-12);
        org.junit.jupiter.api.Assertions.assertEquals(f[0], f[11], 1e-15);
        org.junit.jupiter.api.Assertions.assertEquals(0.0, FilterDesign.besselJ1(0), 1e-15);
        org.junit.jupiter.api.Assertions.assertEquals(0.44005058574493355, FilterDesign.besselJ1(1), 1e-15);
        org.junit.jupiter.api.Assertions.assertEquals(0.0668331241758502, FilterDesign.besselJ1(20), 1e-14);
    }
}
