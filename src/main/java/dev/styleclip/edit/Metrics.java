package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.model.lpips.Lpips;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The quality numbers of an edit result: CLIP score (cosine of the image to the prompt, as CLIP sees it through
 * StyleCLIP's front end), identity similarity (cosine of the ArcFace embeddings of the result and the source image; 1 =
 * same face), LPIPS distance to the source (0 = identical) and, for a region-limited edit ({@link EditRegions}), the
 * LPIPS of the part that should not change ({@link KeepLoss#lpipsOutside}). Computed without gradient.
 *
 * @param clipScore    cosine to the prompt (NaN when not computed)
 * @param idSimilarity ArcFace cosine to the source (NaN when not computed)
 * @param lpips        LPIPS to the source (NaN when not computed)
 * @param lpipsOutside LPIPS to the source outside the edited regions (NaN when no regions are chosen)
 */
public record Metrics(double clipScore, double idSimilarity, double lpips, double lpipsOutside) {
    public static final String CLIP_SCORE = "clip_score";
    public static final String ID_SIMILARITY = "id_similarity";
    public static final String LPIPS = "lpips";
    /** The change where the edit should not reach: outside the regions of {@code --region}, inside those of {@code --keep}. */
    public static final String LPIPS_OUTSIDE = "lpips_outside";

    /** The metrics of image {@code edited} [1, 3, S, S] against {@code source} for the prompt of {@code clipLoss}. */
    public static Metrics of(EditNetworks nets, ClipLoss clipLoss, NDArray edited, NDArray source) throws Exception {
        return of(nets, clipLoss, edited, source, null);
    }

    /** As {@link #of(EditNetworks, ClipLoss, NDArray, NDArray)}, with the change outside the regions when {@code keep} is given. */
    public static Metrics of(EditNetworks nets, ClipLoss clipLoss, NDArray edited, NDArray source, KeepLoss keep) throws Exception {
        NDManager caller = edited.getManager();
        try (NDManager sub = caller.newSubManager()) {
            NDArray a = edited.stopGradient();
            NDArray b = source.stopGradient();
            a.attach(sub);
            b.attach(sub);
            double clip = clipLoss.score(a).toFloatArray()[0];
            double id = nets.identity().cosine(a, b).toFloatArray()[0];
            double lp = nets.lpips().distance(Lpips.lossSized(a), Lpips.lossSized(b)).toFloatArray()[0];
            double outside = keep == null ? Double.NaN : keep.lpipsOutside(a, b);
            return new Metrics(clip, id, lp, outside);
        }
    }

    /** The values by name ({@value #CLIP_SCORE}, {@value #ID_SIMILARITY}, {@value #LPIPS}, {@value #LPIPS_OUTSIDE}), leaving out NaN ones. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (!Double.isNaN(clipScore)) m.put(CLIP_SCORE, clipScore);
        if (!Double.isNaN(idSimilarity)) m.put(ID_SIMILARITY, idSimilarity);
        if (!Double.isNaN(lpips)) m.put(LPIPS, lpips);
        if (!Double.isNaN(lpipsOutside)) m.put(LPIPS_OUTSIDE, lpipsOutside);
        return m;
    }
}
