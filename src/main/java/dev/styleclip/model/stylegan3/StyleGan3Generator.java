package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.nn.FilteredLrelu;
import dev.styleclip.nn.ModulatedConv;
import dev.styleclip.nn.Nd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The StyleGAN3 generator (alias-free GAN, configs T and R): mapping z → ws, synthesis ws → image [N, C, R, R] in the
 * network's raw range (about [-1, 1]), built from the {@code G_ema} tensors and init kwargs of an official network
 * pickle. Float32 on CPU, differentiable (use a {@code GradientCollector} around the calls), any batch size.
 * {@link #toFloat64} builds a float64 twin from the same float32 weights (every derived constant recomputed in float64;
 * the reference's float64 runs), e.g. for the global-directions channel sweep.
 *
 * <p>Every call keeps its temporaries in a sub-manager of its input's manager and attaches only its results to the
 * input's manager, so repeated calls do not accumulate memory. An instance is not thread-safe.
 */
public final class StyleGan3Generator implements AutoCloseable {
    /** Style / activation key of the synthesis input layer. */
    public static final String INPUT = "input";
    private static final Pattern LAYER = Pattern.compile("synthesis\\.(L(\\d+)_(\\d+)_(\\d+))\\.weight");

    /** Re-reads the tensors a generator was built from (what {@link #toFloat64} rebuilds from). */
    @FunctionalInterface
    interface TensorSource {
        TensorStore get() throws ModelFileException;
    }

    /** Per-call options of the synthesis network. */
    public static final class Options {
        double[][] transform;
        BiConsumer<String, NDArray> listener;

        /** The stored {@code synthesis.input.transform} buffer, no listener. */
        public static Options defaults() {
            return new Options();
        }

        /**
         * The input transform matrix (3×3, the INVERSE of the wanted image transform, as gen_images.py sets it);
         * null = the buffer stored in the checkpoint.
         */
        public Options transform(double[][] inverse) {
            if (inverse != null && (inverse.length != 3 || inverse[0].length != 3 || inverse[1].length != 3
                    || inverse[2].length != 3)) {
                throw new IllegalArgumentException("the input transform must be 3x3");
            }
            this.transform = inverse;
            return this;
        }

        /**
         * Called with the output of every module ({@code "input"}, then each layer name; the ToRGB output before the
         * output scale). The arrays are only valid during the call: copy what you need (e.g. {@code toFloatArray()}).
         */
        public Options listener(BiConsumer<String, NDArray> l) {
            this.listener = l;
            return this;
        }
    }

    private final NDManager manager;
    /** FLOAT32, or FLOAT64 for a {@link #toFloat64} twin: parameters, constants and every forward op. */
    private final DataType dtype;
    private final Map<String, Object> kwargs;
    private final TensorSource tensors;
    private final StyleGan3Config config;
    private final String source;
    private final boolean demo;
    private final int zDim, wDim, numWs, resolution, imgChannels;
    // mapping
    private final NDArray[] fcWeightT;
    private final NDArray[] fcBias;
    private final NDArray wAvg;
    private final float[] wAvgValues;
    // input
    private final int inChannels, inW, inH;
    private final double inRate, inBandwidth;
    private final NDArray inAffineWT, inAffineB, inFreqsT, inPhases, inMixWeight, inGridX, inGridY;
    private final double[][] storedTransform;
    private final List<Layer> layers = new ArrayList<>();

    private static final class Layer {
        String name;
        StyleGan3Config.LayerSpec spec;
        int inC, outC, kernel;
        boolean torgb;
        NDArray affineWT, affineB, weight, bias;
        float inputGain, styleGain;
        /** The same gains unrounded, for float64 evaluation. */
        double inputGain64, styleGain64;
        FilteredLrelu act;
    }

    private StyleGan3Generator(TensorStore g, Map<String, Object> kwargs, NDManager parent, boolean demo, DataType dtype,
                               TensorSource tensors) throws ModelFileException {
        this.manager = parent.newSubManager();
        this.demo = demo;
        this.dtype = dtype;
        this.kwargs = kwargs;
        this.tensors = tensors;
        this.source = g.source();
        try {
            this.config = new StyleGan3Config(kwargs);
        } catch (RuntimeException e) {
            throw new ModelFileException(g.source(), "is not a StyleGAN3 generator: " + e.getMessage());
        }
        try {
            // ----- mapping
            int nMap = config.mappingLayers;
            fcWeightT = new NDArray[nMap];
            fcBias = new NDArray[nMap];
            for (int i = 0; i < nMap; i++) {
                Tensor w = g.get("mapping.fc" + i + ".weight");
                long[] ws = w.shape();
                double wg = config.mappingLrMultiplier / Math.sqrt(ws[1]);
                fcWeightT[i] = transposedScaled(w, wg);
                fcBias[i] = scaled(g.get("mapping.fc" + i + ".bias"), config.mappingLrMultiplier);
            }
            this.zDim = (int) g.get("mapping.fc0.weight").shape()[1];
            this.wDim = (int) g.get("mapping.w_avg").shape()[0];
            this.wAvgValues = g.get("mapping.w_avg").toFloatArray();
            this.wAvg = dtype == DataType.FLOAT64 ? Nd.constant(manager, wAvgValues, new Shape(wAvgValues.length), dtype)
                    : manager.create(wAvgValues);
            this.numWs = config.numWs;
            this.resolution = config.imgResolution;
            this.imgChannels = config.imgChannels;
            if (config.cDim != 0) throw new ModelFileException(source, "conditional generators (c_dim > 0) are not supported");

            // ----- synthesis input
            long[] iw = g.get("synthesis.input.weight").shape();
            this.inChannels = (int) iw[0];
            this.inW = config.inputSize;
            this.inH = config.inputSize;
            this.inRate = config.inputSamplingRate;
            this.inBandwidth = config.inputBandwidth;
            inAffineWT = transposedScaled(g.get("synthesis.input.affine.weight"), 1 / Math.sqrt(wDim));
            inAffineB = param(g.get("synthesis.input.affine.bias"));
            float[] fr = g.get("synthesis.input.freqs").toFloatArray();
            float[] frT = new float[fr.length];
            for (int c = 0; c < inChannels; c++) {
                frT[c] = fr[2 * c];
                frT[inChannels + c] = fr[2 * c + 1];
            }
            inPhases = param(g.get("synthesis.input.phases"));
            float[] mix = g.get("synthesis.input.weight").toFloatArray();
            if (dtype == DataType.FLOAT64) {
                inFreqsT = Nd.constant(manager, frT, new Shape(2, inChannels), dtype);
                double[] mix64 = new double[mix.length];
                double mg = Math.sqrt(inChannels);
                for (int i = 0; i < mix.length; i++) mix64[i] = mix[i] / mg;
                inMixWeight = Nd.constant(manager, mix64, new Shape(inChannels, inChannels, 1, 1), dtype);
            } else {
                inFreqsT = manager.create(frT, new Shape(2, inChannels));
                float mg = (float) Math.sqrt(inChannels);
                for (int i = 0; i < mix.length; i++) mix[i] = mix[i] / mg;
                inMixWeight = manager.create(mix, new Shape(inChannels, inChannels, 1, 1));
            }
            float[] tr = g.get("synthesis.input.transform").toFloatArray();
            storedTransform = new double[3][3];
            for (int i = 0; i < 9; i++) storedTransform[i / 3][i % 3] = tr[i];
            if (dtype == DataType.FLOAT64) {
                inGridX = Nd.constant(manager, grid64(inW, 0.5 * inW / inRate), new Shape(1, 1, 1, inW), dtype);
                inGridY = Nd.constant(manager, grid64(inH, 0.5 * inH / inRate), new Shape(1, 1, inH, 1), dtype);
            } else {
                inGridX = manager.create(grid(inW, 0.5 * inW / inRate), new Shape(1, 1, 1, inW));
                inGridY = manager.create(grid(inH, 0.5 * inH / inRate), new Shape(1, 1, inH, 1));
            }

            // ----- synthesis layers: names from the tensors, geometry from the kwargs
            Map<Integer, String> names = new LinkedHashMap<>();
            for (String name : g.names()) {
                Matcher m = LAYER.matcher(name);
                if (m.matches()) names.put(Integer.parseInt(m.group(2)), m.group(1));
            }
            for (StyleGan3Config.LayerSpec spec : config.layers) {
                String name = names.get(spec.index());
                if (name == null) throw new ModelFileException(source, "has no synthesis layer L" + spec.index() + "_*");
                String[] parts = name.split("_");
                if (Integer.parseInt(parts[1]) != spec.outSize()) {
                    throw new ModelFileException(source, "layer " + name + " does not match its kwargs (output size "
                            + spec.outSize() + ")");
                }
                layers.add(buildLayer(g, name, spec));
            }
            if (names.size() != config.layers.size()) {
                throw new ModelFileException(source, "has " + names.size() + " synthesis layers, its kwargs describe "
                        + config.layers.size());
            }
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            if (e instanceof ModelFileException mfe) throw mfe;
            throw new ModelFileException(source, "is not a StyleGAN3 generator this app can build: " + e.getMessage(), e);
        }
    }

    /**
     * Builds the generator from a {@code G_ema} tensor store (state-dict names) and its init kwargs.
     * The parameters live in a sub-manager of {@code manager}; {@link #close()} frees them.
     */
    public static StyleGan3Generator load(TensorStore gEma, Map<String, Object> initKwargs, NDManager manager)
            throws ModelFileException {
        if (!gEma.contains("synthesis.input.freqs") || !gEma.contains("mapping.w_avg")) {
            throw new ModelFileException(gEma.source(), "is not a StyleGAN3 generator (no synthesis.input.freqs / mapping.w_avg)");
        }
        return new StyleGan3Generator(gEma, initKwargs, manager, false, DataType.FLOAT32, () -> gEma);
    }

    /**
     * Builds from a store whose {@code metadata()} carries {@code init_kwargs} (as the pickle reader provides it).
     */
    @SuppressWarnings("unchecked")
    public static StyleGan3Generator load(TensorStore gEma, NDManager manager) throws ModelFileException {
        Object cls = gEma.metadata().get("class_name");
        // StyleGAN2 generators are also class "Generator": tell them apart by the Fourier-feature input
        if (!gEma.contains("synthesis.input.freqs") || !gEma.contains("mapping.w_avg")) {
            throw new ModelFileException(gEma.source(), "is not a StyleGAN3 generator (class " + cls
                    + ", no synthesis.input.freqs / mapping.w_avg)");
        }
        Object kw = gEma.metadata().get("init_kwargs");
        if (!(kw instanceof Map<?, ?>)) throw new ModelFileException(gEma.source(), "carries no generator init kwargs");
        return new StyleGan3Generator(gEma, (Map<String, Object>) kw, manager, false, DataType.FLOAT32, () -> gEma);
    }

    /** A demo network; {@code tensors} makes its (regenerated) tensors again for {@link #toFloat64}. */
    static StyleGan3Generator loadDemo(TensorSource tensors, Map<String, Object> kwargs, NDManager manager) throws ModelFileException {
        return new StyleGan3Generator(tensors.get(), kwargs, manager, true, DataType.FLOAT32, tensors);
    }

    /**
     * A float64 twin of this generator in a sub-manager of {@code parent} (close it when done): built again from the
     * same float32 tensors (the store this generator was loaded from is kept for this; a demo network is regenerated),
     * with every parameter widened exactly and every derived constant (weight gains, pre-normalised conv weights, the
     * input's mixing weight and sampling grid, filter taps times gains, 1/√magnitude_ema) computed in float64; its
     * mapping keeps a float64 z, and every forward op runs in float64. Inputs of another floating type are converted.
     */
    public StyleGan3Generator toFloat64(NDManager parent) throws ModelFileException {
        return new StyleGan3Generator(tensors.get(), kwargs, parent, demo, DataType.FLOAT64, tensors);
    }

    /** FLOAT32, or FLOAT64 for a {@link #toFloat64} twin. */
    public DataType dataType() {
        return dtype;
    }

    private Layer buildLayer(TensorStore g, String name, StyleGan3Config.LayerSpec spec) throws ModelFileException {
        String p = "synthesis." + name + ".";
        Layer l = new Layer();
        l.name = name;
        l.spec = spec;
        l.torgb = spec.isToRgb();
        Tensor w = g.get(p + "weight");
        long[] ws = w.shape();
        if (ws.length != 4 || ws[2] != ws[3]) throw new ModelFileException(source, p + "weight has shape " + java.util.Arrays.toString(ws));
        l.outC = (int) ws[0];
        l.inC = (int) ws[1];
        l.kernel = (int) ws[2];
        if (l.kernel != spec.convKernel()) {
            throw new ModelFileException(source, p + "weight has kernel " + l.kernel + ", the kwargs say " + spec.convKernel());
        }
        l.affineWT = transposedScaled(g.get(p + "affine.weight"), 1 / Math.sqrt(wDim));
        l.affineB = param(g.get(p + "affine.bias"));
        NDArray wt = param(w);
        if (l.torgb) {
            l.weight = wt;
            l.styleGain64 = 1 / Math.sqrt((double) l.inC * l.kernel * l.kernel);
            l.styleGain = (float) l.styleGain64;
        } else {
            l.weight = ModulatedConv.normalizeWeight(wt);
            l.styleGain64 = 1;
            l.styleGain = 1f;
        }
        l.bias = param(g.get(p + "bias"));
        float mag = g.get(p + "magnitude_ema").toFloatArray()[0];
        l.inputGain64 = 1 / Math.sqrt(mag);
        l.inputGain = (float) l.inputGain64;
        float[] fu = g.contains(p + "up_filter") ? g.get(p + "up_filter").toFloatArray() : null;
        float[] fd = null;
        boolean radial = false;
        if (g.contains(p + "down_filter")) {
            Tensor d = g.get(p + "down_filter");
            fd = d.toFloatArray();
            radial = d.rank() == 2;
        }
        if (fu != null && g.get(p + "up_filter").rank() != 1) {
            throw new ModelFileException(source, p + "up_filter is not 1-D (only separable up-sampling filters exist)");
        }
        int convOut = spec.inSize() + l.kernel - 1;
        double gain = l.torgb ? 1 : Math.sqrt(2);
        double slope = l.torgb ? 1 : 0.2;
        l.act = new FilteredLrelu(manager, l.outC, fu, fd, radial, spec.upFactor(), spec.downFactor(), spec.padding(),
                convOut, convOut, gain, slope, spec.convClamp(), dtype);
        if (l.act.outHeight() != spec.outSize() || l.act.outWidth() != spec.outSize()) {
            throw new ModelFileException(source, "layer " + name + " would output " + l.act.outHeight() + " px, expected "
                    + spec.outSize());
        }
        return l;
    }

    /** weight [O, I] → (weight · gain)ᵀ [I, O]; the product in this generator's precision (float32: gain rounded). */
    private NDArray transposedScaled(Tensor t, double gain) throws ModelFileException {
        long[] s = t.shape();
        float[] v = t.toFloatArray();
        int o = (int) s[0], in = (int) s[1];
        if (dtype == DataType.FLOAT64) {
            double[] out = new double[v.length];
            for (int i = 0; i < o; i++) for (int j = 0; j < in; j++) out[j * o + i] = v[i * in + j] * gain;
            return Nd.constant(manager, out, new Shape(in, o), dtype);
        }
        float g32 = (float) gain;
        float[] out = new float[v.length];
        for (int i = 0; i < o; i++) for (int j = 0; j < in; j++) out[j * o + i] = v[i * in + j] * g32;
        return manager.create(out, new Shape(in, o));
    }

    private NDArray scaled(Tensor t, double gain) throws ModelFileException {
        float[] v = t.toFloatArray();
        if (dtype == DataType.FLOAT64) {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i] * gain;
            return Nd.constant(manager, out, new Shape(t.shape()), dtype);
        }
        float g32 = (float) gain;
        for (int i = 0; i < v.length; i++) v[i] *= g32;
        return manager.create(v, new Shape(t.shape()));
    }

    /** A stored tensor as a parameter of this generator's precision (float32 values widened exactly for float64). */
    private NDArray param(Tensor t) throws ModelFileException {
        if (dtype == DataType.FLOAT64) return Nd.constant(manager, t.toFloatArray(), new Shape(t.shape()), dtype);
        return t.toNDArray(manager);
    }

    /** An input converted to this generator's precision (no-op when it has it). */
    private NDArray own(NDArray x) {
        return x.getDataType() == dtype ? x : x.toType(dtype, false);
    }

    /** affine_grid (align_corners=False) coordinates along one axis, scaled by theta, as float32 like the reference. */
    private static float[] grid(int n, double theta) {
        float[] g = new float[n];
        float step = n > 1 ? 2f / (n - 1) : 0f;
        for (int i = 0; i < n; i++) {
            float base = n <= 1 ? 0f : (i < n / 2 ? -1f + step * i : 1f - step * (n - i - 1));
            base = base * (n - 1) / n;
            g[i] = base * (float) theta;
        }
        return g;
    }

    /** {@link #grid} in float64 throughout. */
    private static double[] grid64(int n, double theta) {
        double[] g = new double[n];
        double step = n > 1 ? 2.0 / (n - 1) : 0;
        for (int i = 0; i < n; i++) {
            double base = n <= 1 ? 0 : (i < n / 2 ? -1 + step * i : 1 - step * (n - i - 1));
            base = base * (n - 1) / n;
            g[i] = base * theta;
        }
        return g;
    }

    // ------------------------------------------------------------------ mapping

    /**
     * z [N, z_dim] → ws [N, num_ws, w_dim], with truncation toward w_avg by {@code psi} on the first {@code cutoff}
     * rows (null = all).
     */
    public NDArray mapping(NDArray z, double psi, Integer cutoff) {
        NDManager caller = z.getManager();
        try (NDManager sub = caller.newSubManager()) {
            z.tempAttach(sub);
            NDArray out = mappingImpl(z, psi, cutoff);
            out.attach(caller);
            return out;
        }
    }

    private NDArray mappingImpl(NDArray z, double psi, Integer cutoff) {
        if (z.getShape().dimension() != 2 || z.getShape().get(1) != zDim) {
            throw new IllegalArgumentException("z must be [N, " + zDim + "], got " + z.getShape());
        }
        NDArray x = z.toType(dtype, false);
        x = x.mul(Nd.pow(Nd.addLike(x.square().mean(new int[]{1}, true), 1e-8), -0.5));
        for (int i = 0; i < fcWeightT.length; i++) {
            x = Nd.mulLike(Nd.leakyRelu(x.matMul(fcWeightT[i]).add(fcBias[i]), 0.2), Math.sqrt(2));
        }
        long n = x.getShape().get(0);
        int cut = cutoff == null ? numWs : Math.max(0, Math.min(numWs, cutoff));
        NDArray rows = x.expandDims(1);
        if (psi == 1 || cut == 0) return rows.repeat(1, numWs);
        NDArray diff = x.sub(wAvg);
        NDArray t;
        if (dtype == DataType.FLOAT64) {
            // torch.lerp(w_avg, x, psi) in float64
            t = Math.abs(psi) < 0.5 ? Nd.mulLike(diff, psi).add(wAvg) : x.sub(Nd.mulLike(diff, 1 - psi));
        } else {
            float wf = (float) psi;
            t = Math.abs(wf) < 0.5f ? Nd.mul(diff, wf).add(wAvg) : x.sub(Nd.mul(diff, 1f - wf));
        }
        NDArray tr = t.expandDims(1).repeat(1, cut);
        if (cut == numWs) return tr;
        return tr.concat(rows.repeat(1, numWs - cut), 1).reshape(n, numWs, wDim);
    }

    // ------------------------------------------------------------------ styles

    /**
     * The affine outputs of every synthesis module for ws [N, num_ws, w_dim]: {@code "input"} → [N, 4] (raw r_c, r_s,
     * t_x, t_y), each layer name → [N, C_in] (StyleSpace; the ToRGB entry before its 1/√C_in weight gain), in order.
     */
    public Map<String, NDArray> styles(NDArray ws) {
        NDManager caller = ws.getManager();
        try (NDManager sub = caller.newSubManager()) {
            ws.tempAttach(sub);
            Map<String, NDArray> out = stylesImpl(ws);
            for (NDArray a : out.values()) a.attach(caller);
            return out;
        }
    }

    private Map<String, NDArray> stylesImpl(NDArray ws) {
        ws = own(ws);
        Shape s = ws.getShape();
        if (s.dimension() != 3 || s.get(1) != numWs || s.get(2) != wDim) {
            throw new IllegalArgumentException("ws must be [N, " + numWs + ", " + wDim + "], got " + s);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(INPUT, ws.get(new NDIndex(":, 0, :")).matMul(inAffineWT).add(inAffineB));
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            out.put(l.name, ws.get(new NDIndex(":, " + (i + 1) + ", :")).matMul(l.affineWT).add(l.affineB));
        }
        return out;
    }

    // ------------------------------------------------------------------ synthesis

    /** ws [N, num_ws, w_dim] → image [N, C, R, R] (raw range), with the stored input transform. */
    public NDArray synthesis(NDArray ws) {
        return synthesis(ws, Options.defaults());
    }

    /** ws → image with per-call options (input transform, activation listener). */
    public NDArray synthesis(NDArray ws, Options options) {
        NDManager caller = ws.getManager();
        try (NDManager sub = caller.newSubManager()) {
            ws.tempAttach(sub);
            NDArray out = synthesisImpl(stylesImpl(ws), options, sub);
            out.attach(caller);
            return out;
        }
    }

    /** z → image: mapping then synthesis (options may be null). */
    public NDArray generate(NDArray z, double psi, Integer cutoff, Options options) {
        NDManager caller = z.getManager();
        try (NDManager sub = caller.newSubManager()) {
            z.tempAttach(sub);
            NDArray out = synthesisImpl(stylesImpl(mappingImpl(z, psi, cutoff)), options, sub);
            out.attach(caller);
            return out;
        }
    }

    /**
     * Runs synthesis from (possibly edited) styles as {@link #styles(NDArray)} returns them: every key must be present.
     */
    public NDArray synthesisFromStyles(Map<String, NDArray> styles, Options options) {
        NDArray first = styles.get(INPUT);
        if (first == null) throw new IllegalArgumentException("styles lack '" + INPUT + "'");
        NDManager caller = first.getManager();
        try (NDManager sub = caller.newSubManager()) {
            Map<String, NDArray> st = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : styles.entrySet()) {
                // results of ops on the caller's arrays go to the sub-manager; they return to the caller on close
                if (e.getValue().getManager() != sub) e.getValue().tempAttach(sub);
                st.put(e.getKey(), own(e.getValue()));
            }
            NDArray out = synthesisImpl(st, options, sub);
            out.attach(caller);
            return out;
        }
    }

    /**
     * StyleSpace as stylegan3-editing's {@code W2S} defines it: {@code "input"} → t / ‖t[:2]‖ [N, 4] (r_c, r_s, t_x,
     * t_y), every layer → its affine output [N, C_in], the ToRGB entry multiplied by its weight gain 1/√(C_in·k²).
     * Feed (edited) values back with {@link #synthesisFromStyleSpace}.
     */
    public Map<String, NDArray> styleSpace(NDArray ws) {
        NDManager caller = ws.getManager();
        try (NDManager sub = caller.newSubManager()) {
            ws.tempAttach(sub);
            Map<String, NDArray> st = stylesImpl(ws);
            Map<String, NDArray> out = new LinkedHashMap<>();
            NDArray t = st.get(INPUT);
            out.put(INPUT, t.div(t.get(new NDIndex(":, 0:2")).norm(new int[]{1}, true)));
            for (Layer l : layers) {
                NDArray v = st.get(l.name);
                out.put(l.name, l.torgb ? styleGain(l, v) : v);
            }
            for (NDArray a : out.values()) a.attach(caller);
            return out;
        }
    }

    /** The factor {@link #styleSpace} applies to a layer's affine output (1/√(C_in·k²) for ToRGB, else 1). */
    public float styleSpaceGain(String layer) {
        for (Layer l : layers) if (l.name.equals(layer)) return l.styleGain;
        if (INPUT.equals(layer)) return 1f;
        throw new IllegalArgumentException("no synthesis layer " + layer);
    }

    /**
     * stylegan3-editing's {@code synthesis(None, all_s=S)}: runs the network from StyleSpace values as
     * {@link #styleSpace} returns them; the input group is used as given (no re-normalisation), ToRGB styles already
     * carry their gain.
     */
    public NDArray synthesisFromStyleSpace(Map<String, NDArray> styleSpace, Options options) {
        NDArray first = styleSpace.get(INPUT);
        if (first == null) throw new IllegalArgumentException("styles lack '" + INPUT + "'");
        NDManager caller = first.getManager();
        try (NDManager sub = caller.newSubManager()) {
            Map<String, NDArray> st = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : styleSpace.entrySet()) {
                e.getValue().tempAttach(sub);
                st.put(e.getKey(), own(e.getValue()));
            }
            NDArray out = synthesisImpl(st, options, sub, true);
            out.attach(caller);
            return out;
        }
    }

    private NDArray synthesisImpl(Map<String, NDArray> styles, Options options, NDManager sub) {
        return synthesisImpl(styles, options, sub, false);
    }

    private NDArray synthesisImpl(Map<String, NDArray> styles, Options options, NDManager sub, boolean styleSpace) {
        if (options == null) options = Options.defaults();
        NDArray t = styles.get(INPUT);
        if (t == null) throw new IllegalArgumentException("styles lack '" + INPUT + "'");
        NDArray x = inputForward(t, options.transform == null ? storedTransform : options.transform, sub, !styleSpace);
        if (options.listener != null) options.listener.accept(INPUT, x);
        for (Layer l : layers) {
            NDArray s = styles.get(l.name);
            if (s == null) throw new IllegalArgumentException("styles lack '" + l.name + "'");
            x = layerForward(l, x, s, sub, styleSpace);
            if (options.listener != null) options.listener.accept(l.name, x);
        }
        if (config.outputScale != 1) x = Nd.mulLike(x, config.outputScale);
        return x;
    }

    private NDArray inputForward(NDArray t, double[][] transform, NDManager sub, boolean normalize) {
        long n = t.getShape().get(0);
        int c = inChannels;
        if (normalize) t = t.div(t.get(new NDIndex(":, 0:2")).norm(new int[]{1}, true));
        NDArray rc = t.get(new NDIndex(":, 0"));
        NDArray rs = t.get(new NDIndex(":, 1"));
        NDArray tx = t.get(new NDIndex(":, 2"));
        NDArray ty = t.get(new NDIndex(":, 3"));
        NDArray zero = sub.zeros(new Shape(n), t.getDataType());
        NDArray one = sub.ones(new Shape(n), t.getDataType());
        NDArray mr = NDArrays.stack(new NDList(rc, rs.neg(), zero, rs, rc, zero, zero, zero, one), 1).reshape(n, 3, 3);
        NDArray mt = NDArrays.stack(new NDList(one, zero, tx.neg(), zero, one, ty.neg(), zero, zero, one), 1).reshape(n, 3, 3);
        double[] tr = new double[9];
        for (int i = 0; i < 9; i++) tr[i] = transform[i / 3][i % 3];
        NDArray m = mr.matMul(mt).matMul(Nd.constant(sub, tr, new Shape(1, 3, 3), dtype)); // [N,3,3]
        // phases + freqs·m[:2, 2];  freqs·m[:2, :2]   (freqs stored transposed [2, C])
        NDArray mT = m.get(new NDIndex(":, 0:2, :")).transpose(0, 2, 1); // [N,3,2]: rows = columns of m[:2]
        NDArray fm = mT.matMul(inFreqsT); // [N,3,C]: row j = Σ_i freqs[:, i]·m[i, j]
        NDArray fx = fm.get(new NDIndex(":, 0, :"));
        NDArray fy = fm.get(new NDIndex(":, 1, :"));
        NDArray ph = fm.get(new NDIndex(":, 2, :")).add(inPhases);
        NDArray amp = Nd.addLike(Nd.divLike(Nd.subLike(fx.square().add(fy.square()).sqrt(), inBandwidth),
                inRate / 2 - inBandwidth).neg(), 1).clip(0, 1);
        NDArray arg = fx.reshape(n, c, 1, 1).mul(inGridX).add(fy.reshape(n, c, 1, 1).mul(inGridY))
                .add(ph.reshape(n, c, 1, 1));
        NDArray feat = Nd.mulLike(arg, Math.PI * 2).sin().mul(amp.reshape(n, c, 1, 1));
        return Conv2d.conv2d(feat, inMixWeight).singletonOrThrow();
    }

    private NDArray layerForward(Layer l, NDArray x, NDArray s, NDManager sub, boolean styleSpace) {
        // StyleSpace ToRGB values already carry the weight gain
        NDArray st = l.torgb && !styleSpace ? styleGain(l, s) : s;
        NDArray y = ModulatedConv.forward(x, l.weight, st, !l.torgb, dtype == DataType.FLOAT64 ? l.inputGain64 : l.inputGain,
                l.bias, l.kernel - 1);
        return l.act.forward(y);
    }

    /** styles · the layer's weight gain (ToRGB), the gain in this generator's precision. */
    private NDArray styleGain(Layer l, NDArray s) {
        return dtype == DataType.FLOAT64 ? Nd.mulLike(s, l.styleGain64) : Nd.mul(s, l.styleGain);
    }

    // ------------------------------------------------------------------ accessors

    /** The architecture derived from the kwargs. */
    public StyleGan3Config config() {
        return config;
    }

    /** The synthesis layer names in order (without "input"). */
    public List<String> layerNames() {
        List<String> out = new ArrayList<>();
        for (Layer l : layers) out.add(l.name);
        return Collections.unmodifiableList(out);
    }

    /** Style width per module ("input" → 4, each layer → its input channels), in order. */
    public Map<String, Integer> styleChannels() {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(INPUT, 4);
        for (Layer l : layers) out.put(l.name, l.inC);
        return out;
    }

    /** The stored input transform buffer (a copy). */
    public double[][] storedTransform() {
        double[][] c = new double[3][];
        for (int i = 0; i < 3; i++) c[i] = storedTransform[i].clone();
        return c;
    }

    /** The tracked average w (a copy). */
    public float[] wAvg() {
        return wAvgValues.clone();
    }

    /** The tracked average w as an array in the given manager (in this generator's precision). */
    public NDArray wAvg(NDManager m) {
        return Nd.constant(m, wAvgValues, new Shape(wAvgValues.length), dtype);
    }

    public int numWs() {
        return numWs;
    }

    public int zDim() {
        return zDim;
    }

    public int wDim() {
        return wDim;
    }

    public int resolution() {
        return resolution;
    }

    public int imgChannels() {
        return imgChannels;
    }

    /** Whether this is the random-weight demo network (label its outputs "demo network"). */
    public boolean isDemo() {
        return demo;
    }

    /** Where the weights came from. */
    public String source() {
        return source;
    }

    @Override
    public void close() {
        manager.close();
    }

    // ------------------------------------------------------------------ transforms (gen_images.py conventions)

    /** gen_images.py's make_transform(translate, angle in degrees): rotation and translation of the image. */
    public static double[][] makeTransform(double tx, double ty, double angleDeg) {
        double s = Math.sin(angleDeg / 360.0 * Math.PI * 2);
        double c = Math.cos(angleDeg / 360.0 * Math.PI * 2);
        return new double[][]{{c, s, tx}, {-s, c, ty}, {0, 0, 1}};
    }

    /** The identity 3×3. */
    public static double[][] identity() {
        return new double[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    }

    /** Inverse of a 3×3 matrix (cofactors; float64). */
    public static double[][] inverse(double[][] a) {
        double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        if (det == 0) throw new IllegalArgumentException("transform is singular");
        double[][] r = new double[3][3];
        r[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
        r[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
        r[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
        r[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
        r[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
        r[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
        r[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
        r[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
        r[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
        return r;
    }
}
