package dev.styleclip.edit.mapper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.styleclip.edit.WGroups;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.TorchMath;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.nn.Scope;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * StyleCLIP's levels mapper for a StyleGAN W+ latent ({@code LevelsMapper} of stylegan3-editing): the ws rows are split
 * into a coarse, a medium and a fine group; each enabled group runs {@code PixelNorm} then four equalised-learning-rate
 * linear layers with fused leaky ReLU on its rows, a disabled group contributes zeros (and owns no parameters).
 *
 * <ul>
 *   <li>PixelNorm normalises over the LAYER axis (dim 1 of the [B, L, w_dim] slice) — the reference's quirk, kept.</li>
 *   <li>EqualLinear (lr_mul 0.01): y = x·(W·lr_mul/√w_dim)ᵀ; y = leaky_relu(y + b·lr_mul, 0.2)·√2.</li>
 *   <li>Groups for {@code num_ws} rows as {@link dev.styleclip.edit.WGroups} defines them (the same rule as the latent
 *   optimisation); for StyleGAN3's 16 ws this is the reference's 0–4, 5–7, 8–15.</li>
 * </ul>
 *
 * <p>State dict keys are the reference's: {@code course_mapping.mapping.1.weight} … [sic], {@code medium_mapping…},
 * {@code fine_mapping…}; a coach checkpoint's {@code mapper.} prefix is accepted on load. Weights are the raw stored
 * values (≈ N(0,1)/lr_mul), as in PyTorch, so checkpoints load both ways.
 */
public final class LevelsMapper implements AutoCloseable {
    /** The reference's group key prefixes, in order (note the reference's spelling "course"). */
    public static final String[] GROUP_KEYS = {"course_mapping", "medium_mapping", "fine_mapping"};
    public static final float LR_MUL = 0.01f;
    public static final int LAYERS = 4;
    private static final float SQRT2 = (float) Math.sqrt(2);

    private final NDManager manager;
    private final int numWs;
    private final int wDim;
    private final boolean[] enabled;
    private final int[][] ranges;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final float weightScale;

    private LevelsMapper(int numWs, int wDim, boolean[] enabled, NDManager parent) {
        if (numWs < 3) throw new IllegalArgumentException("the levels mapper needs at least 3 ws rows, got " + numWs);
        this.numWs = numWs;
        this.wDim = wDim;
        this.enabled = enabled.clone();
        this.ranges = groupRanges(numWs);
        this.manager = parent.newSubManager();
        this.weightScale = (float) (LR_MUL / Math.sqrt(wDim));
    }

    /** The [start, end) ws rows of the coarse, medium and fine groups for {@code numWs} rows ({@link WGroups}' rule). */
    public static int[][] groupRanges(int numWs) {
        return new int[][]{
                WGroups.range(WGroups.Group.COARSE, numWs),
                WGroups.range(WGroups.Group.MEDIUM, numWs),
                WGroups.range(WGroups.Group.FINE, numWs)};
    }

    /** A fresh mapper as the reference constructs it: weights N(0,1)/lr_mul, biases 0 (seeded, deterministic). */
    public static LevelsMapper create(int numWs, int wDim, boolean[] enabled, long seed, NDManager parent) {
        LevelsMapper m = new LevelsMapper(numWs, wDim, enabled, parent);
        Random rnd = new Random(seed);
        for (String key : m.stateDictKeys()) {
            boolean weight = key.endsWith(".weight");
            int n = weight ? wDim * wDim : wDim;
            float[] v = new float[n];
            if (weight) for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() / LR_MUL);
            m.params.put(key, m.manager.create(v, weight ? new Shape(wDim, wDim) : new Shape(wDim)));
        }
        return m;
    }

    /**
     * Loads a mapper from a state dict (LevelsMapper keys, optionally prefixed {@code mapper.}); the enabled groups are
     * the ones whose keys are present. {@code numWs} comes from the generator the mapper will edit.
     */
    public static LevelsMapper load(TensorStore store, int numWs, NDManager parent) throws dev.styleclip.io.ModelFileException {
        String prefix = "";
        for (String n : store.names()) {
            if (n.startsWith("mapper.") && n.contains("_mapping.mapping.")) {
                prefix = "mapper.";
                break;
            }
        }
        boolean[] on = new boolean[3];
        int wDim = -1;
        for (int g = 0; g < 3; g++) {
            String k = prefix + GROUP_KEYS[g] + ".mapping.1.weight";
            if (store.contains(k)) {
                on[g] = true;
                long[] s = store.get(k).shape();
                if (s.length != 2 || s[0] != s[1]) throw new IllegalArgumentException(k + " must be square, got " + java.util.Arrays.toString(s));
                wDim = (int) s[0];
            }
        }
        if (wDim < 0) throw new IllegalArgumentException(store.source() + " holds no levels mapper (no *_mapping.mapping.1.weight key)");
        LevelsMapper m = new LevelsMapper(numWs, wDim, on, parent);
        for (String key : m.stateDictKeys()) {
            if (!store.contains(prefix + key)) throw new IllegalArgumentException(store.source() + " lacks mapper key " + prefix + key);
            Tensor t = store.get(prefix + key);
            long expect = key.endsWith(".weight") ? (long) wDim * wDim : wDim;
            float[] v = t.toFloatArray();
            if (v.length != expect) throw new IllegalArgumentException(prefix + key + " has " + v.length + " values, expected " + expect);
            m.params.put(key, m.manager.create(v, key.endsWith(".weight") ? new Shape(wDim, wDim) : new Shape(wDim)));
        }
        return m;
    }

    /** The state dict keys of the enabled groups, in the reference's order. */
    public List<String> stateDictKeys() {
        List<String> keys = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
            if (!enabled[g]) continue;
            for (int l = 1; l <= LAYERS; l++) {
                keys.add(GROUP_KEYS[g] + ".mapping." + l + ".weight");
                keys.add(GROUP_KEYS[g] + ".mapping." + l + ".bias");
            }
        }
        return keys;
    }

    /** The parameter arrays by state dict key (live: the trainer updates them in place). */
    public Map<String, NDArray> parameters() {
        return params;
    }

    /** The state dict as F32 tensors (copies), with an optional key prefix (e.g. "mapper."). */
    public List<Tensor> stateDict(String prefix) {
        List<Tensor> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            out.add(floatTensor(prefix + e.getKey(), e.getValue().toFloatArray(), e.getValue().getShape().getShape()));
        }
        return out;
    }

    /** Replaces the parameter values (same keys and sizes). */
    public void setParameter(String key, float[] values) {
        NDArray p = params.get(key);
        if (p == null) throw new IllegalArgumentException("no mapper parameter " + key);
        boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        try {
            p.set(values);
        } finally {
            ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
        }
    }

    static Tensor floatTensor(String name, float[] v, long[] shape) {
        return Tensor.ofFloats(name, shape, v);
    }

    /**
     * M(w) [B, num_ws, w_dim] for ws [B, num_ws, w_dim], differentiable w.r.t. the parameters (inside a gradient
     * collector when the parameters require gradients); the result is in w's manager.
     */
    public NDArray forward(NDArray w) {
        Shape s = w.getShape();
        if (s.dimension() != 3 || s.get(1) != numWs || s.get(2) != wDim) {
            throw new IllegalArgumentException("mapper input must be [B, " + numWs + ", " + wDim + "], got " + s);
        }
        NDManager caller = w.getManager();
        try (NDManager sub = caller.newSubManager()) {
            w.tempAttach(sub);
            long b = s.get(0);
            NDList parts = new NDList();
            for (int g = 0; g < 3; g++) {
                int a = ranges[g][0], e = ranges[g][1];
                if (!enabled[g]) {
                    parts.add(sub.zeros(new Shape(b, e - a, wDim), DataType.FLOAT32));
                    continue;
                }
                NDArray x = w.get(new NDIndex(":, " + a + ":" + e + ", :"));
                x = x.mul(TorchMath.rsqrt(Nd.add(x.square().mean(new int[]{1}, true), 1e-8f)));
                for (int l = 1; l <= LAYERS; l++) {
                    NDArray wt = params.get(GROUP_KEYS[g] + ".mapping." + l + ".weight");
                    NDArray bias = params.get(GROUP_KEYS[g] + ".mapping." + l + ".bias");
                    NDArray y = x.matMul(Nd.mul(wt, weightScale).transpose());
                    x = Nd.mul(Activation.leakyRelu(y.add(Nd.mul(bias, LR_MUL)), 0.2f), SQRT2);
                }
                parts.add(x);
            }
            NDArray out = parts.size() == 1 ? parts.get(0) : NDArrays.concat(parts, 1);
            out.attach(caller);
            return out;
        }
    }

    /** w + strength·M(w) (the reference's training and inference use strength 0.1). */
    public NDArray edit(NDArray w, double strength) {
        try (Scope scope = Scope.of(w)) {
            return scope.keep(w.add(Nd.mul(forward(w), (float) strength)));
        }
    }

    public int numWs() {
        return numWs;
    }

    public int wDim() {
        return wDim;
    }

    /** Enabled flags for coarse, medium, fine (a copy). */
    public boolean[] enabled() {
        return enabled.clone();
    }

    /** "coarse,medium,fine" style list of the enabled groups. */
    public String groupsSpec() {
        return WGroups.format(WGroups.of(enabled));
    }

    /** The [start, end) ws rows per group (a copy). */
    public int[][] ranges() {
        return new int[][]{ranges[0].clone(), ranges[1].clone(), ranges[2].clone()};
    }

    public long parameterCount() {
        long n = 0;
        for (NDArray p : params.values()) n += p.size();
        return n;
    }

    @Override
    public void close() {
        manager.close();
    }
}
