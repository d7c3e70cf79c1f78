package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.model.lpips.Lpips;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The quality numbers of an edit result: CLIP score (cosine of the image to the prompt, as CLIP sees it through
 * StyleCLIP's front end), identity similarity (cosine of the ArcFace embeddings of the result and the source image; 1 =
 * same face) and LPIPS distance to the source (0 = identical). Computed without gradient.
 *
 * @param clipScore    cosine to the prompt (NaN when not computed)
 * @param idSimilarity ArcFace cosine to the source (NaN when not computed)
 * @param lpips        LPIPS to the source (NaN when not computed)
 */
public record Metrics(double clipScore, double idSimilarity, double lpips) {
    public static final String CLIP_SCORE = "clip_score";
    public static final String ID_SIMILARITY = "id_similarity";
    public static final String LPIPS = "lpips";

    /** The metrics of image {@code edited} [1, 3, S, S] against {@code source} for the prompt of {@code clipLoss}. */
    public static Metrics of(EditNetworks nets, ClipLoss clipLoss, NDArray edited, NDArray source) throws Exception {
        NDManager caller = edited.getManager();
        try (NDManager sub = caller.newSubManager()) {
            NDArray a = edited.stopGradient();
            NDArray b = source.stopGradient();
            a.attach(sub);
            b.attach(sub);
            double clip = clipLoss.score(a).toFloatArray()[0];
            double id = nets.identity().cosine(a, b).toFloatArray()[0];
            double lp = nets.lpips().distance(Lpips.lossSized(a), Lpips.lossSized(b)).toFloatArray()[0];
            return new Metrics(clip, id, lp);
        }
    }

    /** The values by name ({@value #CLIP_SCORE}, {@value #ID_SIMILARITY}, {@value #LPIPS}), leaving out NaN ones. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (!Double.isNaN(clipScore)) m.put(CLIP_SCORE, clipScore);
        if (!Double.isNaN(idSimilarity)) m.put(ID_SIMILARITY, idSimilarity);
        if (!Double.isNaN(lpips)) m.put(LPIPS, lpips);
        return m;
    }
}
