package dev.styleclip.model.stylegan3;

import dev.styleclip.runtime.SynthesisPlan;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The synthesis network: the Fourier-feature input and the synthesis layers in order (the last is ToRGB), strung
 * together one layer at a time. Each layer runs in a scope of its own and its input is released as soon as its output
 * exists, so a forward holds one layer's working set at a time; a {@link SynthesisPlan} chooses channel chunks within
 * a layer and, for a differentiable pass, recomputation instead of a recorded graph ({@link #forward}).
 */
final class SynthesisNetwork {
    private static final Pattern LAYER = Pattern.compile("synthesis\\.(L(\\d+)_(\\d+)_(\\d+))\\.weight");

    private final DataType dtype;
    private final int numWs, wDim;
    private final double outputScale;
    private final SynthesisInput input;
    private final List<SynthesisLayer> layers = new ArrayList<>();

    /** {@code tunable}: the layers keep their parameters as stored, for pivotal tuning (see {@link SynthesisLayer}). */
    SynthesisNetwork(ParamReader p, StyleGan3Config config, int wDim, boolean tunable) throws ModelFileException {
        String src = p.store.source();
        this.dtype = p.dtype;
        this.numWs = config.numWs;
        this.wDim = wDim;
        this.outputScale = config.outputScale;
        this.input = new SynthesisInput(p, config, wDim);
        // names from the tensors, geometry from the kwargs: they must agree
        Map<Integer, String> names = new LinkedHashMap<>();
        for (String name : p.store.names()) {
            Matcher m = LAYER.matcher(name);
            if (m.matches()) names.put(Integer.parseInt(m.group(2)), m.group(1));
        }
        for (StyleGan3Config.LayerSpec spec : config.layers) {
            String name = names.get(spec.index());
            if (name == null) throw new ModelFileException(src, "has no synthesis layer L" + spec.index() + "_*");
            if (Integer.parseInt(name.split("_")[1]) != spec.outSize()) {
                throw new ModelFileException(src, "layer " + name + " does not match its kwargs (output size "
                        + spec.outSize() + ")");
            }
            layers.add(new SynthesisLayer(p, name, spec, wDim, tunable));
        }
        if (names.size() != config.layers.size()) {
            throw new ModelFileException(src, "has " + names.size() + " synthesis layers, its kwargs describe "
                    + config.layers.size());
        }
    }

    SynthesisInput input() {
        return input;
    }

    List<SynthesisLayer> layers() {
        return Collections.unmodifiableList(layers);
    }

    double outputScale() {
        return outputScale;
    }

    /** The affine outputs for ws [N, num_ws, w_dim]: input → [N, 4], each layer → [N, C_in]; in ws's manager. */
    Map<String, NDArray> styles(NDArray ws) {
        Shape s = ws.getShape();
        if (s.dimension() != 3 || s.get(1) != numWs || s.get(2) != wDim) {
            throw new IllegalArgumentException("ws must be [N, " + numWs + ", " + wDim + "], got " + s);
        }
        Map<String, NDArray> out = new LinkedHashMap<>();
        out.put(StyleGan3Generator.INPUT, input.style(row(ws, 0)));
        for (int i = 0; i < layers.size(); i++) out.put(layers.get(i).name(), layers.get(i).style(row(ws, i + 1)));
        return out;
    }

    private static NDArray row(NDArray ws, int i) {
        return ws.get(new NDIndex(":, " + i + ", :"));
    }

    /**
     * The image [N, C, R, R] for styles as {@link #styles} gives them (or StyleSpace values, {@code styleSpace}: the
     * input's t is taken as normalised and ToRGB's carry their gain). {@code ws}: the array the styles were computed
     * from, or null when the caller gave the styles; with a graph being recorded and {@code plan.recompute()}, the
     * backward is recomputed into ws (or into the given styles). Temporaries go to the styles' manager.
     */
    NDArray forward(Map<String, NDArray> styles, NDArray ws, StyleGan3Generator.Options options, boolean styleSpace) {
        for (String k : moduleNames()) {
            if (styles.get(k) == null) throw new IllegalArgumentException("styles lack '" + k + "'");
        }
        SynthesisPlan plan = options.plan;
        Gradients rec = Gradients.active();
        if (plan.recompute() && rec != null && Gradients.isRecording()) {
            return recomputed(rec, styles, ws, options, styleSpace);
        }
        // tracked weights require gradients: a forward outside a recording must not build a graph over them (the
        // compute thread may run with libtorch's grad mode on, see docs/stack.md)
        if (!Gradients.isRecording() && weightsTracked()) return Gradients.withoutGraph(() -> run(styles, options, styleSpace, null));
        return run(styles, options, styleSpace, null);
    }

    /** The plain forward, layer by layer; {@code boundaries} (may be null) receives every layer's input. */
    private NDArray run(Map<String, NDArray> styles, StyleGan3Generator.Options options, boolean styleSpace,
                        List<NDArray> boundaries) {
        BiConsumer<String, NDArray> listener = options.listener;
        NDArray t = styles.get(StyleGan3Generator.INPUT);
        long n = t.getShape().get(0);
        NDArray x = input.forward(t, options.transform, !styleSpace);
        if (listener != null) listener.accept(StyleGan3Generator.INPUT, x);
        for (SynthesisLayer l : layers) {
            NDArray s = styles.get(l.name());
            if (boundaries != null) boundaries.add(x);
            NDArray next;
            try (Scope sc = Scope.of(x).borrow(s)) {
                next = sc.keep(l.forward(x, s, styleSpace, chunk(l, n, options.plan, false), band(l, n, options.plan),
                        boundaries == null));
            }
            if (listener != null) listener.accept(l.name(), next);
            if (boundaries == null) x.close();
            x = next;
        }
        return outputScale != 1 ? scaled(x, outputScale) : x;
    }

    private NDArray scaled(NDArray x, double scale) {
        NDArray y = Nd.mulLike(x, scale);
        x.close();
        return y;
    }

    /**
     * Gradient checkpointing over the layers: the forward records nothing and keeps each layer's input; the caller
     * gets a leaf in place of the image, and the deferred backward recomputes one layer at a time (from the last) with
     * its input and style as leaves, back-propagates the image gradient through it chunk by chunk, and hands the
     * style gradients on to ws (or to the given styles).
     */
    private NDArray recomputed(Gradients rec, Map<String, NDArray> styles, NDArray ws, StyleGan3Generator.Options options,
                               boolean styleSpace) {
        // The checkpoints outlive this call (and the caller's scopes): they belong to the recording, which frees them
        // after the backward or when it ends without one.
        NDManager tape = NDManager.newBaseManager(styles.get(StyleGan3Generator.INPUT).getDevice());
        try {
            // handles of our own on what the gradient must reach (views: same values, graph edges to the originals)
            NDArray wsRef = ws == null ? null : handle(ws, tape);
            Map<String, NDArray> styleRefs = new LinkedHashMap<>();
            if (ws == null) for (Map.Entry<String, NDArray> e : styles.entrySet()) styleRefs.put(e.getKey(), handle(e.getValue(), tape));
            List<NDArray> boundaries = new ArrayList<>();
            NDArray image = Gradients.withoutGraph(() -> {
                Map<String, NDArray> detached = new LinkedHashMap<>();
                for (Map.Entry<String, NDArray> e : styles.entrySet()) {
                    NDArray d = e.getValue().stopGradient();
                    d.attach(tape);
                    detached.put(e.getKey(), d);
                }
                return run(detached, options, styleSpace, boundaries); // everything it makes lands in the tape
            });
            NDArray out = Gradients.leaf(image);
            out.attach(styles.get(StyleGan3Generator.INPUT).getManager());
            long n = image.getShape().get(0);
            rec.defer(new Gradients.Deferred() {
                @Override
                public void backward() {
                    backwardRecomputed(tape, boundaries, out, wsRef, styleRefs, options, styleSpace, n);
                }

                @Override
                public void close() {
                    tape.close();
                }
            });
            return out;
        } catch (RuntimeException | Error e) {
            tape.close();
            throw e;
        }
    }

    /** A new handle on x in {@code m}: a view with the same values whose gradient flows into x. */
    private static NDArray handle(NDArray x, NDManager m) {
        NDArray v = x.reshape(x.getShape());
        v.attach(m);
        return v;
    }

    private void backwardRecomputed(NDManager tape, List<NDArray> boundaries, NDArray out, NDArray wsRef,
                                    Map<String, NDArray> styleRefs, StyleGan3Generator.Options options, boolean styleSpace,
                                    long n) {
        NDArray wsLeaf = wsRef == null ? null : Gradients.leaf(wsRef);
        // the styles are recomputed from the leaf (in this network's precision), so all layers' style gradients
        // collect in one place and reach the caller's graph in a single pass at the end
        NDArray wsIn = wsLeaf == null || wsLeaf.getDataType() == dtype ? wsLeaf : wsLeaf.toType(dtype, false);
        NDArray g = out.getGradient();
        g.attach(tape);
        if (outputScale != 1) g = Nd.mulLike(g, outputScale);
        for (int i = layers.size() - 1; i >= 0; i--) {
            SynthesisLayer l = layers.get(i);
            NDArray x = boundaries.get(i);
            try (Scope sc = Scope.of(x).borrow(wsIn, g)) {
                NDArray sExt = wsIn != null ? l.style(row(wsIn, i + 1)) : styleRefs.get(l.name());
                NDArray s = sc.own(Gradients.leaf(sExt));
                NDArray gx = l.backward(x, s, g, styleSpace, chunk(l, n, options.plan, true), band(l, n, options.plan));
                pushStyle(sExt, s, wsLeaf == null);
                g.close();
                g = sc.keep(gx);
            }
            x.close();
        }
        try (Scope sc = Scope.of(g).borrow(wsIn)) {
            NDArray tExt = wsIn != null ? input.style(row(wsIn, 0)) : styleRefs.get(StyleGan3Generator.INPUT);
            NDArray t = sc.own(Gradients.leaf(tExt));
            NDArray x0 = input.forward(t, options.transform, !styleSpace);
            Gradients.backward(x0, g, false);
            pushStyle(tExt, t, wsLeaf == null);
        }
        if (wsRef != null) Gradients.backwardIfTracked(wsRef, wsLeaf.getGradient(), true);
    }

    /** Hands a style leaf's gradient on to the array it was taken from (kept graph: several layers may share it). */
    private static void pushStyle(NDArray external, NDArray leaf, boolean keepGraph) {
        Gradients.backwardIfTracked(external, leaf.getGradient(), keepGraph);
    }

    /** Channels per chunk of a layer's nonlinearity under a plan. */
    private int chunk(SynthesisLayer l, long n, SynthesisPlan plan, boolean backward) {
        return plan.piece(SynthesisMemory.channelBytes(l, n, elementBytes(), backward), l.outChannels());
    }

    /** Output rows per band of a layer's convolution under a plan. */
    private int band(SynthesisLayer l, long n, SynthesisPlan plan) {
        return plan.piece(SynthesisMemory.rowBytes(l, n, elementBytes()), l.convSize());
    }

    private int elementBytes() {
        return dtype == DataType.FLOAT64 ? 8 : 4;
    }

    private boolean weightsTracked() {
        for (SynthesisLayer l : layers) if (l.trainable() != null && l.trainable().tracked()) return true;
        return false;
    }

    /** "input", then every layer name. */
    List<String> moduleNames() {
        List<String> out = new ArrayList<>();
        out.add(StyleGan3Generator.INPUT);
        for (SynthesisLayer l : layers) out.add(l.name());
        return out;
    }
}
