package dev.styleclip.model.stylegan3;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The StyleGAN3 generator's architecture as its constructor derives it from the pickled init kwargs: the geometric
 * progression of cutoffs and stopbands, sampling rates, sizes, channel counts, filter taps and paddings of every
 * synthesis layer. Absent kwargs take the reference constructor's defaults.
 */
public final class StyleGan3Config {

    /** One synthesis layer (the last one is ToRGB). */
    public record LayerSpec(int index, String name, boolean isToRgb, boolean isCriticallySampled, int inChannels,
                            int outChannels, int inSize, int outSize, int inSamplingRate, int outSamplingRate,
                            int tmpSamplingRate, double inCutoff, double outCutoff, double inHalfWidth,
                            double outHalfWidth, int convKernel, int upFactor, int downFactor, int upTaps, int downTaps,
                            boolean downRadial, int[] padding, Double convClamp, boolean useFp16) {
    }

    public final int zDim;
    public final int cDim;
    public final int wDim;
    public final int imgResolution;
    public final int imgChannels;
    public final int numWs;
    public final int mappingLayers;
    public final double mappingLrMultiplier;
    public final int numLayers;
    public final int numCritical;
    public final double channelBase;
    public final double channelMax;
    public final int marginSize;
    public final double outputScale;
    public final int numFp16Res;
    public final boolean useRadialFilters;
    public final int inputChannels;
    public final int inputSize;
    public final double inputSamplingRate;
    public final double inputBandwidth;
    public final List<LayerSpec> layers;

    /** Derives the architecture; {@code kwargs} is {@code G_ema}'s init kwargs as plain data. */
    public StyleGan3Config(Map<String, Object> kwargs) {
        this.zDim = intArg(kwargs, "z_dim", null, 1, 4096);
        this.cDim = intArg(kwargs, "c_dim", 0, 0, 1 << 16);
        this.wDim = intArg(kwargs, "w_dim", null, 1, 4096);
        this.imgResolution = intArg(kwargs, "img_resolution", null, 4, 8192);
        this.imgChannels = intArg(kwargs, "img_channels", 3, 1, 4);
        Map<String, Object> mk = mapArg(kwargs, "mapping_kwargs");
        this.mappingLayers = intArg(mk, "num_layers", 2, 1, 64);
        this.mappingLrMultiplier = doubleArg(mk, "lr_multiplier", 0.01, 0, 1e6);
        this.channelBase = doubleArg(kwargs, "channel_base", 32768, 1, 1 << 24);
        this.channelMax = doubleArg(kwargs, "channel_max", 512, 1, 16384);
        this.numLayers = intArg(kwargs, "num_layers", 14, 1, 256);
        this.numCritical = intArg(kwargs, "num_critical", 2, 0, 256);
        double firstCutoff = doubleArg(kwargs, "first_cutoff", 2, 1e-3, 1e4);
        double firstStopband = doubleArg(kwargs, "first_stopband", Math.pow(2, 2.1), 1e-3, 1e4);
        double lastStopbandRel = doubleArg(kwargs, "last_stopband_rel", Math.pow(2, 0.3), 1e-3, 1e3);
        this.marginSize = intArg(kwargs, "margin_size", 10, 0, 1024);
        this.outputScale = doubleArg(kwargs, "output_scale", 0.25, -1e6, 1e6);
        this.numFp16Res = intArg(kwargs, "num_fp16_res", 4, 0, 64);
        int convKernel = intArg(kwargs, "conv_kernel", 3, 1, 15);
        int filterSize = intArg(kwargs, "filter_size", 6, 1, 64);
        int lreluUpsampling = intArg(kwargs, "lrelu_upsampling", 2, 1, 16);
        this.useRadialFilters = boolArg(kwargs, "use_radial_filters", false);
        Double convClamp = kwargs.containsKey("conv_clamp")
                ? (kwargs.get("conv_clamp") == null ? null : ((Number) kwargs.get("conv_clamp")).doubleValue()) : 256.0;
        if (numLayers <= numCritical) throw new IllegalArgumentException("num_layers must exceed num_critical");
        this.numWs = numLayers + 2;

        int n = numLayers + 1;
        double lastCutoff = imgResolution / 2.0;
        double lastStopband = lastCutoff * lastStopbandRel;
        double[] cutoffs = new double[n], stopbands = new double[n], rates = new double[n], halfWidths = new double[n];
        int[] sizes = new int[n];
        int[] channels = new int[n];
        for (int i = 0; i < n; i++) {
            double e = Math.min((double) i / (numLayers - numCritical), 1.0);
            cutoffs[i] = firstCutoff * Math.pow(lastCutoff / firstCutoff, e);
            stopbands[i] = firstStopband * Math.pow(lastStopband / firstStopband, e);
            rates[i] = ceilPow2(Math.min(stopbands[i] * 2, imgResolution));
            halfWidths[i] = Math.max(stopbands[i], rates[i] / 2) - cutoffs[i];
            sizes[i] = (int) (rates[i] + marginSize * 2);
            channels[i] = (int) Math.rint(Math.min((channelBase / 2) / cutoffs[i], channelMax));
        }
        sizes[n - 2] = imgResolution;
        sizes[n - 1] = imgResolution;
        channels[n - 1] = imgChannels;
        this.inputChannels = channels[0];
        this.inputSize = sizes[0];
        this.inputSamplingRate = rates[0];
        this.inputBandwidth = cutoffs[0];

        List<LayerSpec> list = new ArrayList<>();
        for (int idx = 0; idx < n; idx++) {
            int prev = Math.max(idx - 1, 0);
            boolean torgb = idx == numLayers;
            boolean critical = idx >= numLayers - numCritical;
            boolean fp16 = rates[idx] * Math.pow(2, numFp16Res) > imgResolution;
            int inRate = (int) rates[prev], outRate = (int) rates[idx];
            int tmpRate = Math.max(inRate, outRate) * (torgb ? 1 : lreluUpsampling);
            int k = torgb ? 1 : convKernel;
            int up = (int) Math.rint((double) tmpRate / inRate);
            int down = (int) Math.rint((double) tmpRate / outRate);
            int upTaps = up > 1 && !torgb ? filterSize * up : 1;
            int downTaps = down > 1 && !torgb ? filterSize * down : 1;
            boolean radial = useRadialFilters && !critical;
            int padTotal = (sizes[idx] - 1) * down + 1 - (sizes[prev] + k - 1) * up + upTaps + downTaps - 2;
            int padLo = Math.floorDiv(padTotal + up, 2);
            int padHi = padTotal - padLo;
            String name = "L" + idx + "_" + sizes[idx] + "_" + channels[idx];
            list.add(new LayerSpec(idx, name, torgb, critical, channels[prev], channels[idx], sizes[prev], sizes[idx],
                    inRate, outRate, tmpRate, cutoffs[prev], cutoffs[idx], halfWidths[prev], halfWidths[idx], k, up, down,
                    upTaps, downTaps, radial, new int[]{padLo, padHi, padLo, padHi}, convClamp, fp16));
        }
        this.layers = Collections.unmodifiableList(list);
    }

    /** exp2(ceil(log2(v))) exactly: the smallest power of two ≥ v. */
    static double ceilPow2(double v) {
        double p = 1;
        if (v <= 1) {
            while (p / 2 >= v) p /= 2;
            return p;
        }
        while (p < v) p *= 2;
        return p;
    }

    /*
     * Every init kwarg is bounded, generously around the published configurations: the sizes of everything built from
     * the file follow from them, so a damaged or hostile pickle (num_layers = 1e9, a negative width) is refused here,
     * before anything is allocated.
     */

    static int intArg(Map<String, Object> kw, String key, Integer def, long min, long max) {
        Object v = kw.get(key);
        if (v == null) {
            if (def == null) throw new IllegalArgumentException("generator init kwargs lack '" + key + "'");
            return def;
        }
        double d = number(key, v);
        if (d != Math.rint(d)) throw new IllegalArgumentException("generator init kwarg '" + key + "' is not a whole number: " + v);
        inRange(key, d, min, max);
        return (int) d;
    }

    static double doubleArg(Map<String, Object> kw, String key, double def, double min, double max) {
        Object v = kw.get(key);
        if (v == null) return def;
        double d = number(key, v);
        inRange(key, d, min, max);
        return d;
    }

    private static double number(String key, Object v) {
        try {
            if (v instanceof Number num) return num.doubleValue();
            if (v instanceof String s) return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            // falls through to the refusal
        }
        throw new IllegalArgumentException("generator init kwarg '" + key + "' is not a number: " + v);
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static void inRange(String key, double v, double min, double max) {
        if (!(v >= min && v <= max)) {
            throw new IllegalArgumentException("generator init kwarg '" + key + "' = " + plain(v) + " is outside " + plain(min)
                    + " … " + plain(max) + " (a damaged or foreign network file)");
        }
    }

    static boolean boolArg(Map<String, Object> kw, String key, boolean def) {
        Object v = kw.get(key);
        if (v == null) return def;
        if (v instanceof Boolean b) return b;
        if (v instanceof Number num) return num.intValue() != 0;
        return Boolean.parseBoolean(String.valueOf(v).trim());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> mapArg(Map<String, Object> kw, String key) {
        Object v = kw.get(key);
        if (v == null) return Map.of();
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw new IllegalArgumentException("generator init kwarg '" + key + "' is not a dict: " + v);
    }
}
