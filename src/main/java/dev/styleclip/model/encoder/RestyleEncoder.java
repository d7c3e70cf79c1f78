package dev.styleclip.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.nn.Scope;

import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image encoder of ReStyle for StyleGAN3 (yuval-alaluf/stylegan3-editing): an IR-SE backbone on a 6-channel input
 * (photo + current reconstruction, both in [-1, 1] at S×S) followed by {@code n_styles} "GradualStyleBlock" heads that
 * each map the body output to one w vector.
 * <ul>
 *   <li><b>pSp</b> ({@code BackboneEncoder}): {@code out[:, j] = head_j(feat)};</li>
 *   <li><b>e4e</b> ({@code ProgressiveBackboneEncoder}): {@code out[:, 0] = head_0(feat)},
 *       {@code out[:, j] = head_0(feat) + head_j(feat)} for j ≥ 1.</li>
 * </ul>
 * A head is {@code k} × [conv 3×3 stride 2 pad 1 with bias, LeakyReLU 0.01] bringing the body's spatial size down to 1,
 * then an equalised linear layer {@code y = x·(W/√w_dim)ᵀ + b}. Everything structural (widths, unit count, strides,
 * number of heads and head convs, w_dim, the input size S = 2^k · backbone downsampling) is derived from the state-dict
 * keys and shapes ({@code encoder.*} keys; the {@code encoder.} prefix is optional).
 *
 * <p>Implementation: the first convolutions of all heads run as one convolution (their weights stacked), the later ones
 * as one grouped convolution, the linear layers as one batched matmul — three big ops instead of 16 × k small ones.
 * Parameters live in this object's manager; {@link #forward} keeps its temporaries in a sub-manager.
 */
public final class RestyleEncoder implements AutoCloseable, dev.styleclip.nn.MemoryFootprint {

    /** Which forward the checkpoint's {@code opts.encoder_type} selects. */
    public enum Kind {
        PSP("ReStyle-pSp", "BackboneEncoder"),
        E4E("ReStyle-e4e", "ProgressiveBackboneEncoder");

        private final String label;
        private final String encoderType;

        Kind(String label, String encoderType) {
            this.label = label;
            this.encoderType = encoderType;
        }

        public String label() {
            return label;
        }

        public String encoderType() {
            return encoderType;
        }

        /** The kind for an {@code opts.encoder_type} value, or null when not supported. */
        public static Kind of(String encoderType) {
            for (Kind k : values()) if (k.encoderType.equals(encoderType)) return k;
            return null;
        }
    }

    /** The LeakyReLU slope of the style heads (torch's default). */
    public static final float HEAD_SLOPE = 0.01f;

    private static final Pattern HEAD_KEY = Pattern.compile("^styles\\.(\\d+)\\.linear\\.weight$");
    private static final Pattern CONV_KEY = Pattern.compile("^styles\\.0\\.convs\\.(\\d+)\\.weight$");

    private final NDManager manager;
    private final Kind kind;
    private final IrSeBackbone backbone;
    private final int nStyles;
    private final int wDim;
    private final int headConvs;
    private final int inputSize;
    private final NDArray[] convW; // [0]: [nStyles*wDim, C, 3, 3]; [i>0]: [nStyles*wDim, wDim, 3, 3] grouped by head
    private final NDArray[] convB; // [nStyles*wDim]
    private final NDArray linWT; // [nStyles, wDim(in), wDim(out)], scaled by 1/sqrt(wDim)
    private final NDArray linB; // [nStyles, 1, wDim]

    private RestyleEncoder(NDManager manager, Kind kind, IrSeBackbone backbone, int nStyles, int wDim, int headConvs,
                           NDArray[] convW, NDArray[] convB, NDArray linWT, NDArray linB) {
        this.manager = manager;
        this.kind = kind;
        this.backbone = backbone;
        this.nStyles = nStyles;
        this.wDim = wDim;
        this.headConvs = headConvs;
        this.convW = convW;
        this.convB = convB;
        this.linWT = linWT;
        this.linB = linB;
        this.inputSize = (1 << headConvs) * backbone.downsampling();
    }

    /**
     * Builds the encoder from a state dict holding the {@code encoder.*} keys (a whole pSp/e4e state dict, or the
     * encoder's own keys without prefix).
     */
    public static RestyleEncoder load(TensorStore stateDict, Kind kind) throws ModelFileException {
        TensorStore sd = stateDict.contains("encoder.input_layer.0.weight") ? stateDict.subStore("encoder.") : stateDict;
        String src = stateDict.source();
        if (!sd.contains("input_layer.0.weight") || !sd.contains("styles.0.linear.weight")) {
            throw new ModelFileException(src, "is not a ReStyle encoder (no encoder.input_layer / encoder.styles keys)");
        }
        int n = 0;
        for (String k : sd.names()) {
            Matcher m = HEAD_KEY.matcher(k);
            if (m.matches()) n = Math.max(n, Integer.parseInt(m.group(1)) + 1);
        }
        int convCount = 0;
        for (String k : sd.names()) {
            Matcher m = CONV_KEY.matcher(k);
            if (m.matches()) {
                int idx = Integer.parseInt(m.group(1));
                if (idx % 2 != 0) throw new ModelFileException(src, "style head conv at odd index " + idx);
                convCount = Math.max(convCount, idx / 2 + 1);
            }
        }
        if (convCount == 0) throw new ModelFileException(src, "has style heads without convolutions");
        IrSeBackbone backbone = IrSeBackbone.load(sd);
        NDManager m = NDManager.newBaseManager();
        try {
            if (backbone.hasOutputLayer()) throw new ModelFileException(src, "encoder backbone has an output layer");
            long[] l0 = sd.get("styles.0.linear.weight").shape();
            if (l0.length != 2 || l0[0] != l0[1]) throw new ModelFileException(src, "styles.0.linear.weight has shape " + java.util.Arrays.toString(l0));
            int wDim = (int) l0[0];
            int cIn = backbone.bodyChannels();
            NDArray[] cw = new NDArray[convCount];
            NDArray[] cb = new NDArray[convCount];
            for (int i = 0; i < convCount; i++) {
                int in = i == 0 ? cIn : wDim;
                int per = in * 9;
                float[] w = new float[n * wDim * per];
                float[] b = new float[n * wDim];
                for (int j = 0; j < n; j++) {
                    String p = "styles." + j + ".convs." + (2 * i) + ".";
                    Tensor tw = need(sd, p + "weight", src, wDim, in, 3, 3);
                    Tensor tb = need(sd, p + "bias", src, wDim);
                    System.arraycopy(tw.toFloatArray(), 0, w, j * wDim * per, wDim * per);
                    System.arraycopy(tb.toFloatArray(), 0, b, j * wDim, wDim);
                }
                cw[i] = m.create(w, new Shape((long) n * wDim, in, 3, 3));
                cb[i] = m.create(b, new Shape((long) n * wDim));
            }
            float[] lw = new float[n * wDim * wDim];
            float[] lb = new float[n * wDim];
            float gain = (float) (1 / Math.sqrt(wDim));
            for (int j = 0; j < n; j++) {
                String p = "styles." + j + ".linear.";
                float[] w = need(sd, p + "weight", src, wDim, wDim).toFloatArray();
                for (int o = 0; o < wDim; o++) {
                    for (int i = 0; i < wDim; i++) lw[j * wDim * wDim + i * wDim + o] = w[o * wDim + i] * gain;
                }
                System.arraycopy(need(sd, p + "bias", src, wDim).toFloatArray(), 0, lb, j * wDim, wDim);
            }
            NDArray linWT = m.create(lw, new Shape(n, wDim, wDim));
            NDArray linB = m.create(lb, new Shape(n, 1, wDim));
            return new RestyleEncoder(m, kind, backbone, n, wDim, convCount, cw, cb, linWT, linB);
        } catch (ModelFileException | RuntimeException e) {
            m.close();
            backbone.close();
            throw e;
        }
    }

    private static Tensor need(TensorStore sd, String key, String src, long... shape) throws ModelFileException {
        if (!sd.contains(key)) throw new ModelFileException(src, "has no encoder." + key);
        Tensor t = sd.get(key);
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(src, "encoder." + key + " has shape " + java.util.Arrays.toString(t.shape())
                    + ", expected " + java.util.Arrays.toString(shape));
        }
        return t;
    }

    /**
     * A random-weight encoder of the official architecture (IR-SE-50 on 6 channels, input 256, body 16×16, heads of 4
     * convs) for {@code nStyles} × {@code wDim}: for benchmarks and demos only (its latents mean nothing).
     */
    public static RestyleEncoder demo(Kind kind, int nStyles, int wDim, long seed) {
        TensorStore bb = dev.styleclip.model.arcface.IrSeStateDicts.synthetic(6, 64, new int[]{3, 4, 14, 3},
                new int[]{64, 128, 256, 512}, true, 0, 256, seed);
        dev.styleclip.io.MapTensorStore sd = new dev.styleclip.io.MapTensorStore("demo ReStyle encoder (random weights)",
                dev.styleclip.io.Format.SAFETENSORS);
        for (Tensor t : bb.tensors()) sd.put(t);
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed + 1);
        for (int j = 0; j < nStyles; j++) {
            for (int i = 0; i < 4; i++) {
                int in = i == 0 ? 512 : wDim;
                sd.put(random(rnd, "styles." + j + ".convs." + (2 * i) + ".weight", Math.sqrt(3.0 / (in * 9)), wDim, in, 3, 3));
                sd.put(random(rnd, "styles." + j + ".convs." + (2 * i) + ".bias", 0.01, wDim));
            }
            sd.put(random(rnd, "styles." + j + ".linear.weight", Math.sqrt(3.0) * 0.1, wDim, wDim));
            sd.put(random(rnd, "styles." + j + ".linear.bias", 0.0, wDim));
        }
        try {
            return load(sd, kind);
        } catch (ModelFileException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Tensor random(java.util.SplittableRandom rnd, String name, double a, long... shape) {
        float[] v = new float[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rnd.nextDouble() * 2 - 1) * a);
        return Tensor.ofFloats(name, shape, v);
    }

    // ------------------------------------------------------------------ structure

    @Override
    public long parameterBytes() {
        return dev.styleclip.nn.MemoryFootprint.bytesOf(manager) + backbone.parameterBytes();
    }

    /** The backbone at the encoder's input size, plus a quarter for the map-to-style heads and the feature pyramid. */
    @Override
    public long workingBytes(int batch, boolean backward) {
        long elems = backbone.activationElements(inputSize) * 5 / 4;
        return (long) batch * 4 * elems * (backward ? 2 : 1);
    }

    public Kind kind() {
        return kind;
    }

    public IrSeBackbone backbone() {
        return backbone;
    }

    public int nStyles() {
        return nStyles;
    }

    public int wDim() {
        return wDim;
    }

    /** The side S of the encoder's input (256 for the official models). */
    public int inputSize() {
        return inputSize;
    }

    public int headConvs() {
        return headConvs;
    }

    public String describe() {
        return kind.label() + ": " + backbone.describe() + ", " + nStyles + " heads x " + headConvs + " convs, w_dim "
                + wDim + ", input " + inputSize + "x" + inputSize;
    }

    // ------------------------------------------------------------------ forward

    /** Observes the intermediates of a forward pass (arrays valid during the call only). */
    public interface Listener {
        /** The input layer's output. */
        default void inputLayer(NDArray x) {
        }

        /** The output of the last unit of stage {@code stage} (1-based). */
        default void stage(int stage, NDArray x) {
        }

        /** The raw head outputs {@code [N, nStyles, wDim]} (before e4e's accumulation). */
        default void heads(NDArray x) {
        }
    }

    /** {@code x [N, 6, S, S]} → codes {@code [N, nStyles, wDim]} (the offset to add to the current latent). */
    public NDArray forward(NDArray x) {
        return forward(x, null);
    }

    public NDArray forward(NDArray x, Listener listener) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != backbone.inputChannels() || s.get(2) != inputSize || s.get(3) != inputSize) {
            throw new IllegalArgumentException("the encoder takes [N," + backbone.inputChannels() + "," + inputSize + ","
                    + inputSize + "], got " + s);
        }
        try (Scope scope = Scope.of(x)) {
            NDArray h = backbone.inputLayer(x);
            if (listener != null) listener.inputLayer(h);
            int[] ends = backbone.stageEnds();
            BiConsumer<Integer, NDArray> stageHook = (i, out) -> {
                for (int k = 0; k < ends.length; k++) if (ends[k] == i) listener.stage(k + 1, out);
            };
            h = backbone.body(h, listener == null ? null : stageHook::accept);
            NDArray heads = heads(h);
            if (listener != null) listener.heads(heads);
            NDArray out = heads;
            if (kind == Kind.E4E) {
                NDArray w0 = heads.get(":, 0:1, :");
                out = heads.add(w0);
                out.set(new ai.djl.ndarray.index.NDIndex(":, 0:1, :"), w0);
            }
            return scope.keep(out);
        }
    }

    private NDArray heads(NDArray feat) {
        long n = feat.getShape().get(0);
        long sp = feat.getShape().get(2);
        if (sp != (1L << headConvs) || feat.getShape().get(3) != sp) {
            throw new IllegalArgumentException("body output " + feat.getShape() + " does not fit " + headConvs + " head convs");
        }
        NDArray h = Conv2d.conv2d(feat, convW[0], convB[0], new Shape(2, 2), new Shape(1, 1)).singletonOrThrow();
        h = Activation.leakyRelu(h, HEAD_SLOPE);
        for (int i = 1; i < headConvs; i++) {
            h = Conv2d.conv2d(h, convW[i], convB[i], new Shape(2, 2), new Shape(1, 1), new Shape(1, 1), nStyles).singletonOrThrow();
            h = Activation.leakyRelu(h, HEAD_SLOPE);
        }
        // [N, nStyles*wDim, 1, 1] -> [nStyles, N, wDim] @ [nStyles, wDim, wDim] -> [N, nStyles, wDim]
        NDArray v = h.reshape(n, nStyles, wDim).transpose(1, 0, 2);
        return v.matMul(linWT).add(linB).transpose(1, 0, 2);
    }

    @Override
    public void close() {
        manager.close();
        backbone.close();
    }

    @Override
    public String toString() {
        return "RestyleEncoder[" + describe() + "]";
    }
}
