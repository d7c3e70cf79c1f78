package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.Format;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.nn.FilterDesign;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Deterministic random-weight StyleGAN3 generators in the architectures of NVIDIA's published pickles, for running the
 * app, the benchmarks and the memory tests at real sizes without downloading a network: {@link #ARCHITECTURES}
 * {@code stylegan3-t-256} (the default: {@code stylegan3-t-ffhqu-256x256.pkl}, z/w 512, channel_base 16384,
 * channel_max 512, 2 mapping layers, 16 ws), {@code stylegan3-t-512/1024} (channel_base 32768) and
 * {@code stylegan3-r-256/512/1024} (1×1 convolutions, radial filters, channel_base and channel_max doubled), exactly as
 * the published configurations are built for training. Each is built through the same code path as a real checkpoint:
 * a tensor store with state-dict names plus init kwargs, with the low-pass filters designed as the reference
 * constructor designs them. Their images are noise-like patterns, not faces: label them "demo network".
 */
public final class DemoNetworks {
    /** The label to show wherever a demo network's output appears. */
    public static final String LABEL = "demo network";
    /** The published architectures a demo network can take, by name. */
    public static final List<String> ARCHITECTURES = List.of("stylegan3-t-256", "stylegan3-t-512", "stylegan3-t-1024",
            "stylegan3-r-256", "stylegan3-r-512", "stylegan3-r-1024");
    /** The default demo architecture (small enough for a CPU). */
    public static final String DEFAULT = "stylegan3-t-256";
    /** Source name of the default demo store. */
    public static final String SOURCE = source(DEFAULT);
    /** The weights' seed. */
    public static final long SEED = 20211011L;

    private DemoNetworks() {
    }

    /** The init kwargs of the 256² T demo generator. */
    public static Map<String, Object> demoKwargs() {
        return kwargs(DEFAULT);
    }

    /**
     * The init kwargs of a published architecture ({@link #ARCHITECTURES}), as NVIDIA's training script sets them for
     * the FFHQ configurations: T with channel_base 32768 (16384 at 256²) and channel_max 512; R with 1×1 convolutions,
     * radial filters and both doubled.
     */
    public static Map<String, Object> kwargs(String architecture) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("stylegan3-([tr])-(256|512|1024)").matcher(
                architecture == null ? "" : architecture.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown demo architecture '" + architecture + "': use one of "
                    + String.join(", ", ARCHITECTURES));
        }
        boolean r = m.group(1).equals("r");
        int res = Integer.parseInt(m.group(2));
        int base = res > 256 ? 32768 : 16384;
        Map<String, Object> kw = new LinkedHashMap<>();
        kw.put("z_dim", 512);
        kw.put("w_dim", 512);
        kw.put("mapping_kwargs", Map.of("num_layers", 2));
        kw.put("channel_base", r ? 2 * base : base);
        kw.put("channel_max", r ? 1024 : 512);
        kw.put("magnitude_ema_beta", 0.999);
        if (r) {
            kw.put("conv_kernel", 1);
            kw.put("use_radial_filters", true);
        }
        kw.put("c_dim", 0);
        kw.put("img_resolution", res);
        kw.put("img_channels", 3);
        return kw;
    }

    /** "demo network (random weights, stylegan3-r 1024x1024 architecture)". */
    public static String source(String architecture) {
        Map<String, Object> kw = kwargs(architecture);
        int res = (Integer) kw.get("img_resolution");
        return LABEL + " (random weights, " + architecture.substring(0, "stylegan3-t".length()) + " " + res + "x" + res
                + " architecture)";
    }

    /** The 256² demo generator (weights from {@link #SEED}). */
    public static StyleGan3Generator generator(NDManager manager) throws ModelFileException {
        return generator(demoKwargs(), SEED, manager);
    }

    /** A demo generator in a published architecture (weights from {@link #SEED}). */
    public static StyleGan3Generator generator(String architecture, NDManager manager) throws ModelFileException {
        return generator(kwargs(architecture), SEED, manager);
    }

    /** A random-weight generator of any architecture the kwargs describe (e.g. a tiny one for tests). */
    public static StyleGan3Generator generator(Map<String, Object> kwargs, long seed, NDManager manager)
            throws ModelFileException {
        return StyleGan3Generator.loadDemo(() -> randomStore(kwargs, seed), kwargs, manager);
    }

    /**
     * Random weights initialised as the reference constructors initialise them (mapping N(0, 1/lr²), affine biases 1,
     * input affine identity, Fourier frequencies uniform on the disc of the input bandwidth, unit magnitude EMAs), with
     * the ToRGB weights scaled down so images have a moderate contrast, and the designed filters.
     */
    public static MapTensorStore randomStore(Map<String, Object> kwargs, long seed) {
        StyleGan3Config cfg = new StyleGan3Config(kwargs);
        Random rnd = new Random(seed);
        MapTensorStore s = new MapTensorStore(sourceOf(kwargs), Format.SAFETENSORS);
        s.putMetadata("class_name", "training.networks_stylegan3.Generator");
        s.putMetadata("init_kwargs", kwargs);
        s.putMetadata("demo", true);
        int w = cfg.wDim;
        // synthesis input
        int c0 = cfg.inputChannels;
        put(s, "synthesis.input.weight", randn(rnd, c0 * c0, 1), c0, c0);
        put(s, "synthesis.input.transform", new float[]{1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3);
        float[] freqs = new float[c0 * 2];
        for (int i = 0; i < c0; i++) {
            double fx = rnd.nextGaussian(), fy = rnd.nextGaussian();
            double r = Math.sqrt(fx * fx + fy * fy);
            double d = r * Math.pow(Math.exp(r * r), 0.25);
            freqs[2 * i] = (float) (fx / d * cfg.inputBandwidth);
            freqs[2 * i + 1] = (float) (fy / d * cfg.inputBandwidth);
        }
        put(s, "synthesis.input.freqs", freqs, c0, 2);
        float[] phases = new float[c0];
        for (int i = 0; i < c0; i++) phases[i] = (float) (rnd.nextDouble() - 0.5);
        put(s, "synthesis.input.phases", phases, c0);
        put(s, "synthesis.input.affine.weight", randn(rnd, 4 * w, 0.0), 4, w);
        put(s, "synthesis.input.affine.bias", new float[]{1, 0, 0, 0}, 4);
        for (StyleGan3Config.LayerSpec l : cfg.layers) {
            String p = "synthesis." + l.name() + ".";
            int k = l.convKernel();
            double scale = l.isToRgb() ? 4.0 : 1.0; // ToRGB: output std ≈ 0.5 like a trained model
            put(s, p + "weight", randn(rnd, l.outChannels() * l.inChannels() * k * k, scale), l.outChannels(), l.inChannels(), k, k);
            put(s, p + "bias", new float[l.outChannels()], l.outChannels());
            put(s, p + "magnitude_ema", new float[]{1f});
            if (l.upTaps() > 1) {
                put(s, p + "up_filter", toFloat(FilterDesign.lowpass(l.upTaps(), l.inCutoff(), l.inHalfWidth() * 2,
                        l.tmpSamplingRate())), l.upTaps());
            }
            if (l.downTaps() > 1) {
                if (l.downRadial()) {
                    double[][] f = FilterDesign.radialLowpass(l.downTaps(), l.outCutoff(), l.outHalfWidth() * 2,
                            l.tmpSamplingRate());
                    float[] flat = new float[l.downTaps() * l.downTaps()];
                    for (int i = 0; i < l.downTaps(); i++)
                        for (int j = 0; j < l.downTaps(); j++) flat[i * l.downTaps() + j] = (float) f[i][j];
                    put(s, p + "down_filter", flat, l.downTaps(), l.downTaps());
                } else {
                    put(s, p + "down_filter", toFloat(FilterDesign.lowpass(l.downTaps(), l.outCutoff(),
                            l.outHalfWidth() * 2, l.tmpSamplingRate())), l.downTaps());
                }
            }
            put(s, p + "affine.weight", randn(rnd, l.inChannels() * w, 1.0), l.inChannels(), w);
            float[] ones = new float[l.inChannels()];
            java.util.Arrays.fill(ones, 1f);
            put(s, p + "affine.bias", ones, l.inChannels());
        }
        put(s, "mapping.w_avg", new float[w], w);
        int in = cfg.zDim;
        for (int i = 0; i < cfg.mappingLayers; i++) {
            put(s, "mapping.fc" + i + ".weight", randn(rnd, w * in, 1 / cfg.mappingLrMultiplier), w, in);
            put(s, "mapping.fc" + i + ".bias", new float[w], w);
            in = w;
        }
        return s;
    }

    /** The source name for kwargs of a published architecture, else a generic one. */
    private static String sourceOf(Map<String, Object> kwargs) {
        for (String a : ARCHITECTURES) if (kwargs(a).equals(kwargs)) return source(a);
        return LABEL + " (random weights)";
    }

    /** The filters the reference constructor designs for each layer: name → up_filter / down_filter values. */
    public static Map<String, float[]> designedFilters(Map<String, Object> kwargs) {
        MapTensorStore s = randomStore(kwargs, 0);
        Map<String, float[]> out = new LinkedHashMap<>();
        for (String n : s.names()) {
            if (n.endsWith("up_filter") || n.endsWith("down_filter")) {
                try {
                    out.put(n, s.get(n).toFloatArray());
                } catch (ModelFileException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return out;
    }

    /** The layer names the kwargs produce. */
    public static List<String> layerNames(Map<String, Object> kwargs) {
        return new StyleGan3Config(kwargs).layers.stream().map(StyleGan3Config.LayerSpec::name).toList();
    }

    private static float[] randn(Random rnd, int n, double scale) {
        float[] v = new float[n];
        if (scale == 0) return v;
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * scale);
        return v;
    }

    private static float[] toFloat(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    private static void put(MapTensorStore s, String name, float[] v, long... shape) {
        s.put(Tensor.ofFloats(name, shape, v));
    }
}
