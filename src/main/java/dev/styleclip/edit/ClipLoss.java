package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.model.clip.StyleClipFrontEnd;
import dev.styleclip.model.clip.TextEmbeddingCache;

import java.util.List;
import dev.styleclip.nn.Nd;

/**
 * StyleCLIP's CLIP loss ({@code criteria/clip_loss.py}) against fixed prompts: {@code 1 − logits_per_image / 100} of the
 * generator images through {@link StyleClipFrontEnd} (= 1 − cos for exp(logit_scale) = 100). The prompts' text features
 * are encoded once (process-wide {@link TextEmbeddingCache}) and held as plain floats, so an instance holds no native
 * memory. Differentiable w.r.t. the images.
 */
public final class ClipLoss {

    /** Loss and cosine of one forward pass, both [N, T] in the images' manager. */
    public record Values(NDArray loss, NDArray cosine) {
    }

    private final ClipModel clip;
    private final StyleClipFrontEnd frontEnd;
    private final List<String> prompts;
    private final float[] text;

    public ClipLoss(ClipModel clip, StyleClipFrontEnd frontEnd, String prompt) {
        this(clip, frontEnd, List.of(ClipTokenizer.requirePrompt(prompt)));
    }

    public ClipLoss(ClipModel clip, StyleClipFrontEnd frontEnd, List<String> prompts) {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompt given");
        for (String p : prompts) ClipTokenizer.requirePrompt(p);
        this.clip = clip;
        this.frontEnd = frontEnd;
        this.prompts = List.copyOf(prompts);
        int d = clip.config().embedDim();
        this.text = new float[prompts.size() * d];
        for (int i = 0; i < prompts.size(); i++) {
            System.arraycopy(TextEmbeddingCache.shared().get(clip, prompts.get(i)), 0, text, i * d, d);
        }
    }

    /** For networks bundled in {@link EditNetworks}. */
    public static ClipLoss of(EditNetworks nets, String prompt) {
        return new ClipLoss(nets.clip(), nets.frontEnd(), prompt);
    }

    public List<String> prompts() {
        return prompts;
    }

    /** The raw text features [T, D] in {@code m}. */
    public NDArray textFeatures(NDManager m) {
        return Nd.constant(m, text, new Shape(prompts.size(), clip.config().embedDim()));
    }

    /** Loss [N, T] and cosine [N, T] of generator images, from one CLIP forward pass. */
    public Values evaluate(NDArray images) {
        NDManager out = images.getManager();
        try (NDManager sub = out.newSubManager()) {
            images.tempAttach(sub);
            NDArray f = clip.encodeImage(frontEnd.apply(images));
            NDArray t = textFeatures(sub);
            NDArray loss = clip.styleClipLoss(f, t);
            NDArray cos = ClipModel.cosine(f.stopGradient(), t);
            loss.attach(out);
            cos.attach(out);
            return new Values(loss, cos);
        }
    }

    /** The loss [N, T] of generator images. */
    public NDArray loss(NDArray images) {
        return evaluate(images).loss();
    }

    /** The CLIP score (cosine to each prompt) [N, T], without gradient. */
    public NDArray score(NDArray images) {
        return evaluate(images.stopGradient()).cosine();
    }
}
