package dev.styleclip.runtime;

import java.util.ArrayList;
import java.util.List;

/**
 * How the synthesis network trades memory for time.
 *
 * <ul>
 *   <li>{@code recompute}: a differentiable pass (inside {@link dev.styleclip.nn.Gradients}) records no graph in its
 *       forward and keeps only each layer's input; the backward recomputes one layer at a time from there (gradient
 *       checkpointing: about one extra forward). Without it the backward keeps every layer's saved tensors at once.</li>
 *   <li>{@code chunkBytes}: the most memory one piece of a layer may take: a chunk of channels in the nonlinearity's
 *       widest (up-sampled) stage, a band of rows in the convolution (whose input the convolution copies and repacks
 *       while it runs); a layer whose stages fit runs in one piece. 0: every layer in one piece. Both are exact: the
 *       nonlinearity is per channel, the convolution local.</li>
 * </ul>
 * Forward-only passes use {@code chunkBytes} alone.
 *
 * <p>Measured on the CPU (docs/stack.md, "Memory plans"): pieces of up to 256 MiB are as fast as whole layers at 256²
 * and faster at 1024² (a 1024² layer's up-sampled stage far exceeds every cache; whole, it is also page-faulted in
 * anew), so {@link #DEFAULT} is the fastest plan everywhere; smaller pieces cost up to a quarter more time for less
 * memory; recomputation costs about one extra forward (≈ 1.3–1.4× a forward + backward).
 */
public record SynthesisPlan(boolean recompute, long chunkBytes) {
    private static final long MIB = 1L << 20;

    /** Every layer in one piece, graph recorded as usual (the reference's way; most memory). */
    public static final SynthesisPlan PLAIN = new SynthesisPlan(false, 0);
    /** Pieces of up to 256 MiB, graph recorded as usual: the fastest plan, and what library calls get by default. */
    public static final SynthesisPlan DEFAULT = new SynthesisPlan(false, 256 * MIB);
    /** The piece sizes a plan tries, largest first (below 16 MiB the overhead grows and memory hardly falls). */
    private static final long[] CHUNKS = {256 * MIB, 64 * MIB, 16 * MIB};

    public SynthesisPlan {
        if (chunkBytes < 0) throw new IllegalArgumentException("chunk bytes must be >= 0");
    }

    /**
     * How many units (channels of a nonlinearity, rows of a convolution) one piece may hold when each takes
     * {@code bytesPerUnit}: all {@code units} without chunking, else as many as fit in {@link #chunkBytes} (at least 1).
     */
    public int piece(long bytesPerUnit, int units) {
        if (chunkBytes == 0 || bytesPerUnit <= 0) return units;
        long c = chunkBytes / bytesPerUnit;
        return (int) Math.max(1, Math.min(units, c));
    }

    /**
     * The plans a pass may use, from the fastest to the most frugal: {@link #DEFAULT}, then for a forward smaller
     * pieces, for a forward + backward ({@code backward}) recomputation with ever smaller pieces.
     */
    public static List<SynthesisPlan> ladder(boolean backward) {
        List<SynthesisPlan> out = new ArrayList<>();
        out.add(DEFAULT);
        for (long c : CHUNKS) {
            SynthesisPlan p = new SynthesisPlan(backward, c);
            if (!p.equals(DEFAULT)) out.add(p);
        }
        return out;
    }

    /** A short description for reports: "plain", "recompute per layer, pieces <= 64 MiB". */
    public String describe() {
        String base = recompute ? "recompute per layer" : "plain";
        if (chunkBytes == 0) return base;
        String size = chunkBytes >= MIB ? chunkBytes / MIB + " MiB" : chunkBytes >= 1024 ? chunkBytes / 1024 + " KiB" : chunkBytes + " B";
        return base + ", pieces <= " + size;
    }
}
