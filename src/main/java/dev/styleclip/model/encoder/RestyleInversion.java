package dev.styleclip.model.encoder;

import dev.styleclip.model.stylegan3.InputTransform;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.SynthesisPlan;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import dev.styleclip.nn.Nd;

/**
 * ReStyle inversion with a StyleGAN3 decoder, as {@code utils/inference_utils.run_on_batch} of stylegan3-editing:
 * <pre>
 * avg_image = face_pool(synthesis(latent_avg broadcast to [1, n_styles, w_dim]))
 * for k = 1..n:  codes = encoder(cat[x, k == 1 ? avg_image : face_pool(image_{k-1})]) + (k == 1 ? latent_avg : latent_{k-1})
 *                image_k = synthesis(codes)            (identity input transform, decoder resolution)
 * </pre>
 * With a landmarks transform (the inverse transform matrix given to {@code synthesis.input.transform}) every iteration also
 * renders the unaligned image; the last iteration returns that one while the aligned image is what is fed back.
 * {@code face_pool} is {@code AdaptiveAvgPool2d((S, S))}, S the encoder's input size. Only {@code synthesis} is run
 * (ws = codes directly, no mapping, no truncation).
 *
 * <p>Loading ({@link #load}): the official checkpoint dict ({@code state_dict}, {@code opts}, {@code latent_avg}).
 * The decoder weights are the checkpoint's {@code decoder.*} keys (minus {@code synthesis.input.transform}, which holds
 * a per-batch {@code [B,3,3]} leftover and is replaced by the identity); its architecture is not stored, so it comes
 * from a user's StyleGAN3 pickle's init kwargs when one is given, else the official ReStyle decoder config (1024 px
 * FFHQ stylegan3-r). A checkpoint without {@code decoder.*} keys takes the pickle's generator as a whole.
 */
public final class RestyleInversion implements AutoCloseable {

    private static final Pattern MAPPING_FC = Pattern.compile("^mapping\\.fc(\\d+)\\.weight$");

    /** What one iteration produced; arrays valid during the listener call only. */
    public interface IterationListener {
        /**
         * @param k          1-based iteration
         * @param encoderOut the encoder's output {@code [N, n_styles, w_dim]}
         * @param latent     the latent after this iteration
         * @param image      the returned image at decoder resolution (the unaligned one on the last iteration when a
         *                   transform is given)
         * @param feedback   {@code face_pool} of the aligned image (the next encoder input), computed on every iteration
         */
        void iteration(int k, NDArray encoderOut, NDArray latent, NDArray image, NDArray feedback) throws Exception;
    }

    private final NDManager manager;
    private final RestyleEncoder encoder;
    private final StyleGan3Generator decoder;
    private final boolean ownsDecoder;
    private final float[] latentAvg;
    private final int defaultIterations;
    private final Map<String, Object> opts;
    private final String source;
    private NDArray avgImage; // [1,3,S,S] in manager

    private RestyleInversion(NDManager manager, RestyleEncoder encoder, StyleGan3Generator decoder, boolean ownsDecoder,
                             float[] latentAvg, int defaultIterations, Map<String, Object> opts, String source) {
        this.manager = manager;
        this.encoder = encoder;
        this.decoder = decoder;
        this.ownsDecoder = ownsDecoder;
        this.latentAvg = latentAvg;
        this.defaultIterations = defaultIterations;
        this.opts = opts;
        this.source = source;
    }

    /** The official ReStyle decoder architecture ({@code SG3Generator(checkpoint_path=None)}: 1024 px FFHQ-r). */
    public static Map<String, Object> officialDecoderKwargs(int mappingLayers) {
        Map<String, Object> kw = new LinkedHashMap<>();
        kw.put("z_dim", 512);
        kw.put("c_dim", 0);
        kw.put("w_dim", 512);
        kw.put("img_resolution", 1024);
        kw.put("img_channels", 3);
        kw.put("mapping_kwargs", Map.of("num_layers", mappingLayers));
        kw.put("channel_base", 65536);
        kw.put("channel_max", 1024);
        kw.put("conv_kernel", 1);
        kw.put("filter_size", 6);
        kw.put("use_radial_filters", true);
        kw.put("output_scale", 0.25);
        kw.put("magnitude_ema_beta", 0.9988915792636801);
        return kw;
    }

    /**
     * Loads an official ReStyle checkpoint. {@code generatorPickle} (may be null) is a StyleGAN3 network pickle whose
     * init kwargs describe the decoder (and whose G_ema is used when the checkpoint carries no decoder).
     */
    public static RestyleInversion load(Path checkpoint, Path generatorPickle) throws ModelFileException {
        Checkpoint cp = ModelFiles.open(checkpoint);
        Map<String, Object> kwargs = null;
        TensorStore pickleG = null;
        if (generatorPickle != null) {
            Checkpoint g = ModelFiles.open(generatorPickle);
            pickleG = g.objects().containsKey("G_ema") ? g.object("G_ema") : g.main();
            Object kw = pickleG.metadata().get("init_kwargs");
            if (!(kw instanceof Map<?, ?>)) throw new ModelFileException(generatorPickle, "carries no generator init kwargs");
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) kw;
            kwargs = m;
        }
        return load(cp, kwargs, pickleG);
    }

    /**
     * Loads from an opened checkpoint with explicit decoder init kwargs (null = from {@code pickleG}'s or the official
     * config) and an optional generator store used only when the checkpoint has no {@code decoder.*} keys.
     */
    @SuppressWarnings("unchecked")
    public static RestyleInversion load(Checkpoint cp, Map<String, Object> decoderKwargs, TensorStore pickleG)
            throws ModelFileException {
        TensorStore sd = cp.main();
        String src = String.valueOf(cp.file());
        Map<String, Object> opts = opts(cp);
        RestyleEncoder.Kind kind = kind(cp);
        int iters = opts.get("n_iters_per_batch") instanceof Number n ? n.intValue() : 3;
        if (decoderKwargs == null && pickleG != null) {
            Object kw = pickleG.metadata().get("init_kwargs");
            if (kw instanceof Map<?, ?>) decoderKwargs = (Map<String, Object>) kw;
        }
        NDManager m = NDManager.newBaseManager();
        RestyleEncoder enc = null;
        StyleGan3Generator dec = null;
        try {
            enc = RestyleEncoder.load(sd, kind);
            TensorStore decStore = sd.subStore("decoder.");
            if (decStore.size() > 0) {
                MapTensorStore clean = new MapTensorStore(src + " [decoder]", decStore.format());
                int fc = 0;
                for (Tensor t : decStore.tensors()) {
                    String name = t.name();
                    var mm = MAPPING_FC.matcher(name);
                    if (mm.matches()) fc = Math.max(fc, Integer.parseInt(mm.group(1)) + 1);
                    if (!name.equals("synthesis.input.transform")) clean.put(t);
                }
                clean.put(Tensor.ofFloats("synthesis.input.transform", new long[]{3, 3}, new float[]{1, 0, 0, 0, 1, 0, 0, 0, 1}));
                boolean official = decoderKwargs == null;
                if (official) decoderKwargs = officialDecoderKwargs(fc);
                clean.putMetadata("init_kwargs", decoderKwargs);
                try {
                    dec = StyleGan3Generator.load(clean, decoderKwargs, m);
                } catch (ModelFileException e) {
                    if (!official) throw e;
                    throw new ModelFileException(src, "has a decoder that is not the official 1024 px FFHQ-r StyleGAN3 ("
                            + e.getMessage() + "); give the generator pickle it was trained with (--generator)");
                }
            } else if (pickleG != null) {
                dec = decoderKwargs != null ? StyleGan3Generator.load(pickleG, decoderKwargs, m) : StyleGan3Generator.load(pickleG, m);
            } else {
                throw new ModelFileException(src, "carries no decoder; give the StyleGAN3 generator pickle it was trained with");
            }
            float[] avg = latentAvg(cp, dec, enc.wDim(), src);
            return create(m, enc, dec, true, avg, iters, opts, src);
        } catch (ModelFileException | RuntimeException e) {
            if (enc != null) enc.close();
            if (dec != null) dec.close();
            m.close();
            throw e;
        }
    }

    /** The checkpoint's training options. @throws ModelFileException when it is no ReStyle checkpoint */
    @SuppressWarnings("unchecked")
    static Map<String, Object> opts(Checkpoint cp) throws ModelFileException {
        Object optsObj = cp.info().get("opts");
        if (!(optsObj instanceof Map<?, ?>) || !cp.main().contains("encoder.input_layer.0.weight")) {
            throw new ModelFileException(String.valueOf(cp.file()), "is not a ReStyle encoder checkpoint (no opts / encoder.* state dict)");
        }
        return (Map<String, Object>) optsObj;
    }

    /** The encoder kind its options name. @throws ModelFileException when it is none we build */
    static RestyleEncoder.Kind kind(Checkpoint cp) throws ModelFileException {
        Object et = opts(cp).get("encoder_type");
        RestyleEncoder.Kind kind = et instanceof String s ? RestyleEncoder.Kind.of(s) : null;
        if (kind == null) {
            throw new ModelFileException(String.valueOf(cp.file()), "has encoder_type " + et
                    + "; supported: BackboneEncoder (ReStyle-pSp), ProgressiveBackboneEncoder (ReStyle-e4e)");
        }
        return kind;
    }

    /** Assembles an inversion from parts (the decoder stays owned by the caller). */
    public static RestyleInversion of(RestyleEncoder encoder, StyleGan3Generator decoder, float[] latentAvg, int iterations) {
        return create(NDManager.newBaseManager(), encoder, decoder, false, latentAvg, iterations, Map.of(), "encoder");
    }

    private static RestyleInversion create(NDManager m, RestyleEncoder enc, StyleGan3Generator dec, boolean owns,
                                           float[] avg, int iters, Map<String, Object> opts, String src) {
        if (dec.wDim() != enc.wDim()) {
            throw new IllegalArgumentException(src + ": the encoder's w_dim " + enc.wDim() + " differs from the decoder's " + dec.wDim());
        }
        if (dec.numWs() != enc.nStyles()) {
            throw new IllegalArgumentException(src + ": the encoder has " + enc.nStyles() + " style heads, the decoder takes "
                    + dec.numWs() + " ws");
        }
        return new RestyleInversion(m, enc, dec, owns, avg, iters, opts, src);
    }

    private static float[] latentAvg(Checkpoint cp, StyleGan3Generator dec, int wDim, String src) throws ModelFileException {
        Object la = cp.info().get("latent_avg");
        float[] v;
        if (la instanceof Tensor t) {
            v = t.toFloatArray();
        } else {
            v = dec.wAvg(); // start_from_latent_avg with no stored latent_avg: the decoder's w_avg
        }
        if (v.length != wDim) throw new ModelFileException(src, "latent_avg has " + v.length + " values, w_dim is " + wDim);
        return v;
    }

    // ------------------------------------------------------------------ accessors

    public RestyleEncoder encoder() {
        return encoder;
    }

    public StyleGan3Generator decoder() {
        return decoder;
    }

    public float[] latentAvg() {
        return latentAvg.clone();
    }

    /** The checkpoint's {@code opts.n_iters_per_batch} (3 when absent). */
    public int defaultIterations() {
        return defaultIterations;
    }

    public Map<String, Object> opts() {
        return opts;
    }

    public String source() {
        return source;
    }

    public int inputSize() {
        return encoder.inputSize();
    }

    public String describe() {
        return encoder.describe() + "; decoder " + decoder.resolution() + " px, " + defaultIterations + " iterations";
    }

    // ------------------------------------------------------------------ pieces

    /** {@code AdaptiveAvgPool2d((size, size))} of {@code img [N,C,H,W]} (torch's op), in img's manager. */
    public static NDArray facePool(NDArray img, int size) {
        if (img.getShape().get(2) == size && img.getShape().get(3) == size) return img.duplicate();
        return JniUtils.adaptiveAvgPool((PtNDArray) img, new Shape(size, size));
    }

    /** {@code latent_avg} broadcast to {@code [n, n_styles, w_dim]} in {@code m}. */
    public NDArray latentAvg(NDManager m, long n) {
        return Nd.constant(m, latentAvg, new Shape(1, 1, encoder.wDim())).broadcast(new Shape(n, encoder.nStyles(), encoder.wDim())).duplicate();
    }

    /** {@code face_pool(synthesis(latent_avg))} {@code [1,3,S,S]}, computed once; returned as a copy in {@code m}. */
    public NDArray avgImage(NDManager m) {
        return avgImage(m, SynthesisPlan.DEFAULT);
    }

    private NDArray avgImage(NDManager m, SynthesisPlan plan) {
        if (avgImage == null) {
            try (NDManager sub = manager.newSubManager()) {
                NDArray img = decoder.synthesis(latentAvg(sub, 1), StyleGan3Generator.Options.with(plan)
                        .transform(InputTransform.identity()));
                NDArray p = facePool(img, encoder.inputSize());
                p.attach(manager);
                avgImage = p;
            }
        }
        NDArray c = Nd.constant(m, avgImage.toFloatArray(), avgImage.getShape());
        return c;
    }

    /** Synthesis of {@code codes [N, n_styles, w_dim]}; {@code transforms} (may be null) = per-sample inverse matrices. */
    public NDArray render(NDArray codes, double[][][] transforms) {
        return render(codes, transforms, SynthesisPlan.DEFAULT);
    }

    /** As {@link #render(NDArray, double[][][])} under a memory plan. */
    public NDArray render(NDArray codes, double[][][] transforms, SynthesisPlan plan) {
        if (transforms == null) {
            return decoder.synthesis(codes, StyleGan3Generator.Options.with(plan).transform(InputTransform.identity()));
        }
        long n = codes.getShape().get(0);
        if (transforms.length != n) throw new IllegalArgumentException(transforms.length + " transforms for " + n + " images");
        boolean same = true;
        for (double[][] t : transforms) same &= java.util.Arrays.deepEquals(t, transforms[0]);
        if (same) return decoder.synthesis(codes, StyleGan3Generator.Options.with(plan).transform(transforms[0]));
        NDList parts = new NDList();
        for (int i = 0; i < n; i++) {
            NDArray ci = codes.get(i + ":" + (i + 1));
            parts.add(decoder.synthesis(ci, StyleGan3Generator.Options.with(plan).transform(transforms[i])));
            ci.close();
        }
        NDArray all = NDArrays.concat(parts, 0);
        parts.close();
        return all;
    }

    // ------------------------------------------------------------------ the loop

    /**
     * Runs {@code iterations} ReStyle steps on {@code x [N,3,S,S]} (in [-1, 1]); returns the final latent
     * {@code [N, n_styles, w_dim]} in x's manager.
     *
     * @param transforms        per-sample landmarks transforms (inverse matrices) or null
     * @param iterationListener per-iteration results (may be null)
     * @param encoderListener   encoder intermediates of iteration 1 (may be null)
     */
    public NDArray invert(NDArray x, int iterations, double[][][] transforms, IterationListener iterationListener,
                          RestyleEncoder.Listener encoderListener) throws Exception {
        return invert(x, iterations, transforms, SynthesisPlan.DEFAULT, iterationListener, encoderListener);
    }

    /** As above, the decoder running under a memory plan (see {@code edit.MemoryPlanner}). */
    public NDArray invert(NDArray x, int iterations, double[][][] transforms, SynthesisPlan plan,
                          IterationListener iterationListener, RestyleEncoder.Listener encoderListener) throws Exception {
        int s = encoder.inputSize();
        Shape xs = x.getShape();
        if (xs.dimension() != 4 || xs.get(1) != 3 || xs.get(2) != s || xs.get(3) != s) {
            throw new IllegalArgumentException("the encoder takes photos [N,3," + s + "," + s + "], got " + xs);
        }
        if (iterations < 1) throw new IllegalArgumentException("iterations must be at least 1");
        NDManager caller = x.getManager();
        long n = xs.get(0);
        try (NDManager sub = caller.newSubManager()) {
            x.tempAttach(sub);
            NDArray prev = avgImage(sub, plan).broadcast(new Shape(n, 3, s, s));
            NDArray latent = latentAvg(sub, n);
            for (int k = 1; k <= iterations; k++) {
                NDArray in = NDArrays.concat(new NDList(x, prev), 1);
                NDArray out = encoder.forward(in, k == 1 ? encoderListener : null);
                in.close();
                NDArray codes = out.add(latent);
                NDArray img = render(codes, null, plan);
                NDArray fb = facePool(img, s);
                NDArray shown = img;
                if (transforms != null && k == iterations) shown = render(codes, transforms, plan);
                if (iterationListener != null) iterationListener.iteration(k, out, codes, shown, fb);
                // keep memory flat over many iterations: only the latent and the feedback image carry over
                out.close();
                if (shown != img) shown.close();
                img.close();
                latent.close();
                prev.close();
                latent = codes;
                prev = fb;
            }
            latent.attach(caller);
            return latent;
        }
    }

    @Override
    public void close() {
        encoder.close();
        if (ownsDecoder) decoder.close();
        manager.close();
    }
}
