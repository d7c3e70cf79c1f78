package dev.styleclip.model.stylegan3;

import dev.styleclip.runtime.SynthesisPlan;
import java.util.List;

/**
 * The synthesis network's working memory from its architecture alone: for a batch, a precision and a
 * {@link SynthesisPlan}, the bytes of tensors alive at the worst moment of a forward or of a forward + backward. It
 * follows what the code holds: a forward keeps one layer's input and output and, inside the nonlinearity, two
 * consecutive stages of one chunk of channels; recomputation adds every layer's input (the checkpoints), the input's
 * gradient and the output's; a recorded graph keeps every layer's saved tensors until the backward. Weights and the
 * rest of the process are the caller's to add.
 */
public final class SynthesisMemory {
    private SynthesisMemory() {
    }

    /** Per-channel elements of the convolution's output (the nonlinearity's input). */
    private static long convElements(SynthesisLayer l) {
        return (long) l.convSize() * l.convSize();
    }

    private static long maxPair(long[] st) {
        long m = st[0];
        for (int i = 0; i + 1 < st.length; i++) m = Math.max(m, st[i] + st[i + 1]);
        return m;
    }

    /**
     * Bytes one channel of a layer's nonlinearity takes at its widest moment: in a forward the largest pair of
     * consecutive stages; in a recomputed backward every stage's saved tensor plus the largest pair of stage gradients.
     */
    static long channelBytes(SynthesisLayer l, long n, int elementBytes, boolean backward) {
        long[] st = l.actStages();
        long per = backward ? l.actSaved() + maxPair(st) : maxPair(st);
        return n * elementBytes * per;
    }

    private static long inElements(SynthesisLayer l) {
        long s = l.spec().inSize();
        return l.inChannels() * s * s;
    }

    private static long outElements(SynthesisLayer l) {
        long s = l.outSize();
        return l.outChannels() * s * s;
    }

    /**
     * Bytes one output row of a layer's convolution takes while it runs in bands: the band's input twice (its zero-padded
     * copy, and the copy the convolution repacks it into) and its output.
     */
    static long rowBytes(SynthesisLayer l, long n, int elementBytes) {
        return n * elementBytes * (2L * l.inChannels() * l.spec().inSize() + (long) l.outChannels() * l.convSize());
    }

    /**
     * What the convolution holds on top of its input and output: one band's {@link #rowBytes}, or unbanded a repacked
     * copy of the whole input (oneDNN's blocked layout; measured at 1024² for 3×3 kernels, and for 1×1 ones on more
     * than one thread).
     */
    private static long convTransient(SynthesisLayer l, long n, int e, SynthesisPlan plan) {
        int band = plan.piece(rowBytes(l, n, e), l.convSize());
        if (band >= l.convSize()) return n * e * inElements(l);
        return band * rowBytes(l, n, e);
    }

    /**
     * Peak bytes of a forward (no graph) of n images: per layer the larger of the convolution (input, output, what it
     * holds while it runs) and the nonlinearity (its input, the output, one chunk's widest pair of stages); with
     * {@code keepBoundaries} every layer's input stays (recomputation's checkpoints), else an input is freed once read.
     */
    static long forward(List<SynthesisLayer> layers, long n, int e, SynthesisPlan plan, boolean keepBoundaries) {
        long worst = 0, boundaries = 0;
        for (SynthesisLayer l : layers) {
            long in = n * e * inElements(l);
            long y = n * e * l.outChannels() * convElements(l);
            long out = n * e * outElements(l);
            long ch = channelBytes(l, n, e, false);
            int c = plan.piece(ch, l.outChannels());
            long kept = keepBoundaries ? boundaries + in : 0;
            long conv = boundaries + in + y + convTransient(l, n, e, plan);
            long act = c >= l.outChannels()
                    ? kept + l.outChannels() * Math.max(ch, n * e * (convElements(l) + l.actStages()[0]))
                    : kept + y + out + c * ch;
            worst = Math.max(worst, Math.max(conv, act));
            if (keepBoundaries) boundaries += in;
        }
        return worst;
    }

    /** Peak bytes of a forward + backward of n images w.r.t. ws or styles under a plan. */
    static long forwardBackward(List<SynthesisLayer> layers, long n, int e, SynthesisPlan plan) {
        if (!plan.recompute()) {
            // a recorded graph: every layer's saved tensors (the convolution's input, the nonlinearity's stages) stay
            // until the backward, which then holds the largest layer's gradients and the convolution's own copies
            long saved = 0, transient_ = 0;
            for (SynthesisLayer l : layers) {
                long[] st = l.actStages();
                saved += n * e * (inElements(l) + l.outChannels() * l.actSaved());
                transient_ = Math.max(transient_, n * e * (2 * inElements(l) + l.outChannels() * maxPair(st))
                        + 2 * convTransient(l, n, e, plan));
            }
            return saved + transient_;
        }
        long worst = forward(layers, n, e, plan, true);
        long boundaries = 0;
        for (SynthesisLayer l : layers) boundaries += n * e * inElements(l);
        // backward, last layer first: checkpoints up to this layer, the input's gradient, the output's, the recomputed
        // convolution output (and its gradient when the nonlinearity runs in chunks), one chunk's graph and gradients,
        // and the convolution's copies in its own backward
        for (int i = layers.size() - 1; i >= 0; i--) {
            SynthesisLayer l = layers.get(i);
            long in = n * e * inElements(l);
            long y = n * e * l.outChannels() * convElements(l);
            long out = n * e * outElements(l);
            long ch = channelBytes(l, n, e, true);
            int c = plan.piece(ch, l.outChannels());
            long act = c >= l.outChannels() ? y + l.outChannels() * ch : 2 * y + c * ch;
            worst = Math.max(worst, boundaries + in + out + act + 2 * convTransient(l, n, e, plan));
            boundaries -= in;
        }
        return worst;
    }
}
