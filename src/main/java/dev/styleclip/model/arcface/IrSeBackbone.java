package dev.styleclip.model.arcface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

/**
 * The InsightFace IR / IR-SE ResNet backbone (ArcFace) as used by StyleCLIP's ID loss ({@code model_ir_se50.pth}) and,
 * without its output layer and with a 6-channel input layer, by the ReStyle / e4e / pSp encoders.
 *
 * <p>Everything structural is read from the state-dict keys and shapes: input channels and width of the input layer,
 * the number of bottleneck units, their widths, SE or plain IR units, the stages (a unit has stride 2 iff it is the first
 * one or it changes the channel count, i.e. has a conv shortcut), and the optional output layer (BatchNorm2d, flatten,
 * Linear, BatchNorm1d with or without affine parameters). BatchNorm is always in eval mode (running statistics,
 * eps 1e-5); a BatchNorm that directly follows a convolution or the linear layer is folded into it at load time
 * (exact in real arithmetic; float rounding differs from the unfolded form by a few ulps).
 *
 * <p>Parameters live in this object's own manager. The high-level calls ({@link #forward}, {@link #trace}) keep their
 * temporaries in a per-call sub-manager and return results attached to the input's manager; the low-level pieces
 * ({@link #inputLayer}, {@link #unit}, {@link #body}, {@link #outputLayer}) allocate in the manager of their input,
 * for callers (encoders) that manage memory themselves. All calls are differentiable w.r.t. the input.
 */
public final class IrSeBackbone implements AutoCloseable {

    /** BatchNorm epsilon of every BatchNorm layer in the reference code. */
    public static final double BN_EPS = 1e-5;

    private static final Pattern BODY_KEY = Pattern.compile("^body\\.(\\d+)\\.res_layer\\.1\\.weight$");

    /** One bottleneck unit ({@code bottleneck_IR} or {@code bottleneck_IR_SE}). */
    public static final class Unit {
        final int index;
        final int in;
        final int depth;
        final int stride;
        final int seHidden; // 0 = no SE module
        final NDArray bnScale; // res_layer.0 as x*scale + shift, [1,in,1,1]
        final NDArray bnShift;
        final NDArray conv1; // res_layer.1 [depth,in,3,3]
        final NDArray prelu; // res_layer.2 [1,depth,1,1]
        final NDArray conv2; // res_layer.3 folded with res_layer.4 [depth,depth,3,3]
        final NDArray conv2Bias;
        final NDArray fc1; // [hidden,depth,1,1]
        final NDArray fc2; // [depth,hidden,1,1]
        final NDArray shortcutW; // folded 1x1 conv + BN, or null for the subsampling shortcut
        final NDArray shortcutB;

        Unit(int index, int in, int depth, int stride, int seHidden, NDArray bnScale, NDArray bnShift, NDArray conv1,
             NDArray prelu, NDArray conv2, NDArray conv2Bias, NDArray fc1, NDArray fc2, NDArray shortcutW, NDArray shortcutB) {
            this.index = index;
            this.in = in;
            this.depth = depth;
            this.stride = stride;
            this.seHidden = seHidden;
            this.bnScale = bnScale;
            this.bnShift = bnShift;
            this.conv1 = conv1;
            this.prelu = prelu;
            this.conv2 = conv2;
            this.conv2Bias = conv2Bias;
            this.fc1 = fc1;
            this.fc2 = fc2;
            this.shortcutW = shortcutW;
            this.shortcutB = shortcutB;
        }

        public int index() {
            return index;
        }

        public int inChannels() {
            return in;
        }

        public int depth() {
            return depth;
        }

        public int stride() {
            return stride;
        }

        /** Whether the unit has a squeeze-and-excitation module (IR-SE). */
        public boolean hasSe() {
            return seHidden > 0;
        }

        public int seHidden() {
            return seHidden;
        }

        @Override
        public String toString() {
            return "unit " + index + " " + in + "->" + depth + " stride " + stride + (hasSe() ? " SE/" + seHidden : "");
        }
    }

    /** Everything the golden tests (and debugging) want from one forward pass; arrays in the input's manager. */
    public record Trace(NDArray inputLayer, List<NDArray> stages, NDArray prenorm, NDArray features) {
    }

    /** Receives the output of every body unit during {@link #body(NDArray, UnitListener)}. */
    @FunctionalInterface
    public interface UnitListener {
        void after(int unitIndex, NDArray output);
    }

    private final NDManager manager;
    private final String source;
    private final int inputChannels;
    private final int stemWidth;
    private final NDArray stemW;
    private final NDArray stemB;
    private final NDArray stemPrelu;
    private final List<Unit> units;
    private final int[] stageEnds;
    private final boolean se;
    // output layer (optional)
    private final NDArray outW; // [E, C*S*S], both BatchNorms folded in
    private final NDArray outB; // [E]
    private final int embeddingDim;
    private final int outputSpatial;
    private final int inputSize;

    private IrSeBackbone(NDManager manager, String source, int inputChannels, int stemWidth, NDArray stemW, NDArray stemB,
                         NDArray stemPrelu, List<Unit> units, NDArray outW, NDArray outB, int embeddingDim, int outputSpatial) {
        this.manager = manager;
        this.source = source;
        this.inputChannels = inputChannels;
        this.stemWidth = stemWidth;
        this.stemW = stemW;
        this.stemB = stemB;
        this.stemPrelu = stemPrelu;
        this.units = Collections.unmodifiableList(units);
        List<Integer> ends = new ArrayList<>();
        for (int i = 1; i < units.size(); i++) if (units.get(i).stride == 2) ends.add(i - 1);
        if (!units.isEmpty()) ends.add(units.size() - 1);
        this.stageEnds = ends.stream().mapToInt(Integer::intValue).toArray();
        this.se = units.stream().anyMatch(Unit::hasSe);
        this.outW = outW;
        this.outB = outB;
        this.embeddingDim = embeddingDim;
        this.outputSpatial = outputSpatial;
        int down = 1;
        for (Unit u : units) down *= u.stride;
        this.inputSize = outputSpatial > 0 ? outputSpatial * down : -1;
    }

    // ------------------------------------------------------------------ loading

    /** Reads a model file of any supported format (e.g. {@code model_ir_se50.pth}) and builds the backbone. */
    public static IrSeBackbone load(Path file) throws ModelFileException {
        Checkpoint cp = ModelFiles.open(file);
        return load(cp.main());
    }

    /**
     * Builds the backbone from a state dict. Keys may carry a common prefix (e.g. {@code facenet.}, {@code module.},
     * {@code encoder.}): the prefix of the first key ending in {@code input_layer.0.weight} is used.
     */
    public static IrSeBackbone load(TensorStore store) throws ModelFileException {
        String prefix = null;
        for (String n : store.names()) {
            if (n.equals("input_layer.0.weight")) {
                prefix = "";
                break;
            }
            if (n.endsWith(".input_layer.0.weight") && prefix == null) {
                prefix = n.substring(0, n.length() - "input_layer.0.weight".length());
            }
        }
        if (prefix == null) {
            throw new ModelFileException(store.source(), "is not an IR/IR-SE backbone state dict (no input_layer.0.weight key)");
        }
        TensorStore sd = prefix.isEmpty() ? store : store.subStore(prefix);
        NDManager m = NDManager.newBaseManager();
        try {
            return build(sd, m, store.source());
        } catch (ModelFileException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private static IrSeBackbone build(TensorStore sd, NDManager m, String src) throws ModelFileException {
        Tensor stem = sd.get("input_layer.0.weight");
        long[] ss = stem.shape();
        if (ss.length != 4 || ss[2] != 3 || ss[3] != 3) bad(src, "input_layer.0.weight has shape " + str(ss) + ", expected [C0,Cin,3,3]");
        int c0 = (int) ss[0];
        int cin = (int) ss[1];
        float[][] bn = bn(sd, "input_layer.1.", c0, src, true);
        float[] w = stem.toFloatArray();
        NDArray stemW = m.create(scaleOut(w, bn[0], c0), new Shape(ss));
        NDArray stemB = m.create(bn[1], new Shape(c0));
        NDArray stemPrelu = m.create(vec(sd, "input_layer.2.weight", c0, src), new Shape(1, c0, 1, 1));

        // body units: body.<i>, contiguous from 0
        int count = 0;
        for (String n : sd.names()) {
            Matcher mm = BODY_KEY.matcher(n);
            if (mm.matches()) count = Math.max(count, Integer.parseInt(mm.group(1)) + 1);
        }
        List<Unit> units = new ArrayList<>();
        int prev = c0;
        for (int i = 0; i < count; i++) {
            String p = "body." + i + ".";
            if (!sd.contains(p + "res_layer.1.weight")) bad(src, "has no " + p + "res_layer.1.weight (body units must be numbered 0.." + (count - 1) + ")");
            long[] s1 = sd.get(p + "res_layer.1.weight").shape();
            if (s1.length != 4 || s1[2] != 3 || s1[3] != 3) bad(src, p + "res_layer.1.weight has shape " + str(s1));
            int in = (int) s1[1];
            int depth = (int) s1[0];
            if (in != prev) bad(src, p + " takes " + in + " channels but the previous layer gives " + prev);
            boolean conv = sd.contains(p + "shortcut_layer.0.weight");
            if (!conv && in != depth) bad(src, p + " changes " + in + " -> " + depth + " channels but has no shortcut_layer.0.weight");
            int stride = (i == 0 || conv) ? 2 : 1;
            float[][] bn0 = bn(sd, p + "res_layer.0.", in, src, true);
            NDArray bnScale = m.create(bn0[0], new Shape(1, in, 1, 1));
            NDArray bnShift = m.create(bn0[1], new Shape(1, in, 1, 1));
            NDArray conv1 = m.create(sd.get(p + "res_layer.1.weight").toFloatArray(), new Shape(s1));
            NDArray prelu = m.create(vec(sd, p + "res_layer.2.weight", depth, src), new Shape(1, depth, 1, 1));
            Tensor c2 = sd.get(p + "res_layer.3.weight");
            expectShape(src, c2, depth, depth, 3, 3);
            float[][] bn4 = bn(sd, p + "res_layer.4.", depth, src, true);
            NDArray conv2 = m.create(scaleOut(c2.toFloatArray(), bn4[0], depth), new Shape(depth, depth, 3, 3));
            NDArray conv2Bias = m.create(bn4[1], new Shape(depth));
            int hidden = 0;
            NDArray fc1 = null;
            NDArray fc2 = null;
            if (sd.contains(p + "res_layer.5.fc1.weight")) {
                Tensor f1 = sd.get(p + "res_layer.5.fc1.weight");
                long[] fs = f1.shape();
                if (fs.length != 4 || fs[1] != depth || fs[2] != 1 || fs[3] != 1) bad(src, p + "res_layer.5.fc1.weight has shape " + str(fs));
                hidden = (int) fs[0];
                Tensor f2 = sd.get(p + "res_layer.5.fc2.weight");
                expectShape(src, f2, depth, hidden, 1, 1);
                fc1 = m.create(f1.toFloatArray(), new Shape(fs));
                fc2 = m.create(f2.toFloatArray(), new Shape(depth, hidden, 1, 1));
            }
            NDArray scW = null;
            NDArray scB = null;
            if (conv) {
                Tensor sc = sd.get(p + "shortcut_layer.0.weight");
                expectShape(src, sc, depth, in, 1, 1);
                float[][] bns = bn(sd, p + "shortcut_layer.1.", depth, src, true);
                scW = m.create(scaleOut(sc.toFloatArray(), bns[0], depth), new Shape(depth, in, 1, 1));
                scB = m.create(bns[1], new Shape(depth));
            }
            units.add(new Unit(i, in, depth, stride, hidden, bnScale, bnShift, conv1, prelu, conv2, conv2Bias, fc1, fc2, scW, scB));
            prev = depth;
        }
        if (units.isEmpty()) bad(src, "has no body units (body.0.res_layer.1.weight)");

        NDArray outW = null;
        NDArray outB = null;
        int emb = 0;
        int spatial = 0;
        if (sd.contains("output_layer.3.weight")) {
            Tensor lin = sd.get("output_layer.3.weight");
            long[] ls = lin.shape();
            if (ls.length != 2) bad(src, "output_layer.3.weight has shape " + str(ls));
            emb = (int) ls[0];
            long k = ls[1];
            if (k % prev != 0) bad(src, "output_layer.3.weight takes " + k + " inputs, not a multiple of the " + prev + " body channels");
            long hw = k / prev;
            spatial = (int) Math.round(Math.sqrt(hw));
            if ((long) spatial * spatial != hw) bad(src, "output_layer.3.weight takes " + k + " = " + prev + " x " + hw + " inputs; " + hw + " is not a square");
            float[][] bnIn = bn(sd, "output_layer.0.", prev, src, true);
            float[] b = sd.contains("output_layer.3.bias") ? vec(sd, "output_layer.3.bias", emb, src) : new float[emb];
            float[][] bnOut = bn(sd, "output_layer.4.", emb, src, false);
            float[] wl = lin.toFloatArray();
            int kk = (int) k;
            int per = (int) hw;
            float[] wf = new float[wl.length];
            float[] bf = new float[emb];
            for (int e = 0; e < emb; e++) {
                double acc = b[e];
                int row = e * kk;
                for (int j = 0; j < kk; j++) {
                    int c = j / per;
                    double wv = wl[row + j];
                    acc += wv * bnIn[1][c];
                    wf[row + j] = (float) (wv * bnIn[0][c] * bnOut[0][e]);
                }
                bf[e] = (float) (acc * bnOut[0][e] + bnOut[1][e]);
            }
            outW = m.create(wf, new Shape(emb, k));
            outB = m.create(bf, new Shape(emb));
        }
        return new IrSeBackbone(m, src, cin, c0, stemW, stemB, stemPrelu, units, outW, outB, emb, spatial);
    }

    /** BatchNorm as per-channel scale and shift: {@code [scale, shift]}; without affine keys weight 1, bias 0. */
    private static float[][] bn(TensorStore sd, String p, int c, String src, boolean affineRequired) throws ModelFileException {
        float[] mean = vec(sd, p + "running_mean", c, src);
        float[] var = vec(sd, p + "running_var", c, src);
        float[] w = null;
        float[] b = null;
        if (sd.contains(p + "weight") || affineRequired) w = vec(sd, p + "weight", c, src);
        if (sd.contains(p + "bias") || affineRequired) b = vec(sd, p + "bias", c, src);
        float[] scale = new float[c];
        float[] shift = new float[c];
        for (int i = 0; i < c; i++) {
            double s = (w == null ? 1.0 : w[i]) / Math.sqrt(var[i] + BN_EPS);
            scale[i] = (float) s;
            shift[i] = (float) ((b == null ? 0.0 : b[i]) - mean[i] * s);
        }
        return new float[][]{scale, shift};
    }

    private static float[] vec(TensorStore sd, String key, int n, String src) throws ModelFileException {
        Tensor t = sd.get(key);
        if (t.numel() != n) bad(src, key + " has shape " + str(t.shape()) + ", expected " + n + " values");
        return t.toFloatArray();
    }

    private static float[] scaleOut(float[] w, float[] scale, int out) {
        float[] r = new float[w.length];
        int per = w.length / out;
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < per; j++) r[o * per + j] = (float) ((double) w[o * per + j] * scale[o]);
        }
        return r;
    }

    private static void expectShape(String src, Tensor t, long... shape) throws ModelFileException {
        if (!java.util.Arrays.equals(t.shape(), shape)) {
            bad(src, t.name() + " has shape " + str(t.shape()) + ", expected " + str(shape));
        }
    }

    private static void bad(String src, String msg) throws ModelFileException {
        throw new ModelFileException(src, msg);
    }

    private static String str(long[] s) {
        return java.util.Arrays.toString(s);
    }

    // ------------------------------------------------------------------ structure

    public String source() {
        return source;
    }

    public int inputChannels() {
        return inputChannels;
    }

    /** Width of the input layer (C0). */
    public int stemWidth() {
        return stemWidth;
    }

    public List<Unit> units() {
        return units;
    }

    /** Index of the last unit of every stage (a stage starts at each stride-2 unit). */
    public int[] stageEnds() {
        return stageEnds.clone();
    }

    public int stageCount() {
        return stageEnds.length;
    }

    /** Channels of the body output. */
    public int bodyChannels() {
        return units.get(units.size() - 1).depth;
    }

    /** Whether the units are IR-SE (true) or plain IR (false). */
    public boolean isSe() {
        return se;
    }

    public boolean hasOutputLayer() {
        return outW != null;
    }

    /** Embedding size E (0 without output layer). */
    public int embeddingDim() {
        return embeddingDim;
    }

    /** The input size the output layer was trained for (112 for IR-SE-50), or -1 without output layer. */
    public int inputSize() {
        return inputSize;
    }

    /** Product of the unit strides (16 for four stages). */
    public int downsampling() {
        int d = 1;
        for (Unit u : units) d *= u.stride;
        return d;
    }

    /**
     * Elements per image of the tensors a pass at size×size creates (stem, then per unit its BatchNorm, convolutions,
     * PReLU, shortcut and sum; all stay alive within a call's scope).
     */
    public long activationElements(int size) {
        long s = size;
        long n = (long) inputChannels * s * s + 3L * stemWidth * s * s;
        for (Unit u : units) {
            long so = Math.max(1, s / u.stride);
            n += u.in * s * s + 2L * u.depth * s * s + 3L * u.depth * so * so;
            s = so;
        }
        return n;
    }

    /** Bytes of the parameters held. */
    public long parameterBytes() {
        return dev.styleclip.nn.MemoryFootprint.bytesOf(manager);
    }

    public long parameterCount() {
        long n = stemW.size() + stemB.size() + stemPrelu.size();
        for (Unit u : units) {
            n += u.bnScale.size() * 2 + u.conv1.size() + u.prelu.size() + u.conv2.size() + u.conv2Bias.size();
            if (u.fc1 != null) n += u.fc1.size() + u.fc2.size();
            if (u.shortcutW != null) n += u.shortcutW.size() + u.shortcutB.size();
        }
        if (outW != null) n += outW.size() + outB.size();
        return n;
    }

    /** A one-line description, e.g. {@code IR-SE 3->64, 24 units in 4 stages [3,4,14,3] 64/128/256/512, 112 -> 512}. */
    public String describe() {
        StringBuilder counts = new StringBuilder();
        StringBuilder depths = new StringBuilder();
        int start = 0;
        for (int e : stageEnds) {
            if (counts.length() > 0) {
                counts.append(',');
                depths.append('/');
            }
            counts.append(e - start + 1);
            depths.append(units.get(e).depth);
            start = e + 1;
        }
        return (se ? "IR-SE" : "IR") + " " + inputChannels + "->" + stemWidth + ", " + units.size() + " units in "
                + stageEnds.length + " stages [" + counts + "] " + depths
                + (hasOutputLayer() ? ", " + inputSize + "x" + inputSize + " -> " + embeddingDim : ", no output layer");
    }

    // ------------------------------------------------------------------ forward pieces (input's manager)

    /** {@code input_layer}: conv 3x3 + BatchNorm (folded) + PReLU. */
    public NDArray inputLayer(NDArray x) {
        if (x.getShape().dimension() != 4 || x.getShape().get(1) != inputChannels) {
            throw new IllegalArgumentException("the backbone takes [N," + inputChannels + ",H,W] input, got " + x.getShape());
        }
        NDArray h = Conv2d.conv2d(x, stemW, stemB, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
        return prelu(h, stemPrelu);
    }

    /** One body unit. */
    public NDArray unit(int i, NDArray x) {
        Unit u = units.get(i);
        NDArray r = x.mul(u.bnScale).add(u.bnShift);
        r = Conv2d.conv2d(r, u.conv1, null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
        r = prelu(r, u.prelu);
        r = Conv2d.conv2d(r, u.conv2, u.conv2Bias, new Shape(u.stride, u.stride), new Shape(1, 1)).singletonOrThrow();
        if (u.fc1 != null) {
            NDArray s = JniUtils.adaptiveAvgPool((PtNDArray) r, new Shape(1, 1));
            s = Conv2d.conv2d(s, u.fc1).singletonOrThrow();
            s = Activation.relu(s);
            s = Conv2d.conv2d(s, u.fc2).singletonOrThrow();
            s = Activation.sigmoid(s);
            r = r.mul(s);
        }
        NDArray sc;
        if (u.shortcutW != null) {
            sc = Conv2d.conv2d(x, u.shortcutW, u.shortcutB, new Shape(u.stride, u.stride)).singletonOrThrow();
        } else if (u.stride == 1) {
            sc = x;
        } else {
            sc = Pool.maxPool2d(x, new Shape(1, 1), new Shape(u.stride, u.stride), new Shape(0, 0), false);
        }
        return r.add(sc);
    }

    /** All body units; {@code listener} (may be null) sees every unit's output. */
    public NDArray body(NDArray x, UnitListener listener) {
        NDArray h = x;
        for (int i = 0; i < units.size(); i++) {
            h = unit(i, h);
            if (listener != null) listener.after(i, h);
        }
        return h;
    }

    /** {@code output_layer} (BatchNorm2d, flatten in C,H,W order, Linear, BatchNorm1d; folded): the embedding before l2_norm. */
    public NDArray outputLayer(NDArray bodyOut) {
        if (outW == null) throw new IllegalStateException(source + ": this backbone has no output layer");
        Shape s = bodyOut.getShape();
        if (s.get(1) != bodyChannels() || s.get(2) != outputSpatial || s.get(3) != outputSpatial) {
            throw new IllegalArgumentException("the output layer takes [N," + bodyChannels() + "," + outputSpatial + ","
                    + outputSpatial + "] (input " + inputSize + "x" + inputSize + "), got " + s);
        }
        NDArray flat = bodyOut.reshape(s.get(0), -1);
        return Linear.linear(flat, outW, outB).singletonOrThrow();
    }

    /** {@code l2_norm}: divides each row by its Euclidean norm (no epsilon, as the reference). */
    public static NDArray l2Normalize(NDArray x) {
        return x.div(x.square().sum(new int[]{1}, true).sqrt());
    }

    private static NDArray prelu(NDArray x, NDArray slope) {
        return NDArrays.where(x.gt(Nd.scalar(x.getManager(), 0, x.getDataType())), x, x.mul(slope));
    }

    // ------------------------------------------------------------------ high-level calls (sub-manager)

    /** L2-normalised embeddings {@code [N,E]} of {@code x [N,Cin,S,S]} (S = {@link #inputSize()}), in x's manager. */
    public NDArray forward(NDArray x) {
        try (Scope scope = Scope.of(x)) {
            NDArray h = body(inputLayer(x), null);
            return scope.keep(l2Normalize(outputLayer(h)));
        }
    }

    /** The forward pass with its intermediates (input layer, every stage's output, pre-norm embedding, features). */
    public Trace trace(NDArray x) {
        NDManager caller = x.getManager();
        try (NDManager sub = caller.newSubManager()) {
            x.tempAttach(sub);
            NDArray stem = inputLayer(x);
            List<NDArray> stages = new ArrayList<>();
            int[] ends = stageEnds;
            NDArray h = body(stem, (i, out) -> {
                for (int e : ends) if (e == i) stages.add(out);
            });
            NDArray pre = hasOutputLayer() ? outputLayer(h) : null;
            NDArray f = pre == null ? null : l2Normalize(pre);
            stem.attach(caller);
            for (NDArray a : stages) a.attach(caller);
            if (pre != null) {
                pre.attach(caller);
                f.attach(caller);
            }
            return new Trace(stem, stages, pre, f);
        }
    }

    // ------------------------------------------------------------------ demo network

    /**
     * A deterministic random-weight IR-SE-50 (the architecture of {@code model_ir_se50.pth}: 3->64, units 3/4/14/3,
     * depths 64/128/256/512, 112x112 -> 512), built as a state dict and loaded through {@link #load(TensorStore)}.
     * Its embeddings mean nothing; it stands in when no real file is given.
     */
    public static IrSeBackbone demo() {
        try {
            return load(IrSeStateDicts.synthetic(3, 64, new int[]{3, 4, 14, 3}, new int[]{64, 128, 256, 512}, true, 512, 112, 50L));
        } catch (ModelFileException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return "IrSeBackbone[" + describe() + "]";
    }
}
