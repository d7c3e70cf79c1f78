package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.nn.FilteredLrelu;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.ModulatedConv;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One synthesis layer: the affine map of its w to a style, the modulated convolution (demodulated, except in ToRGB)
 * with its bias and 1/√magnitude_ema input gain, then the filtered leaky ReLU (up-sample, activate, clamp, low-pass
 * and down-sample). ToRGB is the same class with a 1×1 kernel, no demodulation and a linear activation.
 *
 * <p>The nonlinearity is independent per channel, so it can run on a range of channels ({@link #activate(NDArray, int,
 * int)}): the slice of the result equals the same slice of the whole. That is what bounds memory at high resolution:
 * its up-sampled stages (×4 or ×16 the convolution's output) only ever exist for one chunk of channels. The
 * convolution itself runs whole (split, it would re-read and re-pack its input for every chunk).
 *
 * <p>A layer of a tunable copy ({@link StyleGan3Generator#tunableCopy}) holds its parameters as the file stores them
 * and derives the scaled affine and the normalised conv weight at every call, so that gradients reach the stored
 * parameters; a fixed layer derives them once at load, and its backward computes no weight gradients at all.
 */
final class SynthesisLayer {
    private final String name;
    private final StyleGan3Config.LayerSpec spec;
    private final DataType dtype;
    private final int inC, outC, kernel;
    private final boolean torgb;
    /** Fixed layers: the affine as (weight · gain)ᵀ and the conv weight pre-normalised at load; null when tunable. */
    private final NDArray affineWT, affineB, weight, bias;
    /** Tunable layers (pivotal tuning): the stored parameters, the derived forms computed at every call; else null. */
    private final Trainable trainable;
    /** The affine's weight gain 1/√w_dim (float32: rounded, as the reference's float32 product rounds it). */
    private final double affineGain;
    private final float inputGain, styleGain;
    /** The same gains unrounded, for float64 evaluation. */
    private final double inputGain64, styleGain64;
    private final FilteredLrelu act;

    /**
     * {@code tunable}: keep the parameters as the file stores them, so that their gradients can be taken and they can be
     * changed ({@link Trainable}); the forward then derives the scaled affine and the normalised conv weight per call.
     */
    SynthesisLayer(ParamReader p, String name, StyleGan3Config.LayerSpec spec, int wDim, boolean tunable)
            throws ModelFileException {
        String src = p.store.source();
        String pre = "synthesis." + name + ".";
        this.name = name;
        this.spec = spec;
        this.dtype = p.dtype;
        this.torgb = spec.isToRgb();
        Tensor w = p.tensor(pre + "weight");
        long[] ws = w.shape();
        if (ws.length != 4 || ws[2] != ws[3]) throw new ModelFileException(src, pre + "weight has shape " + Arrays.toString(ws));
        this.outC = (int) ws[0];
        this.inC = (int) ws[1];
        this.kernel = (int) ws[2];
        if (kernel != spec.convKernel()) {
            throw new ModelFileException(src, pre + "weight has kernel " + kernel + ", the kwargs say " + spec.convKernel());
        }
        affineGain = 1 / Math.sqrt(wDim);
        styleGain64 = torgb ? 1 / Math.sqrt((double) inC * kernel * kernel) : 1;
        styleGain = (float) styleGain64;
        if (tunable) {
            NDArray[] raw = new NDArray[Trainable.SUFFIXES.length];
            for (int i = 0; i < raw.length; i++) raw[i] = p.param(pre + Trainable.SUFFIXES[i]);
            trainable = new Trainable(raw);
            affineWT = null;
            affineB = null;
            weight = null;
            bias = null;
        } else {
            trainable = null;
            // (weight · gain)ᵀ as a transposed view, the form the reference multiplies by and a tunable copy computes
            // per call: a copy with unchanged weights renders this network's images to the bit (the scaled array stays
            // open with the model: it may hold the Java buffer the view reads)
            affineWT = p.scaled(pre + "affine.weight", affineGain).transpose();
            affineB = p.param(pre + "affine.bias");
            NDArray wt = p.param(pre + "weight");
            if (torgb) {
                weight = wt;
            } else {
                // the normalisation's temporaries (and the raw weight) are not kept with the model
                try (Scope sc = Scope.of(wt)) {
                    weight = sc.keep(ModulatedConv.normalizeWeight(wt));
                }
                wt.close();
            }
            bias = p.param(pre + "bias");
        }
        float mag = p.tensor(pre + "magnitude_ema").toFloatArray()[0];
        inputGain64 = 1 / Math.sqrt(mag);
        inputGain = (float) inputGain64;
        float[] fu = p.has(pre + "up_filter") ? p.tensor(pre + "up_filter").toFloatArray() : null;
        float[] fd = null;
        boolean radial = false;
        if (p.has(pre + "down_filter")) {
            Tensor d = p.tensor(pre + "down_filter");
            fd = d.toFloatArray();
            radial = d.rank() == 2;
        }
        if (fu != null && p.tensor(pre + "up_filter").rank() != 1) {
            throw new ModelFileException(src, pre + "up_filter is not 1-D (only separable up-sampling filters exist)");
        }
        int convOut = spec.inSize() + kernel - 1;
        act = new FilteredLrelu(p.manager, outC, fu, fd, radial, spec.upFactor(), spec.downFactor(), spec.padding(),
                convOut, convOut, torgb ? 1 : Math.sqrt(2), torgb ? 1 : 0.2, spec.convClamp(), dtype);
        if (act.outHeight() != spec.outSize() || act.outWidth() != spec.outSize()) {
            throw new ModelFileException(src, "layer " + name + " would output " + act.outHeight() + " px, expected "
                    + spec.outSize());
        }
    }

    String name() {
        return name;
    }

    StyleGan3Config.LayerSpec spec() {
        return spec;
    }

    int inChannels() {
        return inC;
    }

    int outChannels() {
        return outC;
    }

    boolean isToRgb() {
        return torgb;
    }

    int outSize() {
        return act.outHeight();
    }

    /** The convolution's output size (kernel 3 adds one pixel on each side). */
    int convSize() {
        return spec.inSize() + kernel - 1;
    }

    /** Per-channel sizes of the nonlinearity's stages (see {@link FilteredLrelu#stageElements}). */
    long[] actStages() {
        return act.stageElements();
    }

    /** Per-channel elements the nonlinearity's recorded graph keeps (see {@link FilteredLrelu#savedElements}). */
    long actSaved() {
        return act.savedElements();
    }

    /** The style (the affine output, StyleSpace's s) of w [N, w_dim]: [N, C_in]. */
    NDArray style(NDArray w) {
        if (trainable == null) return w.matMul(affineWT).add(affineB);
        NDArray a = trainable.get(Trainable.AFFINE_WEIGHT);
        // the parameter is borrowed so that the scaled copy lands in the scope, not in the network's manager
        try (Scope sc = Scope.under(w.getManager()).borrow(a)) {
            NDArray scaled = dtype == DataType.FLOAT64 ? Nd.mulLike(a, affineGain) : Nd.mul(a, (float) affineGain);
            return sc.keep(w.matMul(scaled.transpose()).add(trainable.get(Trainable.AFFINE_BIAS)));
        }
    }

    /** The factor StyleSpace applies to this layer's affine output (1/√(C_in·k²) for ToRGB, else 1). */
    float styleSpaceGain() {
        return styleGain;
    }

    /** A style times the ToRGB weight gain, in the network's precision. */
    NDArray gained(NDArray s) {
        return dtype == DataType.FLOAT64 ? Nd.mulLike(s, styleGain64) : Nd.mul(s, styleGain);
    }

    /**
     * The layer on x [N, C_in, H, W] with style s [N, C_in]; {@code gainApplied}: s already carries the ToRGB gain
     * (StyleSpace values). Without a graph being recorded, the convolution runs in bands of at most {@code band} rows
     * and the nonlinearity on at most {@code chunk} channels at a time; a recorded pass keeps the convolution whole (its
     * graph holds the input anyway) and splits the nonlinearity. {@code releaseInput}: x is the caller's temporary and
     * may be closed once the convolution has read it. Temporaries go to x's manager.
     */
    NDArray forward(NDArray x, NDArray s, boolean gainApplied, int chunk, int band, boolean releaseInput) {
        boolean graph = Gradients.isRecording();
        NDArray y = conv(x, s, gainApplied, graph ? convSize() : band);
        if (releaseInput && !graph) x.close();
        return activate(y, chunk);
    }

    /** The modulated weights for style s (the ToRGB gain applied unless {@code gainApplied}). */
    private ModulatedConv.Weights weights(NDArray s, boolean gainApplied) {
        NDArray st = torgb && !gainApplied ? gained(s) : s;
        return ModulatedConv.modulate(convWeight(s.getManager()), st, !torgb,
                dtype == DataType.FLOAT64 ? inputGain64 : inputGain, trainable == null ? bias : trainable.get(Trainable.BIAS));
    }

    /** The conv weight as the modulation takes it: pre-normalised unless ToRGB; a tunable layer's made in {@code into}. */
    private NDArray convWeight(NDManager into) {
        if (trainable == null) return weight;
        NDArray w = trainable.get(Trainable.WEIGHT);
        if (torgb) return w;
        try (Scope sc = Scope.under(into).borrow(w)) {
            return sc.keep(ModulatedConv.normalizeWeight(w));
        }
    }

    /** The tunable parameters, or null for a fixed layer. */
    Trainable trainable() {
        return trainable;
    }

    /**
     * A tunable layer's parameters as the network file stores them (its {@code synthesis.<layer>.*} tensors:
     * {@link #SUFFIXES}), updated in place by an optimiser, and during a step the leaves that step differentiates into
     * ({@link #track}): over the same storage, so the forward reads the current values and every backward — recorded or
     * recomputed, whole or in pieces — leaves the weights' gradients in them.
     */
    static final class Trainable {
        static final String[] SUFFIXES = {"weight", "bias", "affine.weight", "affine.bias"};
        static final int WEIGHT = 0, BIAS = 1, AFFINE_WEIGHT = 2, AFFINE_BIAS = 3;

        private final NDArray[] params;
        private NDArray[] leaves;

        private Trainable(NDArray[] params) {
            this.params = params;
        }

        /** The parameter i (its step leaf while one is tracked). */
        NDArray get(int i) {
            return leaves != null ? leaves[i] : params[i];
        }

        /** The stored parameter i itself. */
        NDArray param(int i) {
            return params[i];
        }

        /** Installs leaves over the parameters, made in {@code step}; their gradients collect until {@link #untrack}. */
        NDArray[] track(NDManager step) {
            if (leaves != null) throw new IllegalStateException("the weights are already being tracked");
            NDArray[] l = new NDArray[params.length];
            for (int i = 0; i < l.length; i++) {
                l[i] = Gradients.leaf(params[i]);
                l[i].attach(step);
            }
            leaves = l;
            return l;
        }

        void untrack() {
            leaves = null;
        }

        boolean tracked() {
            return leaves != null;
        }
    }

    /**
     * The modulated convolution with bias: [N, C_out, H + k − 1, W + k − 1], the nonlinearity's input; without a graph
     * in bands of at most {@code band} output rows (the convolution copies and repacks its input while it runs: a
     * band's worth instead of the whole).
     */
    NDArray conv(NDArray x, NDArray s, boolean gainApplied, int band) {
        ModulatedConv.Weights w = weights(s, gainApplied);
        int p = kernel - 1;
        if (band >= convSize()) return ModulatedConv.convolve(x, w, p, p);
        long n = x.getShape().get(0);
        NDArray y = x.getManager().create(new Shape(n, outC, convSize(), convSize()), x.getDataType());
        for (Band b : bands(band, (int) x.getShape().get(2))) {
            try (Scope sc = Scope.of(x)) {
                y.set(new NDIndex(":, :, " + b.r0 + ":" + b.r1), ModulatedConv.convolve(b.input(x), w, 0, p));
            }
        }
        return y;
    }

    /**
     * The rows of one band: output rows [r0, r1) of the convolution read input rows [i0, i1) = [r0 − p, r1) clipped to
     * the image (k − 1 = p), with {@code top} / {@code bottom} zero rows added where the band reaches past it.
     */
    private record Band(long r0, long r1, long i0, long i1, int top, int bottom) {
        /** The band's input: a view of x, zero-padded at the image's edges (then a copy). */
        NDArray input(NDArray x) {
            NDArray in = x.get(new NDIndex(":, :, " + i0 + ":" + i1));
            if (top == 0 && bottom == 0) return in;
            NDArray padded = in.pad(new Shape(0, 0, top, bottom), 0);
            in.close();
            return padded;
        }
    }

    private List<Band> bands(int band, int h) {
        int p = kernel - 1;
        List<Band> out = new ArrayList<>();
        for (long r0 = 0; r0 < convSize(); r0 += band) {
            long r1 = Math.min(convSize(), r0 + band);
            long i0 = Math.max(0, r0 - p), i1 = Math.min(h, r1);
            out.add(new Band(r0, r1, i0, i1, (int) (i0 - (r0 - p)), (int) (r1 - i1)));
        }
        return out;
    }

    /**
     * The filtered nonlinearity on the convolution's output y (closed here), {@code chunk} channels at a time: it is
     * per channel, so the pieces are exactly the slices of the whole. With nothing recorded the pieces are written into
     * one output array; with a graph y is split (its backward joins the pieces' gradients in one copy) and the pieces
     * concatenated (one extra output-sized copy at the end, when their up-sampled stages are long gone).
     */
    NDArray activate(NDArray y, int chunk) {
        if (chunk >= outC) return act.forward(y, true);
        long n = y.getShape().get(0);
        if (Gradients.isRecording()) {
            long[] cuts = new long[(outC - 1) / chunk];
            for (int i = 0; i < cuts.length; i++) cuts[i] = (long) (i + 1) * chunk;
            NDList pieces = y.split(cuts, 1);
            NDList outs = new NDList();
            for (NDArray piece : pieces) {
                try (Scope sc = Scope.of(piece)) {
                    outs.add(sc.keep(act.forward(piece, true)));
                }
            }
            y.close();
            NDArray cat = NDArrays.concat(outs, 1);
            outs.close();
            return cat;
        }
        NDArray out = y.getManager().create(outShape(n), y.getDataType());
        for (int c0 = 0; c0 < outC; c0 += chunk) {
            int c1 = Math.min(outC, c0 + chunk);
            try (Scope sc = Scope.of(y)) {
                out.set(new NDIndex(":, " + c0 + ":" + c1), act.forward(y.get(new NDIndex(":, " + c0 + ":" + c1)), true));
            }
        }
        y.close();
        return out;
    }

    /**
     * The recomputed backward of this layer: given its input x (a checkpoint, no graph), a style leaf s and the output
     * gradient g, returns the input gradient and leaves the style gradient in s (and, while a tunable layer's weights are
     * tracked, their gradients in the weights' leaves: the bias as one more leaf). Whole, it records the layer and
     * back-propagates once. In pieces, gradients are joined by hand, never through slices of a recorded array (whose
     * backward would materialise a zero tensor of the whole for every piece): the convolution's output is recomputed
     * without a graph; each chunk of channels of the nonlinearity is a leaf of its own, recomputed and back-propagated,
     * its gradient written into the convolution output's gradient; then each band of the convolution, its input slice a
     * leaf, back-propagates its part into the input gradient (added: neighbouring bands share rows) and into the
     * modulated weights, which pass theirs on to s once.
     */
    NDArray backward(NDArray x, NDArray s, NDArray g, boolean gainApplied, int chunk, int band) {
        if (chunk >= outC && band >= convSize()) {
            NDArray xl = Gradients.leaf(x);
            Gradients.backward(activate(conv(xl, s, gainApplied, band), chunk), g, false);
            return xl.getGradient();
        }
        NDArray y = Gradients.withoutGraph(() -> conv(x, s, gainApplied, band));
        NDArray gy = y.getManager().create(y.getShape(), y.getDataType());
        for (int c0 = 0; c0 < outC; c0 += chunk) {
            int c1 = Math.min(outC, c0 + chunk);
            try (Scope sc = Scope.of(y).borrow(g)) {
                NDArray yc = Gradients.leaf(y.get(new NDIndex(":, " + c0 + ":" + c1)));
                Gradients.backward(act.forward(yc, false), g.get(new NDIndex(":, " + c0 + ":" + c1)), false);
                gy.set(new NDIndex(":, " + c0 + ":" + c1), yc.getGradient());
            }
        }
        y.close();
        ModulatedConv.Weights w = weights(s, gainApplied);
        NDArray wl = Gradients.leaf(w.weight());
        // weights being tuned: the bias is a leaf too and passes its gradient on once (a batch repeats it per sample,
        // a graph every band would otherwise run through and free)
        boolean weightGrads = trainable != null && trainable.tracked();
        NDArray bl = weightGrads ? Gradients.leaf(w.bias()) : w.bias();
        ModulatedConv.Weights wLeaf = new ModulatedConv.Weights(wl, bl, w.samples(), w.out(), w.kernel());
        NDArray gx = x.zerosLike();
        int p = kernel - 1;
        for (Band b : bands(band, (int) x.getShape().get(2))) {
            try (Scope sc = Scope.of(x).borrow(gy, gx)) {
                NDArray xb = Gradients.leaf(x.get(new NDIndex(":, :, " + b.i0 + ":" + b.i1)));
                NDArray in = b.top == 0 && b.bottom == 0 ? xb : xb.pad(new Shape(0, 0, b.top, b.bottom), 0);
                Gradients.backward(ModulatedConv.convolve(in, wLeaf, 0, p), gy.get(new NDIndex(":, :, " + b.r0 + ":" + b.r1)), false);
                gx.get(new NDIndex(":, :, " + b.i0 + ":" + b.i1)).addi(xb.getGradient());
            }
        }
        gy.close();
        Gradients.backward(w.weight(), wl.getGradient(), false);
        if (weightGrads) Gradients.backward(w.bias(), bl.getGradient(), false);
        return gx;
    }

    /** The output shape for N samples. */
    Shape outShape(long n) {
        return new Shape(n, outC, outSize(), outSize());
    }
}
