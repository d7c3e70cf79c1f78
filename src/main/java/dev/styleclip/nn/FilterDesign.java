package dev.styleclip.nn;

/**
 * Low-pass FIR filter design as the alias-free GAN layers use it: a Kaiser-windowed sinc (the window method, with the
 * Kaiser parameters chosen from the number of taps and the transition width) for separable filters, and a
 * Kaiser-windowed jinc for radially symmetric 2-D filters. All arithmetic in float64; callers round to float32.
 */
public final class FilterDesign {
    private FilterDesign() {
    }

    /**
     * A separable (1-D) low-pass filter, normalised to unit DC gain.
     *
     * @param numtaps number of taps (≥ 1; 1 means "no filter" and returns {1})
     * @param cutoff  cutoff frequency, in the units of {@code fs}
     * @param width   transition band width, in the units of {@code fs}
     * @param fs      sampling rate
     */
    public static double[] lowpass(int numtaps, double cutoff, double width, double fs) {
        if (numtaps < 1) throw new IllegalArgumentException("numtaps must be >= 1");
        if (numtaps == 1) return new double[]{1.0};
        double nyq = 0.5 * fs;
        double c = cutoff / nyq;
        double[] win = kaiserWindow(numtaps, kaiserBeta(kaiserAttenuation(numtaps, width / nyq)));
        double alpha = 0.5 * (numtaps - 1);
        double[] h = new double[numtaps];
        double sum = 0;
        for (int i = 0; i < numtaps; i++) {
            double m = i - alpha;
            h[i] = c * sinc(c * m) * win[i];
            sum += h[i];
        }
        for (int i = 0; i < numtaps; i++) h[i] /= sum;
        return h;
    }

    /**
     * A radially symmetric 2-D low-pass filter (jinc × separable Kaiser window), normalised to unit DC gain;
     * row-major [numtaps][numtaps].
     */
    public static double[][] radialLowpass(int numtaps, double cutoff, double width, double fs) {
        if (numtaps < 1) throw new IllegalArgumentException("numtaps must be >= 1");
        double[] w = kaiserWindow(numtaps, kaiserBeta(kaiserAttenuation(numtaps, width / (fs / 2))));
        double[] x = new double[numtaps];
        for (int i = 0; i < numtaps; i++) x[i] = (i - (numtaps - 1) / 2.0) / fs;
        double[][] f = new double[numtaps][numtaps];
        double sum = 0;
        for (int i = 0; i < numtaps; i++) {
            for (int j = 0; j < numtaps; j++) {
                double r = Math.hypot(x[j], x[i]);
                // J1(2πfc·r)/(πr); its limit at r = 0 is fc
                double v = r == 0 ? cutoff : besselJ1(2 * cutoff * Math.PI * r) / (Math.PI * r);
                f[i][j] = v * w[i] * w[j];
                sum += f[i][j];
            }
        }
        for (double[] row : f) for (int j = 0; j < numtaps; j++) row[j] /= sum;
        return f;
    }

    /** Kaiser's estimate of the stopband attenuation (dB) for a filter of that length and normalised width. */
    public static double kaiserAttenuation(int numtaps, double width) {
        return 2.285 * (numtaps - 1) * Math.PI * width + 7.95;
    }

    /** Kaiser's β for a desired attenuation in dB. */
    public static double kaiserBeta(double a) {
        if (a > 50) return 0.1102 * (a - 8.7);
        if (a > 21) return 0.5842 * Math.pow(a - 21, 0.4) + 0.07886 * (a - 21);
        return 0.0;
    }

    /** The symmetric Kaiser window of length m. */
    public static double[] kaiserWindow(int m, double beta) {
        double[] w = new double[m];
        if (m == 1) {
            w[0] = 1;
            return w;
        }
        double alpha = (m - 1) / 2.0;
        double den = besselI0(beta);
        for (int n = 0; n < m; n++) {
            double t = (n - alpha) / alpha;
            w[n] = besselI0(beta * Math.sqrt(Math.max(0, 1 - t * t))) / den;
        }
        return w;
    }

    /** sin(πx)/(πx), 1 at 0. */
    public static double sinc(double x) {
        if (x == 0) return 1.0;
        double y = Math.PI * x;
        return Math.sin(y) / y;
    }

    /** Modified Bessel function of the first kind, order 0 (power series; accurate for the β range of windows). */
    public static double besselI0(double x) {
        double q = x * x / 4;
        double term = 1;
        double sum = 1;
        for (int k = 1; k < 500; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        return sum;
    }

    /**
     * Bessel function of the first kind, order 1, from Bessel's integral J1(x) = (1/π)∫₀^π cos(τ − x·sin τ) dτ; the
     * integrand is smooth and periodic, so the trapezoidal rule converges spectrally (enough points for |x| ≲ 200).
     */
    public static double besselJ1(double x) {
        int n = Math.max(64, (int) Math.ceil(Math.abs(x)) + 64);
        double h = Math.PI / n;
        double sum = 0.5 * (Math.cos(0) + Math.cos(Math.PI - x * Math.sin(Math.PI)));
        for (int i = 1; i < n; i++) {
            double t = i * h;
            sum += Math.cos(t - x * Math.sin(t));
        }
        return sum * h / Math.PI;
    }
}
