package dev.styleclip.model.stylegan3;

import dev.styleclip.runtime.SynthesisPlan;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.nn.Scope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The StyleGAN3 generator (alias-free GAN, configs T and R), composed as NVIDIA's {@code networks_stylegan3.py}
 * reads: a {@link MappingNetwork} (z → ws) and a {@link SynthesisNetwork} (a {@link SynthesisInput} and one
 * {@link SynthesisLayer} per layer, ToRGB last), built from the {@code G_ema} tensors and init kwargs of an official
 * network pickle. Float32 on CPU or GPU, differentiable (record with {@link dev.styleclip.nn.Gradients}), any batch size;
 * images [N, C, R, R] in the network's raw range (about [-1, 1]). {@link #toFloat64} builds a float64 twin from the
 * same float32 weights (the reference's float64 runs), e.g. for the global-directions channel sweep.
 *
 * <p>Memory: every call runs in a {@link Scope} of its input's manager and returns only its result there; inside,
 * one layer at a time is alive. {@link Options#plan} trades time for memory (channel chunks, recomputed backward) and
 * {@link #memory} says what a plan needs. An instance is not thread-safe.
 */
public final class StyleGan3Generator implements AutoCloseable {
    /** Style / activation key of the synthesis input layer. */
    public static final String INPUT = "input";

    /** Re-reads the tensors a generator was built from (what {@link #toFloat64} rebuilds from). */
    @FunctionalInterface
    interface TensorSource {
        TensorStore get() throws ModelFileException;
    }

    /** Per-call options of the synthesis network. */
    public static final class Options {
        double[][] transform;
        BiConsumer<String, NDArray> listener;
        SynthesisPlan plan = SynthesisPlan.DEFAULT;

        /** The stored {@code synthesis.input.transform} buffer, no listener, {@link SynthesisPlan#DEFAULT}. */
        public static Options defaults() {
            return new Options();
        }

        /** The defaults with a memory plan. */
        public static Options with(SynthesisPlan plan) {
            return new Options().plan(plan);
        }

        /**
         * The input transform matrix (3×3, the INVERSE of the wanted image transform, as gen_images.py sets it; see
         * {@link InputTransform}); null = the buffer stored in the checkpoint.
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

        /** How to trade time for memory ({@link SynthesisPlan#DEFAULT} unless set). */
        public Options plan(SynthesisPlan p) {
            this.plan = p == null ? SynthesisPlan.DEFAULT : p;
            return this;
        }

        public SynthesisPlan plan() {
            return plan;
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
    private final MappingNetwork mapping;
    private final SynthesisNetwork synthesis;
    /** A tunable copy's synthesis weights ({@link #tunableCopy}); null for a fixed generator. */
    private final SynthesisWeights weights;

    private StyleGan3Generator(TensorStore g, Map<String, Object> kwargs, NDManager parent, boolean demo, DataType dtype,
                               TensorSource tensors) throws ModelFileException {
        this(g, kwargs, parent, demo, dtype, tensors, false);
    }

    private StyleGan3Generator(TensorStore g, Map<String, Object> kwargs, NDManager parent, boolean demo, DataType dtype,
                               TensorSource tensors, boolean tunable) throws ModelFileException {
        this.manager = parent.newSubManager();
        this.demo = demo;
        this.dtype = dtype;
        this.kwargs = kwargs;
        this.tensors = tensors;
        this.source = g.source();
        try {
            this.config = new StyleGan3Config(kwargs);
        } catch (RuntimeException e) {
            manager.close();
            throw new ModelFileException(g.source(), "is not a StyleGAN3 generator: " + e.getMessage());
        }
        try {
            if (config.cDim != 0) throw new ModelFileException(source, "conditional generators (c_dim > 0) are not supported");
            ParamReader p = new ParamReader(g, manager, dtype);
            this.mapping = new MappingNetwork(p, config);
            this.synthesis = new SynthesisNetwork(p, config, mapping.wDim(), tunable);
            this.weights = tunable ? new SynthesisWeights(synthesis.layers()) : null;
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
        requireStyleGan3(gEma);
        return new StyleGan3Generator(gEma, initKwargs, manager, false, DataType.FLOAT32, () -> gEma);
    }

    /** Builds from a store whose {@code metadata()} carries {@code init_kwargs} (as the pickle reader provides it). */
    @SuppressWarnings("unchecked")
    public static StyleGan3Generator load(TensorStore gEma, NDManager manager) throws ModelFileException {
        requireStyleGan3(gEma);
        Object kw = gEma.metadata().get("init_kwargs");
        if (!(kw instanceof Map<?, ?>)) throw new ModelFileException(gEma.source(), "carries no generator init kwargs");
        return new StyleGan3Generator(gEma, (Map<String, Object>) kw, manager, false, DataType.FLOAT32, () -> gEma);
    }

    /**
     * What a load relies on, checked without building anything: a StyleGAN3 {@code G_ema}, init kwargs within bounds,
     * and every synthesis layer's weight of the shape they imply (so kwargs that describe another network are caught
     * before install, not at first use).
     */
    public static StyleGan3Config check(TensorStore gEma) throws ModelFileException {
        requireStyleGan3(gEma);
        Object kw = gEma.metadata().get("init_kwargs");
        if (!(kw instanceof Map<?, ?>)) throw new ModelFileException(gEma.source(), "carries no generator init kwargs");
        StyleGan3Config c;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = (Map<String, Object>) kw;
            c = new StyleGan3Config(kwargs);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new ModelFileException(gEma.source(), String.valueOf(e.getMessage()));
        }
        for (StyleGan3Config.LayerSpec l : c.layers) {
            String n = "synthesis." + l.name() + ".weight";
            if (!gEma.contains(n)) throw new ModelFileException(gEma.source(), "lacks " + n + " that its init kwargs imply");
            long[] s = gEma.get(n).shape();
            if (s.length != 4 || s[0] != l.outChannels() || s[1] != l.inChannels() || s[2] != l.convKernel()) {
                throw new ModelFileException(gEma.source(), "holds " + n + " of shape " + java.util.Arrays.toString(s)
                        + " where its init kwargs imply [" + l.outChannels() + ", " + l.inChannels() + ", " + l.convKernel()
                        + ", " + l.convKernel() + "]");
            }
        }
        return c;
    }

    private static void requireStyleGan3(TensorStore g) throws ModelFileException {
        // StyleGAN2 generators are also class "Generator": tell them apart by the Fourier-feature input
        if (!g.contains("synthesis.input.freqs") || !g.contains("mapping.w_avg")) {
            Object cls = g.metadata().get("class_name");
            throw new ModelFileException(g.source(), "is not a StyleGAN3 generator ("
                    + (cls != null ? "class " + cls + ", " : "") + "no synthesis.input.freqs / mapping.w_avg)");
        }
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

    // ------------------------------------------------------------------ tuned weights (pivotal tuning)

    /**
     * A tunable copy of this generator in a sub-manager of {@code parent} (close it when done): built again from the
     * tensors this one was loaded from, with its synthesis layers keeping their parameters as the file stores them, so
     * that their gradients can be taken and an optimiser can change them ({@link #tunableWeights}); the mapping and the
     * Fourier-feature input stay fixed; the precision is this generator's (a float64 twin's copy computes its gradients in
     * float64). This generator is not touched. Its {@link #toFloat64} twin and its
     * {@link #tensors} carry the weights as they are at the time of the call.
     */
    public StyleGan3Generator tunableCopy(NDManager parent) throws ModelFileException {
        SynthesisWeights[] made = new SynthesisWeights[1];
        TensorSource current = () -> made[0].overlay(tensors.get());
        StyleGan3Generator copy = new StyleGan3Generator(tensors.get(), kwargs, parent, demo, dtype, current, true);
        made[0] = copy.weights;
        return copy;
    }

    /** The weights of a {@link #tunableCopy}; a fixed generator has none to tune. */
    public SynthesisWeights tunableWeights() {
        if (weights == null) throw new IllegalStateException("this generator is not a tunable copy (see tunableCopy)");
        return weights;
    }

    /**
     * A fixed generator with some of the tensors pivotal tuning changes replaced ({@link #tunableNames}, each of its
     * stored shape): a tuned network, built as a network file would be; parameters in a sub-manager of {@code parent}.
     */
    public StyleGan3Generator withSynthesisWeights(java.util.Collection<Tensor> replaced, NDManager parent)
            throws ModelFileException {
        TensorStore base = tensors.get();
        List<String> allowed = tunableNames();
        for (Tensor t : replaced) {
            if (!allowed.contains(t.name())) {
                throw new ModelFileException(source, "has no tunable synthesis weight " + t.name());
            }
            long[] want = base.get(t.name()).shape();
            if (!java.util.Arrays.equals(want, t.shape())) {
                throw new ModelFileException(source, t.name() + " has shape " + java.util.Arrays.toString(want) + ", not "
                        + java.util.Arrays.toString(t.shape()));
            }
        }
        List<Tensor> copy = List.copyOf(replaced);
        return new StyleGan3Generator(SynthesisWeights.overlay(base, copy), kwargs, parent, demo, dtype,
                () -> SynthesisWeights.overlay(tensors.get(), copy));
    }

    /**
     * The names of the tensors pivotal tuning changes, as the network file names them: every synthesis layer's conv
     * weight and bias and its affine weight and bias, layer by layer (the Fourier-feature input and the mapping are
     * not among them).
     */
    public List<String> tunableNames() {
        List<String> out = new ArrayList<>();
        for (SynthesisLayer l : synthesis.layers()) {
            for (String suffix : SynthesisLayer.Trainable.SUFFIXES) out.add(SynthesisWeights.name(l, suffix));
        }
        return Collections.unmodifiableList(out);
    }

    /** The number of values {@link #tunableNames} hold. */
    public long tunableCount() {
        long n = 0;
        for (SynthesisLayer l : synthesis.layers()) {
            long k = l.spec().convKernel();
            n += (long) l.outChannels() * l.inChannels() * k * k + l.outChannels() + (long) l.inChannels() * (wDim() + 1);
        }
        return n;
    }

    /** The tensors this generator was built from (a demo network's made again), with a tunable copy's current weights. */
    public TensorStore tensors() throws ModelFileException {
        return tensors.get();
    }

    /** FLOAT32, or FLOAT64 for a {@link #toFloat64} twin. */
    public DataType dataType() {
        return dtype;
    }

    // ------------------------------------------------------------------ mapping and styles

    /**
     * z [N, z_dim] of {@code seeds} as NVIDIA's gen_images.py draws them ({@link NumpyRandom#z}), one row per seed, a
     * torch-owned float32 array in {@code m}: the one way a seed becomes a latent, in the studio and every command.
     */
    public NDArray seedZ(NDManager m, long... seeds) {
        int d = zDim();
        float[] z = new float[seeds.length * d];
        for (int i = 0; i < seeds.length; i++) System.arraycopy(NumpyRandom.z(seeds[i], d), 0, z, i * d, d);
        return dev.styleclip.nn.Nd.constant(m, z, new ai.djl.ndarray.types.Shape(seeds.length, d));
    }

    /**
     * z [N, z_dim] → ws [N, num_ws, w_dim], with truncation toward w_avg by {@code psi} on the first {@code cutoff}
     * rows (null = all).
     */
    public NDArray mapping(NDArray z, double psi, Integer cutoff) {
        return mapping.forward(z, psi, cutoff);
    }

    /**
     * The affine outputs of every synthesis module for ws [N, num_ws, w_dim]: {@code "input"} → [N, 4] (raw r_c, r_s,
     * t_x, t_y), each layer name → [N, C_in] (StyleSpace; the ToRGB entry before its 1/√C_in weight gain), in order.
     */
    public Map<String, NDArray> styles(NDArray ws) {
        return Scope.callMap(ws, in -> synthesis.styles(own(in)));
    }

    /**
     * StyleSpace as stylegan3-editing's {@code W2S} defines it: {@code "input"} → t / ‖t[:2]‖ [N, 4] (r_c, r_s, t_x,
     * t_y), every layer → its affine output [N, C_in], the ToRGB entry multiplied by its weight gain 1/√(C_in·k²).
     * Feed (edited) values back with {@link #synthesisFromStyleSpace}.
     */
    public Map<String, NDArray> styleSpace(NDArray ws) {
        return Scope.callMap(ws, in -> {
            Map<String, NDArray> st = synthesis.styles(own(in));
            Map<String, NDArray> out = new LinkedHashMap<>();
            NDArray t = st.get(INPUT);
            out.put(INPUT, t.div(t.get(new NDIndex(":, 0:2")).norm(new int[]{1}, true)));
            for (SynthesisLayer l : synthesis.layers()) {
                NDArray v = st.get(l.name());
                out.put(l.name(), l.isToRgb() ? l.gained(v) : v);
            }
            return out;
        });
    }

    /** The factor {@link #styleSpace} applies to a layer's affine output (1/√(C_in·k²) for ToRGB, else 1). */
    public float styleSpaceGain(String layer) {
        for (SynthesisLayer l : synthesis.layers()) if (l.name().equals(layer)) return l.styleSpaceGain();
        if (INPUT.equals(layer)) return 1f;
        throw new IllegalArgumentException("no synthesis layer " + layer);
    }

    // ------------------------------------------------------------------ synthesis

    /** ws [N, num_ws, w_dim] → image [N, C, R, R] (raw range), with the stored input transform. */
    public NDArray synthesis(NDArray ws) {
        return synthesis(ws, Options.defaults());
    }

    /** ws → image with per-call options (input transform, activation listener, memory plan). */
    public NDArray synthesis(NDArray ws, Options options) {
        Options o = options == null ? Options.defaults() : options;
        return Scope.call(ws, in -> {
            NDArray w = own(in);
            return synthesis.forward(synthesis.styles(w), w, o, false);
        });
    }

    /** z → image: mapping then synthesis (options may be null). */
    public NDArray generate(NDArray z, double psi, Integer cutoff, Options options) {
        Options o = options == null ? Options.defaults() : options;
        return Scope.call(z, in -> {
            NDArray ws = mapping.forward(in, psi, cutoff);
            return synthesis.forward(synthesis.styles(ws), ws, o, false);
        });
    }

    /** Runs synthesis from (possibly edited) styles as {@link #styles(NDArray)} returns them: every key must be present. */
    public NDArray synthesisFromStyles(Map<String, NDArray> styles, Options options) {
        return fromStyles(styles, options, false);
    }

    /**
     * stylegan3-editing's {@code synthesis(None, all_s=S)}: runs the network from StyleSpace values as
     * {@link #styleSpace} returns them; the input group is used as given (no re-normalisation), ToRGB styles already
     * carry their gain.
     */
    public NDArray synthesisFromStyleSpace(Map<String, NDArray> styleSpace, Options options) {
        return fromStyles(styleSpace, options, true);
    }

    private NDArray fromStyles(Map<String, NDArray> styles, Options options, boolean styleSpace) {
        NDArray first = styles.get(INPUT);
        if (first == null) throw new IllegalArgumentException("styles lack '" + INPUT + "'");
        Options o = options == null ? Options.defaults() : options;
        try (Scope s = Scope.of(first).borrowAll(styles.values())) {
            Map<String, NDArray> st = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : styles.entrySet()) st.put(e.getKey(), own(e.getValue()));
            return s.keep(synthesis.forward(st, null, o, styleSpace));
        }
    }

    /** An input converted to this generator's precision (itself when it has it). */
    private NDArray own(NDArray x) {
        return x.getDataType() == dtype ? x : x.toType(dtype, false);
    }

    // ------------------------------------------------------------------ memory

    /**
     * Working memory of the synthesis network (bytes of tensors, weights not included) for {@code batch} images under
     * a plan: a forward, or a forward + backward w.r.t. the latents ({@code backward}).
     */
    public long memory(int batch, SynthesisPlan plan, boolean backward) {
        int e = dtype == DataType.FLOAT64 ? 8 : 4;
        return backward ? SynthesisMemory.forwardBackward(synthesis.layers(), batch, e, plan)
                : SynthesisMemory.forward(synthesis.layers(), batch, e, plan, false);
    }

    /** Bytes of the parameters and constant buffers this generator holds. */
    public long parameterBytes() {
        return MemoryFootprint.bytesOf(manager);
    }

    /** Bytes one output channel of synthesis layer {@code layer} takes in a forward or a recomputed backward. */
    long channelBytes(int layer, int batch, boolean backward) {
        return SynthesisMemory.channelBytes(synthesis.layers().get(layer), batch, dtype == DataType.FLOAT64 ? 8 : 4, backward);
    }

    // ------------------------------------------------------------------ accessors

    /** The architecture derived from the kwargs. */
    public StyleGan3Config config() {
        return config;
    }

    /** The synthesis layer names in order (without "input"). */
    public List<String> layerNames() {
        List<String> out = new ArrayList<>();
        for (SynthesisLayer l : synthesis.layers()) out.add(l.name());
        return Collections.unmodifiableList(out);
    }

    /** Style width per module ("input" → 4, each layer → its input channels), in order. */
    public Map<String, Integer> styleChannels() {
        Map<String, Integer> out = new LinkedHashMap<>();
        out.put(INPUT, 4);
        for (SynthesisLayer l : synthesis.layers()) out.put(l.name(), l.inChannels());
        return out;
    }

    /** The stored input transform buffer (a copy). */
    public double[][] storedTransform() {
        return synthesis.input().storedTransform();
    }

    /** The tracked average w (a copy). */
    public float[] wAvg() {
        return mapping.wAvgValues();
    }

    /** The tracked average w as an array in the given manager (in this generator's precision). */
    public NDArray wAvg(NDManager m) {
        return mapping.wAvg(m);
    }

    public int numWs() {
        return config.numWs;
    }

    public int zDim() {
        return mapping.zDim();
    }

    public int wDim() {
        return mapping.wDim();
    }

    public int resolution() {
        return config.imgResolution;
    }

    public int imgChannels() {
        return config.imgChannels;
    }

    /** Whether this is a random-weight demo network (label its outputs "demo network"). */
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
}
