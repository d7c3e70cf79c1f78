package dev.styleclip.edit.mapper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.edit.KeepLoss;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.StyleClipFrontEnd;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.SynthesisPlan;
import dev.styleclip.nn.Gradients;
import dev.styleclip.nn.Nd;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One training step of the latent mapper, as stylegan3-editing's {@code Coach.train}: x = synthesis(w) (no gradient);
 * ŵ = w + 0.1·M(w); x̂ = synthesis(ŵ); loss = λ_ID·ID(x̂, x) + λ_CLIP·mean_b(1 − cos(CLIP(x̂), text)) + λ_L2·MSE(ŵ, w);
 * backward; one AdamW step per mapper parameter (PyTorch's rule, {@link Adam#adamW}). A region-limited mapper adds
 * λ_keep·keep(x̂, x) ({@link KeepLoss}: L2 + LPIPS where the edit should not reach); with λ_keep 0 the term is only
 * measured, as the ID term's improvement is.
 *
 * <p>The CLIP loss front end is StyleCLIP's (nearest ×u then k×k average pool, no normalisation); the ID loss is
 * {@link IdentityLoss}'s (its features of x are detached). // TODO use edit.ClipLoss / edit.EditNetworks after merge
 */
public final class MapperTrainer {
    /** The delta scale the reference hard-codes in training, validation and inference. */
    public static final double TRAIN_DELTA_SCALE = 0.1;

    /** Loss weights and AdamW settings; λ_keep weighs the keep term (used only with a {@link KeepLoss}). */
    public record Settings(double lambdaClip, double lambdaL2, double lambdaId, double weightDecay, double lambdaKeep) {
        /** The reference defaults: clip 1.0, latent L2 0.3, ID 0.06; AdamW weight decay 0.01; no keep term. */
        public static Settings defaults() {
            return new Settings(1.0, 0.3, 0.06, 0.01);
        }

        /** Without a keep term. */
        public Settings(double lambdaClip, double lambdaL2, double lambdaId, double weightDecay) {
            this(lambdaClip, lambdaL2, lambdaId, weightDecay, 0);
        }
    }

    /** What one step computed (values BEFORE the update) and, when asked, its tensors. */
    public record StepResult(Map<String, Double> losses, float[] delta, float[] wHat, float[] xHat) {
    }

    private final LevelsMapper mapper;
    private final StyleGan3Generator generator;
    private final ClipModel clip;
    private final StyleClipFrontEnd frontEnd;
    private final IdentityLoss idLoss;
    private final NDArray textFeatures;
    private final Settings settings;
    private final Map<String, Adam> optimisers = new LinkedHashMap<>();
    private final StyleGan3Generator.Options synthesis;
    private final KeepLoss keep;

    /**
     * @param textFeatures raw CLIP text features [1, D] of the prompt (kept by the caller)
     * @param idLoss       the ID loss, or null when λ_ID = 0
     */
    public MapperTrainer(LevelsMapper mapper, StyleGan3Generator generator, ClipModel clip, IdentityLoss idLoss,
                         NDArray textFeatures, Settings settings, NDManager stateManager) {
        this(mapper, generator, clip, idLoss, textFeatures, settings, SynthesisPlan.PLAIN, stateManager);
    }

    /** As above, with the generator's memory plan (a job's {@link dev.styleclip.edit.MemoryPlanner} decides it). */
    public MapperTrainer(LevelsMapper mapper, StyleGan3Generator generator, ClipModel clip, IdentityLoss idLoss,
                         NDArray textFeatures, Settings settings, SynthesisPlan plan, NDManager stateManager) {
        this(mapper, generator, clip, idLoss, textFeatures, settings, plan, null, stateManager);
    }

    /** As above, for a region-limited mapper: {@code keep} (null: none) holds what the edit should leave alone. */
    public MapperTrainer(LevelsMapper mapper, StyleGan3Generator generator, ClipModel clip, IdentityLoss idLoss,
                         NDArray textFeatures, Settings settings, SynthesisPlan plan, KeepLoss keep, NDManager stateManager) {
        this.keep = keep;
        this.synthesis = StyleGan3Generator.Options.with(plan);
        this.mapper = mapper;
        this.generator = generator;
        this.clip = clip;
        this.idLoss = idLoss;
        this.textFeatures = textFeatures;
        this.settings = settings;
        if (idLoss == null && settings.lambdaId() != 0) throw new IllegalArgumentException("an ID weight needs an ID network");
        this.frontEnd = new StyleClipFrontEnd(generator.resolution(), clip.inputResolution());
        for (Map.Entry<String, NDArray> e : mapper.parameters().entrySet()) {
            e.getValue().setRequiresGradient(true);
            optimisers.put(e.getKey(), Adam.adamW(e.getValue(), stateManager, settings.weightDecay()));
        }
    }

    /** The AdamW state per parameter key (for checkpoints). */
    public Map<String, Adam> optimisers() {
        return optimisers;
    }

    public LevelsMapper mapper() {
        return mapper;
    }

    /**
     * One step on the batch w [B, num_ws, w_dim] at learning rate lr. Temporaries live in {@code tmp}. With
     * {@code keepTensors} the result carries M(w), ŵ and x̂ (flattened float32).
     */
    public StepResult step(NDArray w, double lr, NDManager tmp, boolean keepTensors) {
        NDArray wl = w.getManager() == tmp ? w : w.duplicate();
        if (wl != w) wl.attach(tmp);
        NDArray x = generator.synthesis(wl, synthesis);
        NDArray fx = idLoss != null && settings.lambdaId() != 0 ? idLoss.features(x).stopGradient() : null;
        Map<String, Double> losses = new LinkedHashMap<>();
        float[] delta = null, wHat = null, xHat = null;
        try (Gradients gc = Gradients.record()) {
            NDArray d = mapper.forward(wl);
            NDArray wh = wl.add(Nd.mul(d, (float) TRAIN_DELTA_SCALE));
            NDArray xh = generator.synthesis(wh, synthesis);
            NDArray lossId;
            NDArray idImprove;
            NDArray idLoss64 = null;
            if (fx != null) {
                NDArray fxh = idLoss.features(xh);
                NDArray cos = fxh.mul(fx).sum(new int[]{1});
                lossId = Nd.add(cos.neg(), 1f).mean();
                // logged only: mean_i(<f(x̂_i), f(x_i)> - <f(x_i), f(x_i)>), written as mean_i <f(x̂_i) - f(x_i), f(x_i)> in
                // float64 so that the difference of two cosines near 1 does not cancel away its digits
                NDArray fh64 = fxh.stopGradient().toType(DataType.FLOAT64, false);
                NDArray f64 = fx.toType(DataType.FLOAT64, false);
                idImprove = fh64.sub(f64).mul(f64).sum(new int[]{1}).mean();
                // the logged ID loss too: 1 − cos near 0 keeps only a few float32 digits, which differ between CPUs
                // (AVX2 / AVX-512 summation orders); the float32 value still drives the gradient, as the reference's
                idLoss64 = Nd.add(fh64.mul(f64).sum(new int[]{1}).neg(), 1.0).mean();
            } else {
                lossId = Nd.scalar(tmp, 0.0, DataType.FLOAT32);
                idImprove = Nd.scalar(tmp, 0.0, DataType.FLOAT32);
            }
            NDArray img = clip.encodeImage(frontEnd.apply(xh));
            NDArray lossClip = clip.styleClipLoss(img, textFeatures).mean();
            NDArray l2 = wh.sub(wl).square().mean();
            NDArray loss = Nd.mul(lossId, (float) settings.lambdaId());
            loss = loss.add(Nd.mul(lossClip, (float) settings.lambdaClip()));
            loss = loss.add(Nd.mul(l2, (float) settings.lambdaL2()));
            NDArray lossKeep = null;
            if (keep != null) {
                boolean hold = settings.lambdaKeep() > 0;
                lossKeep = keep.evaluate(hold ? xh : xh.stopGradient(), x).total();
                if (hold) loss = loss.add(Nd.mul(lossKeep, (float) settings.lambdaKeep()));
            }
            gc.backward(loss);
            losses.put("total", (double) loss.getFloat());
            losses.put("clip", (double) lossClip.getFloat());
            losses.put("l2", (double) l2.getFloat());
            losses.put("id", fx == null ? 0.0 : idLoss64.getDouble());
            losses.put("id_improve", idImprove.toType(DataType.FLOAT64, false).getDouble());
            if (lossKeep != null) losses.put("keep", (double) lossKeep.getFloat());
            if (keepTensors) {
                delta = d.toFloatArray();
                wHat = wh.toFloatArray();
                xHat = xh.toFloatArray();
            }
        }
        boolean grad = JniUtils.isGradMode();
        JniUtils.setGradMode(false); // in-place updates of leaves that require gradients (compute threads start with grad mode on)
        try {
            for (Map.Entry<String, NDArray> e : mapper.parameters().entrySet()) {
                NDArray p = e.getValue();
                NDArray g = p.getGradient();
                g.attach(tmp);
                optimisers.get(e.getKey()).step(p, g, lr, tmp);
                JniUtils.zeroGrad((PtNDArray) p); // PyTorch accumulates gradients: zero them for the next step
            }
        } finally {
            JniUtils.setGradMode(grad);
        }
        return new StepResult(losses, delta, wHat, xHat);
    }
}
