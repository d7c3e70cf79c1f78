package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Element-wise functions with PyTorch's exact float32 rounding where DJL's obvious spelling rounds differently.
 *
 * <p>PyTorch's CPU {@code torch.rsqrt(x)} (what the reference code calls for PixelNorm, the mapping network's input
 * normalisation, ...) computes {@code 1 / sqrt(x)}: an IEEE (correctly rounded) square root, then an IEEE division.
 * Two things in DJL's libtorch round differently: {@code x.pow(-0.5)} is a tensor-tensor {@code pow} (one rounding of
 * x^-0.5, not 1/sqrt), and its float32 {@code sqrt} (a vectorised math-library kernel) is not always correctly
 * rounded (e.g. sqrt(0x3f5578d1) comes out one ulp high). Each is one ulp on a fraction of the inputs, but training
 * traces amplify ulps (Adam divides by √v), so code mirroring a PyTorch {@code rsqrt} uses {@link #rsqrt}.
 */
public final class TorchMath {
    private TorchMath() {
    }

    /**
     * {@code 1 / sqrt(x)} rounded as PyTorch's CPU {@code rsqrt} for float32: the square root is taken in float64 and
     * rounded to float32 (which is the correctly rounded float32 square root), then 1 is divided by it. Differentiable;
     * float64 input stays float64.
     */
    public static NDArray rsqrt(NDArray x) {
        NDArray s = sqrt(x);
        // a torch-owned 1 (an array made from Java data would be freed under autograd by a GC: see Nd)
        NDArray one = Nd.scalar(s.getManager(), 1.0, s.getDataType());
        return one.div(s);
    }

    /** The correctly rounded square root (float32 input: computed in float64 and rounded once). Differentiable. */
    public static NDArray sqrt(NDArray x) {
        if (x.getDataType() != DataType.FLOAT32) return x.sqrt();
        return x.toType(DataType.FLOAT64, false).sqrt().toType(DataType.FLOAT32, false);
    }
}
