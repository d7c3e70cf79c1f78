package dev.styleclip.model.stylegan3;

/**
 * numpy's legacy {@code np.random.RandomState(seed)}: MT19937 seeded with an integer seed (Knuth's initialisation,
 * numpy's {@code mt19937_seed}) and the legacy Gaussian (polar Box–Muller keeping the second value for the next call),
 * so that {@code new NumpyRandom(seed).randn(n)} equals {@code RandomState(seed).randn(n)} bit for bit — the latents
 * gen_images.py draws for a seed.
 */
public final class NumpyRandom {
    private static final int N = 624;
    private static final int M = 397;
    private final int[] mt = new int[N];
    private int pos;
    private boolean hasGauss;
    private double gauss;

    /** @param seed 0 … 2³²−1, as numpy accepts */
    public NumpyRandom(long seed) {
        if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("seed must be between 0 and 2**32 - 1");
        int s = (int) seed;
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        pos = N;
    }

    private void generate() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
            int v = mt[(i + M) % N] ^ (y >>> 1);
            if ((y & 1) != 0) v ^= 0x9908b0df;
            mt[i] = v;
        }
        pos = 0;
    }

    /** The next 32-bit output, as an unsigned value. */
    public long nextInt32() {
        if (pos >= N) generate();
        int y = mt[pos++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** Uniform double in [0, 1) with 53 random bits (numpy's random_sample). */
    public double nextDouble() {
        long a = nextInt32() >>> 5;
        long b = nextInt32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /** One standard normal sample (numpy's legacy_gauss). */
    public double nextGaussian() {
        if (hasGauss) {
            hasGauss = false;
            return gauss;
        }
        double x1, x2, r2;
        do {
            x1 = 2.0 * nextDouble() - 1.0;
            x2 = 2.0 * nextDouble() - 1.0;
            r2 = x1 * x1 + x2 * x2;
        } while (r2 >= 1.0 || r2 == 0.0);
        double f = Math.sqrt(-2.0 * log(r2) / r2);
        gauss = f * x1;
        hasGauss = true;
        return f * x2;
    }

    private static final java.math.MathContext MC = new java.math.MathContext(40);
    private static final java.math.BigDecimal LN2 =
            new java.math.BigDecimal("0.69314718055994530941723212145817656807550013436026");

    /**
     * Correctly rounded natural logarithm (the C library's log, which numpy calls, is correctly rounded in practice;
     * Java's Math.log may differ by an ulp): series in 40-digit decimal arithmetic, rounded once.
     */
    static double log(double x) {
        if (!(x > 0) || Double.isInfinite(x)) return Math.log(x);
        int e = Math.getExponent(x);
        double m = Math.scalb(x, -e); // [1, 2)
        if (m > Math.sqrt(2)) {
            m /= 2;
            e++;
        }
        java.math.BigDecimal bm = new java.math.BigDecimal(m);
        java.math.BigDecimal t = bm.subtract(java.math.BigDecimal.ONE).divide(bm.add(java.math.BigDecimal.ONE), MC);
        java.math.BigDecimal t2 = t.multiply(t, MC);
        java.math.BigDecimal term = t;
        java.math.BigDecimal sum = java.math.BigDecimal.ZERO;
        for (int k = 0; k < 200; k++) {
            java.math.BigDecimal add = term.divide(java.math.BigDecimal.valueOf(2L * k + 1), MC);
            sum = sum.add(add, MC);
            if (add.signum() == 0 || add.abs().compareTo(sum.abs().movePointLeft(38)) < 0) break;
            term = term.multiply(t2, MC);
        }
        java.math.BigDecimal r = sum.multiply(java.math.BigDecimal.valueOf(2)).add(LN2.multiply(java.math.BigDecimal.valueOf(e)), MC);
        return r.doubleValue();
    }

    /** {@code randn(n)}: n standard normal samples. */
    public double[] randn(int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = nextGaussian();
        return out;
    }

    /** The latent gen_images.py uses for a seed: {@code RandomState(seed).randn(1, zDim)} row 0. */
    public static double[] latent(long seed, int zDim) {
        return new NumpyRandom(seed).randn(zDim);
    }

    /** {@link #latent} as the float32 the generator takes (each value rounded once, as {@code torch.from_numpy(z).float()}). */
    public static float[] z(long seed, int zDim) {
        double[] d = latent(seed, zDim);
        float[] f = new float[zDim];
        for (int i = 0; i < zDim; i++) f[i] = (float) d[i];
        return f;
    }
}
