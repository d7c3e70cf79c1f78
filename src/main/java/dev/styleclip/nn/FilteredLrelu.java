package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

/**
 * The alias-free nonlinearity: up-sample by {@code up} with a separable low-pass filter (gain up²), leaky ReLU with
 * gain, clamp, low-pass filter with a separable or 2-D (radial) filter and down-sample by {@code down}; the same
 * values as zero-stuffing + full-rate filtering (see {@link Upfirdn#upfirdn2d}) but computed polyphase:
 *
 * <ul>
 * <li>up-sampling: one depthwise conv per axis whose u output channels per input channel are the u phases of the
 *     up-sampled signal (nothing is zero-stuffed, every multiply is with a real tap);</li>
 * <li>when {@code up} is a multiple of {@code down} (always, in StyleGAN3: 2/2 and 4/2) the signal stays in that
 *     phase layout through the activation and the down-sampling filter sums over the phases (a grouped conv per
 *     axis, or one grouped 2-D conv for a radial filter), producing up/down output phases that are interleaved at the
 *     output rate: no copy at the up-sampled rate, and only the kept output samples are computed;</li>
 * <li>otherwise the phases are interleaved once and the down filter runs strided (only kept samples computed).</li>
 * <li>the clamp pass is skipped when a max/min reduction shows that nothing reaches the bound.</li>
 * </ul>
 * The activation gain is folded into the up-sampling taps (leaky ReLU is positively homogeneous), the bias belongs
 * to the caller (add it before, e.g. as the convolution's bias). Weights are built once, in the given manager.
 */
public final class FilteredLrelu {
    private final int channels;
    private final int up;
    private final int down;
    private final float slope;
    /** The slope as given (float64 evaluation); float32 evaluation uses {@link #slope}. */
    private final double slope64;
    private final Double clamp;
    private final boolean phaseDown;
    private final boolean hasUp;
    private final boolean hasDown;
    private final boolean radial;
    private final double plainGain;
    private final int[] pad; // x lo, x hi, y lo, y hi applied to the input
    private final int qy, qx, needY, needX, outY, outX, inH, inW;
    /** Output phases per axis in the phase-domain path (up / down), and samples per output phase. */
    private final int m, py, px;
    /** Filter weights for all channels: y-up, x-up, x-down, y-down, 2-D down (null where unused). */
    private final NDArray[] full;
    /** Views of {@link #full} for fewer channels (channel chunks), by count. */
    private final java.util.Map<Integer, NDArray[]> perCount = new java.util.HashMap<>();

    /**
     * @param manager    where the constant filter weights live
     * @param channels   number of channels C
     * @param upFilter   1-D up-sampling filter or null (identity)
     * @param downFilter down-sampling filter (1-D of length k, or 2-D k×k row-major when {@code downRadial}) or null
     * @param downRadial whether the down filter is 2-D
     * @param up         up factor
     * @param down       down factor
     * @param padding    [x0, x1, y0, y1] padding of the up-sampled signal (negative = crop)
     * @param inH        input height
     * @param inW        input width
     * @param gain       activation gain (e.g. √2)
     * @param slope      leaky ReLU slope (1 = linear)
     * @param clamp      clamp bound after the activation, or null
     */
    public FilteredLrelu(NDManager manager, int channels, float[] upFilter, float[] downFilter, boolean downRadial,
                         int up, int down, int[] padding, int inH, int inW, double gain, double slope, Double clamp) {
        this(manager, channels, upFilter, downFilter, downRadial, up, down, padding, inH, inW, gain, slope, clamp,
                DataType.FLOAT32);
    }

    /**
     * As above, with the filter weights (and so the evaluation) in {@code dtype}: float32 rounds every tap (products
     * with the gains taken in float64) once, float64 keeps them; the stored float32 filter taps themselves are used as
     * they are.
     */
    public FilteredLrelu(NDManager manager, int channels, float[] upFilter, float[] downFilter, boolean downRadial,
                         int up, int down, int[] padding, int inH, int inW, double gain, double slope, Double clamp,
                         DataType dtype) {
        this.slope64 = slope;
        this.inH = inH;
        this.inW = inW;
        this.channels = channels;
        this.up = up;
        this.down = down;
        this.slope = (float) slope;
        this.clamp = clamp;
        this.hasUp = upFilter != null;
        this.hasDown = downFilter != null;
        this.radial = downRadial && hasDown;
        if (!hasUp && up != 1) throw new IllegalArgumentException("up-sampling by " + up + " needs an up filter");
        int kd = !hasDown ? 1 : radial ? (int) Math.round(Math.sqrt(downFilter.length)) : downFilter.length;
        if (radial && kd * kd != downFilter.length) throw new IllegalArgumentException("2-D down filter is not square");
        int ku = hasUp ? upFilter.length : 1;
        int lx = inW * up + padding[0] + padding[1] - ku + 1;
        int ly = inH * up + padding[2] + padding[3] - ku + 1;
        this.outX = Math.floorDiv(lx - kd + down, down);
        this.outY = Math.floorDiv(ly - kd + down, down);
        if (outX < 1 || outY < 1) throw new IllegalArgumentException("filtered lrelu output would be empty");
        // Phase domain all the way when up is a multiple of down: the up-sampled signal's u phases feed the down
        // filter directly, which then yields m = up/down output phases (m = 1: the output itself).
        this.phaseDown = hasUp && hasDown && up > 1 && up % down == 0;
        this.m = phaseDown ? up / down : 1;
        this.needX = (outX - 1) * down + kd;
        this.needY = (outY - 1) * down + kd;
        int s = phaseDown ? Math.floorDiv(kd - 1 + (m - 1) * down, up) + 1 : 0;
        this.px = Upfirdn.ceilDiv(outX, m);
        this.py = Upfirdn.ceilDiv(outY, m);
        this.qx = phaseDown ? px + s - 1 : Upfirdn.ceilDiv(needX, up);
        this.qy = phaseDown ? py + s - 1 : Upfirdn.ceilDiv(needY, up);

        // Up-sampling taps: upfirdn gain up² = up per axis; the activation gain goes into the y pass.
        double[] gu = hasUp ? Upfirdn.flip(upFilter, up) : new double[]{1.0};
        Upfirdn.UpPlan py = new Upfirdn.UpPlan(gu, up, padding[2], inH, qy);
        Upfirdn.UpPlan px = new Upfirdn.UpPlan(gu, up, padding[0], inW, qx);
        this.pad = new int[]{px.padLo, px.padHi, py.padLo, py.padHi};
        this.plainGain = hasUp ? 1.0 : gain;
        NDArray yUp = null, xUp = null, xDown = null, yDown = null, down2d = null;
        if (hasUp) {
            int t = py.taps;
            double[] wy = new double[channels * up * t];
            for (int c = 0; c < channels; c++)
                for (int r = 0; r < up; r++)
                    for (int a = 0; a < t; a++) wy[(c * up + r) * t + a] = py.h[r][a] * gain;
            yUp = Nd.constant(manager, wy, new Shape((long) channels * up, 1, t, 1), dtype);
            int tx = px.taps;
            double[] wx = new double[channels * up * up * tx];
            for (int g = 0; g < channels * up; g++)
                for (int r = 0; r < up; r++)
                    for (int a = 0; a < tx; a++) wx[(g * up + r) * tx + a] = px.h[r][a];
            xUp = Nd.constant(manager, wx, new Shape((long) channels * up * up, 1, 1, tx), dtype);
        }
        if (hasDown) {
            if (radial) {
                double[] gd = new double[kd * kd];
                for (int i = 0; i < kd; i++)
                    for (int j = 0; j < kd; j++) gd[i * kd + j] = downFilter[(kd - 1 - i) * kd + (kd - 1 - j)];
                if (phaseDown) {
                    // groups = C; in (ry, rx), out (ey, ex): tap [sy][sx] = gd[sy·u + ry − ey·d][sx·u + rx − ex·d]
                    int in = up * up, o = m * m;
                    double[] w = new double[channels * o * in * s * s];
                    for (int c = 0; c < channels; c++)
                        for (int ey = 0; ey < m; ey++)
                            for (int ex = 0; ex < m; ex++)
                                for (int ry = 0; ry < up; ry++)
                                    for (int rx = 0; rx < up; rx++)
                                        for (int sy = 0; sy < s; sy++)
                                            for (int sx = 0; sx < s; sx++) {
                                                int iy = sy * up + ry - ey * down, ix = sx * up + rx - ex * down;
                                                double v = iy >= 0 && ix >= 0 && iy < kd && ix < kd ? gd[iy * kd + ix] : 0.0;
                                                int oc = (c * m + ey) * m + ex, ic = ry * up + rx;
                                                w[((oc * in + ic) * s + sy) * s + sx] = v;
                                            }
                    down2d = Nd.constant(manager, w, new Shape((long) channels * o, in, s, s), dtype);
                } else {
                    double[] w = new double[channels * kd * kd];
                    for (int c = 0; c < channels; c++)
                        for (int i = 0; i < kd * kd; i++) w[c * kd * kd + i] = gd[i];
                    down2d = Nd.constant(manager, w, new Shape(channels, 1, kd, kd), dtype);
                }
            } else {
                double[] gd = Upfirdn.flip(downFilter, 1.0);
                if (phaseDown) {
                    // x: groups = C·u (c, ry); in rx, out ex: tap s = gd[s·u + rx − ex·d]
                    double[] wx = new double[channels * up * m * up * s];
                    for (int grp = 0; grp < channels * up; grp++)
                        for (int ex = 0; ex < m; ex++)
                            for (int rx = 0; rx < up; rx++)
                                for (int j = 0; j < s; j++) {
                                    int idx = j * up + rx - ex * down;
                                    wx[(((grp * m + ex) * up) + rx) * s + j] = idx >= 0 && idx < kd ? gd[idx] : 0.0;
                                }
                    xDown = Nd.constant(manager, wx, new Shape((long) channels * up * m, up, 1, s), dtype);
                    // y: groups = C; in (ry, ex'), out (ey, ex): tap s = gd[s·u + ry − ey·d] where ex' = ex
                    int in = up * m, o = m * m;
                    double[] wy = new double[channels * o * in * s];
                    for (int c = 0; c < channels; c++)
                        for (int ey = 0; ey < m; ey++)
                            for (int ex = 0; ex < m; ex++)
                                for (int ry = 0; ry < up; ry++)
                                    for (int j = 0; j < s; j++) {
                                        int idx = j * up + ry - ey * down;
                                        int oc = (c * m + ey) * m + ex, ic = ry * m + ex;
                                        wy[(oc * in + ic) * s + j] = idx >= 0 && idx < kd ? gd[idx] : 0.0;
                                    }
                    yDown = Nd.constant(manager, wy, new Shape((long) channels * o, in, s, 1), dtype);
                } else {
                    double[] w = new double[channels * kd];
                    for (int c = 0; c < channels; c++) for (int i = 0; i < kd; i++) w[c * kd + i] = gd[i];
                    xDown = Nd.constant(manager, w, new Shape(channels, 1, 1, kd), dtype);
                    yDown = Nd.constant(manager, w, new Shape(channels, 1, kd, 1), dtype);
                }
            }
        }
        this.full = new NDArray[]{yUp, xUp, xDown, yDown, down2d};
    }

    /**
     * Elements per channel and sample of every intermediate {@link #forward} allocates, in order (the padded input
     * first, the output last): what a memory estimate needs, since the forward holds two consecutive stages at a time.
     * (The clamp's pass, rarely needed, allocates one more copy of the up-sampled stage.)
     */
    public long[] stageElements() {
        java.util.List<Long> st = new java.util.ArrayList<>();
        long hp = (long) pad[2] + pad[3] + inH, wp = (long) pad[0] + pad[1] + inW;
        st.add(hp * wp);
        if (hasUp) {
            st.add((long) up * qy * wp);
            st.add((long) up * up * qy * qx);
        }
        if (slope != 1f) st.add(st.get(st.size() - 1));
        if (phaseDown) {
            if (!radial) st.add((long) up * m * qy * px);
            st.add((long) m * m * py * px);
            if (m > 1) st.add((long) m * m * py * px);
        } else if (hasDown) {
            if (!radial) st.add((long) needY * outX);
            st.add((long) outY * outX);
        }
        return st.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Elements per channel and sample a recorded graph keeps for the backward: the input of every op that needs its
     * input (each filter pass, the leaky ReLU), i.e. every stage but the last filter pass's output and the
     * interleaved copy.
     */
    public long savedElements() {
        long[] st = stageElements();
        int drop = phaseDown && m > 1 ? 2 : 1;
        long s = 0;
        for (int i = 0; i < st.length - drop; i++) s += st[i];
        return s;
    }

    /** Output height. */
    public int outHeight() {
        return outY;
    }

    /** Output width. */
    public int outWidth() {
        return outX;
    }

    /**
     * Applies the op to x [N, c, inH, inW] (bias already added) for any c ≤ {@code channels}: every channel is
     * filtered alike, so a slice of the channels gives the matching slice of the output (what channel chunking relies
     * on). Each intermediate is closed as soon as the next one exists, so the peak is the largest pair of consecutive
     * stages, not their sum; with a graph being recorded, autograd keeps what its backward needs regardless.
     */
    public NDArray forward(NDArray x) {
        return forward(x, false);
    }

    /** As {@link #forward(NDArray)}; {@code release}: x is the caller's temporary, closed as soon as it is used. */
    public NDArray forward(NDArray x, boolean release) {
        Shape s = x.getShape();
        long n = s.get(0);
        int c = (int) s.get(1);
        if (c < 1 || c > channels) throw new IllegalArgumentException("filtered lrelu built for " + channels + " channels, got " + c);
        NDArray[] w = weights(c);
        Chain ch = new Chain(release ? null : x, x);
        ch.next(Upfirdn.padOrCrop(x, pad[0], pad[1], pad[2], pad[3]));
        if (hasUp) {
            ch.next(conv(ch.cur, w[0], 1, 1, c));
            ch.next(conv(ch.cur, w[1], 1, 1, c * up));
            if (!phaseDown && up > 1) ch.next(interleave(ch.cur, n, c, up, qy, qx));
            if (!phaseDown && ((long) qy * up != needY || (long) qx * up != needX)) {
                ch.next(ch.cur.get(new NDIndex(":, :, 0:" + needY + ", 0:" + needX)));
            }
        } else if (plainGain != 1) {
            ch.next(Nd.mul(ch.cur, plainGain));
        }
        // The clamp rarely bites: two read-only reductions decide whether the allocating clip pass is needed
        // (when nothing reaches the bound, clip is the identity in value and in gradient).
        boolean clampNeeded = false;
        boolean f64 = ch.cur.getDataType() == DataType.FLOAT64;
        if (clamp != null) {
            double hi, lo;
            try (NDArray max = ch.cur.max(); NDArray min = ch.cur.min()) {
                hi = f64 ? Nd.toDouble(max) : max.getFloat();
                lo = f64 ? Nd.toDouble(min) : min.getFloat();
            }
            double loAct = lo < 0 ? lo * (f64 ? slope64 : slope) : lo;
            clampNeeded = !(hi <= clamp && loAct >= -clamp);
        }
        if (slope != 1f) ch.next(f64 ? Nd.leakyRelu(ch.cur, slope64) : Activation.leakyRelu(ch.cur, slope));
        if (clampNeeded) ch.next(ch.cur.clip(-clamp, clamp));
        if (phaseDown) {
            if (radial) {
                ch.next(conv(ch.cur, w[4], 1, 1, c));
            } else {
                ch.next(conv(ch.cur, w[2], 1, 1, c * up));
                ch.next(conv(ch.cur, w[3], 1, 1, c));
            }
            if (m == 1) return ch.cur;
            ch.next(interleave(ch.cur, n, c, m, py, px));
            if ((long) py * m != outY || (long) px * m != outX) ch.next(ch.cur.get(new NDIndex(":, :, 0:" + outY + ", 0:" + outX)));
            return ch.cur;
        }
        if (hasDown) {
            if (radial) return ch.next(conv(ch.cur, w[4], down, down, c));
            ch.next(conv(ch.cur, w[2], 1, down, c));
            return ch.next(conv(ch.cur, w[3], down, 1, c));
        }
        if (down > 1) ch.next(ch.cur.get(new NDIndex(":, :, ::" + down + ", ::" + down)));
        return ch.cur;
    }

    /**
     * [N, c·f·f, P, Q] (f×f phases per channel, phase-major) → [N, c, P·f, Q·f], the phases interleaved; the two view
     * handles are closed at once so the phase tensor is freed with the chain.
     */
    private static NDArray interleave(NDArray x, long n, int c, int f, int p, int q) {
        try (NDArray v = x.reshape(n, c, f, f, p, q); NDArray t = v.transpose(0, 1, 4, 2, 5, 3)) {
            return t.reshape(n, c, (long) p * f, (long) q * f);
        }
    }

    /** The per-channel filter weights for c channels: views of the first c channels' rows, cached per c. */
    private NDArray[] weights(int c) {
        if (c == channels) return full;
        return perCount.computeIfAbsent(c, k -> {
            NDArray[] v = new NDArray[full.length];
            for (int i = 0; i < full.length; i++) {
                if (full[i] != null) {
                    long rows = full[i].getShape().get(0) / channels * k;
                    v[i] = full[i].get(new NDIndex("0:" + rows));
                }
            }
            return v;
        });
    }

    /** Steps through a chain of ops, closing each intermediate once the next exists (never the caller's input). */
    private static final class Chain {
        private final NDArray input;
        NDArray cur;

        Chain(NDArray keep, NDArray first) {
            this.input = keep;
            this.cur = first;
        }

        NDArray next(NDArray y) {
            if (cur != input && cur != y) cur.close();
            cur = y;
            return y;
        }
    }

    private static NDArray conv(NDArray x, NDArray w, int strideY, int strideX, int groups) {
        return Conv2d.conv2d(x, w, null, new Shape(strideY, strideX), new Shape(0, 0), new Shape(1, 1), groups)
                .singletonOrThrow();
    }
}
