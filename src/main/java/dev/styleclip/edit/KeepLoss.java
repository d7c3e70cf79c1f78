package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.AlphaMask;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

/**
 * The preservation term of a region-limited edit ({@link EditRegions}): how much the edit changed where it should not,
 * as L2 + LPIPS between the source image and the edit, both weighted by the mask of what is kept, at the generator's
 * resolution. The same measure, without gradient, is the metric "LPIPS outside" ({@link Metrics#LPIPS_OUTSIDE}).
 *
 * <ul>
 *   <li>L2: the squared difference of the masked images averaged over the kept area, {@code Σ (m·(x − x₀))² / (C · Σ m)}
 *       per image — so its scale does not depend on how much of the picture is kept (where m is 0 or 1 this is the
 *       mask-weighted mean; the feathered rim counts m² rather than m, a softer edge);</li>
 *   <li>LPIPS: {@code LPIPS(m·x, m·x₀)}, both images multiplied by the mask first (then pooled to LPIPS's size, as
 *       everywhere in this app: {@link Lpips#lossSized}). LPIPS has no mask input, and its distance map lives at each
 *       VGG tap's resolution with receptive fields that mix neighbouring pixels, so masking its output is not exact
 *       either; multiplying the inputs makes the left-out part identical (zero, mid-grey) in both, so it adds nothing,
 *       and only the rim within a receptive field of the mask's edge — where the feather already blends — still sees
 *       across. That is the usual approximation of a "masked LPIPS" in editing and inpainting work, cheap (one more
 *       LPIPS pass) and differentiable.</li>
 * </ul>
 * The mask lives in this object's own manager; every operand of the graph is torch-owned ({@link Nd}), so a garbage
 * collection between forward and backward cannot corrupt the gradient (docs/stack.md).
 */
public final class KeepLoss implements AutoCloseable {
    private final Lpips lpips;
    private final NDManager manager;
    private final NDArray mask;
    private final double area;
    private final int size;

    /** The values of one evaluation (scalars, mean over the batch, in the edited image's manager). */
    public record Values(NDArray l2, NDArray lpips) {
        /** L2 + LPIPS (unweighted: the caller applies λ_keep). */
        public NDArray total() {
            return l2.add(lpips);
        }
    }

    /** The fixed source of an optimisation: masked once, with its LPIPS features computed once. */
    public final class Source implements AutoCloseable {
        private final NDArray image;
        private final Lpips.Target target;

        private Source(NDArray image, Lpips.Target target) {
            this.image = image;
            this.target = target;
        }

        @Override
        public void close() {
            target.close();
            image.close();
        }
    }

    /**
     * @param keep   the mask of what is kept, at the generator's resolution ({@link EditRegions#keepMask})
     * @param parent the manager the mask's own manager lives under (the job's)
     */
    public KeepLoss(Lpips lpips, AlphaMask keep, NDManager parent) {
        if (keep.width() != keep.height()) throw new IllegalArgumentException("the keep mask must be square, got " + keep.width() + "x" + keep.height());
        this.lpips = lpips;
        this.size = keep.width();
        this.manager = parent.newSubManager();
        this.mask = Nd.constant(manager, keep.alpha(), new Shape(1, 1, size, size));
        double a = 0;
        for (float v : keep.alpha()) a += v;
        this.area = a;
    }

    /** The share of the picture that is kept (for messages). */
    public double keptShare() {
        return area / ((double) size * size);
    }

    /** The source image [1, 3, S, S] of an optimisation, masked and prepared once (no gradient flows into it). */
    public Source fix(NDArray source) {
        check(source);
        try (Scope scope = Scope.of(source)) {
            NDArray masked = source.stopGradient().mul(mask);
            masked.attach(manager);
            return new Source(masked, lpips.target(Lpips.lossSized(masked)));
        }
    }

    /** The term between {@code edited} [1, 3, S, S] (differentiable) and a fixed source. */
    public Values evaluate(NDArray edited, Source source) {
        check(edited);
        NDArray masked = edited.mul(mask);
        NDArray l2 = l2(masked.sub(source.image));
        NDArray lp = lpips.distance(Lpips.lossSized(masked), source.target).mean();
        return new Values(l2, lp);
    }

    /** The term between a batch of edits [B, 3, S, S] (differentiable) and their sources (no gradient flows into them). */
    public Values evaluate(NDArray edited, NDArray source) {
        check(edited);
        check(source);
        NDArray masked = edited.mul(mask);
        NDArray maskedSource = source.stopGradient().mul(mask);
        NDArray l2 = l2(masked.sub(maskedSource));
        NDArray lp = lpips.distance(Lpips.lossSized(masked), Lpips.lossSized(maskedSource)).mean();
        return new Values(l2, lp);
    }

    /** LPIPS of the kept part between {@code edited} and {@code source} [1, 3, S, S], without gradient (the metric). */
    public double lpipsOutside(NDArray edited, NDArray source) {
        try (Scope scope = Scope.of(edited)) {
            NDArray a = scope.own(edited.stopGradient().mul(mask));
            NDArray b = scope.own(source.stopGradient().mul(mask));
            return lpips.distance(Lpips.lossSized(a), Lpips.lossSized(b)).toFloatArray()[0];
        }
    }

    /** {@code Σ (m·(x − x₀))² / (B·C·Σ m)}: the batch's mean of each image's L2 over the kept area. */
    private NDArray l2(NDArray maskedDiff) {
        long batch = maskedDiff.getShape().get(0), channels = maskedDiff.getShape().get(1);
        double denominator = Math.max(area, 1e-6) * batch * channels;
        return Nd.div(maskedDiff.square().sum(), (float) denominator);
    }

    private void check(NDArray img) {
        Shape s = img.getShape();
        if (s.dimension() != 4 || s.get(2) != size || s.get(3) != size) {
            throw new IllegalArgumentException("the keep mask is " + size + "x" + size + ", the image is " + s);
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
