package dev.styleclip.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

/**
 * Records a differentiable computation and runs its backward pass, including <em>recomputed segments</em>: parts of
 * the forward that ran without recording a graph (so that none of their intermediates stayed alive) and that redo
 * their forward, piece by piece, when the backward reaches them. This is gradient checkpointing, built from the two
 * primitives libtorch offers through DJL: switching graph recording off and on, and a vector–Jacobian product
 * ({@link #backward(NDArray, NDArray, boolean)}).
 *
 * <p>A segment hands the rest of the computation a <em>leaf</em> ({@link #leaf}) in place of its output and registers
 * a {@link Deferred} backward with {@link #defer}. {@link #backward(NDArray)} first back-propagates the loss through
 * the recorded graph, which leaves the loss gradient in those leaves, then runs the deferred backwards from the last
 * registered to the first (a segment is registered after the segments its inputs come from, so this order is
 * topological). Each reads its output leaf's gradient, recomputes, and pushes the gradient on into its own inputs.
 *
 * <p>One recorder per thread at a time (DJL's collector is process-wide); use on the compute thread.
 */
public final class Gradients implements AutoCloseable {

    /**
     * The backward of a recomputed segment, and the memory it holds for it (its checkpoints): {@link #close} is called
     * once, after the backward ran or when the recording ends without one.
     */
    public interface Deferred extends AutoCloseable {
        void backward();

        @Override
        void close();
    }

    private static final ThreadLocal<Gradients> ACTIVE = new ThreadLocal<>();

    private final GradientCollector collector;
    private final Deque<Deferred> deferred = new ArrayDeque<>();

    private Gradients() {
        this.collector = Engine.getInstance().newGradientCollector();
    }

    /** Starts recording on this thread. */
    public static Gradients record() {
        if (ACTIVE.get() != null) throw new IllegalStateException("gradients are already being recorded on this thread");
        Gradients g = new Gradients();
        ACTIVE.set(g);
        return g;
    }

    /** The recorder open on this thread, or null. */
    public static Gradients active() {
        return ACTIVE.get();
    }

    /** Registers the backward of a recomputed segment (runs after the recorded graph's backward, last first). */
    public void defer(Deferred d) {
        deferred.push(d);
    }

    /**
     * Back-propagates a scalar loss: through the recorded graph, then through every deferred segment. With segments
     * waiting, the recorded graph's saved tensors are kept for them: a segment's inputs may share graph with the loss
     * (a mapper's output feeds both the generator and an L2 term), and its own backward passes through that part again.
     * They go when the arrays close, at the end of the step.
     */
    public void backward(NDArray loss) {
        if (deferred.isEmpty()) {
            collector.backward(loss);
            return;
        }
        try (NDArray ones = loss.onesLike()) {
            backward(loss, ones, true);
        }
        while (!deferred.isEmpty()) {
            try (Deferred d = deferred.pop()) {
                d.backward();
            }
        }
    }

    @Override
    public void close() {
        try {
            while (!deferred.isEmpty()) deferred.pop().close();
        } finally {
            ACTIVE.remove();
            collector.close();
        }
    }

    /**
     * Accumulates {@code ∂⟨out, grad⟩/∂leaf} into the gradient of every leaf under {@code out} (the backward of
     * {@code sum(out ⊙ grad)} without building that product). {@code keepGraph} keeps the graph's saved tensors for
     * another pass through the same nodes.
     */
    public static void backward(NDArray out, NDArray grad, boolean keepGraph) {
        JniUtils.backward((PtNDArray) out, (PtNDArray) grad, keepGraph, false);
    }

    /**
     * Whether a recorder is open on this thread and recording now (not inside {@link #withoutGraph}). libtorch's own
     * switch alone does not tell: a thread other than the one that started the engine begins with it on.
     */
    public static boolean isRecording() {
        return ACTIVE.get() != null && JniUtils.isGradMode();
    }

    /** Runs {@code body} with graph recording off (nothing is saved for a backward), then restores the mode. */
    public static <T> T withoutGraph(Supplier<T> body) {
        return withMode(false, body);
    }

    /** Runs {@code body} with graph recording on, then restores the mode. */
    public static <T> T withGraph(Supplier<T> body) {
        return withMode(true, body);
    }

    private static <T> T withMode(boolean on, Supplier<T> body) {
        boolean was = JniUtils.isGradMode();
        if (was == on) return body.get();
        JniUtils.setGradMode(on);
        try {
            return body.get();
        } finally {
            JniUtils.setGradMode(was);
        }
    }

    /**
     * A leaf of the graph over {@code x}'s values (shares its storage, in its manager): what the ops that follow
     * record stops here, and the gradient collects in {@code leaf.getGradient()}.
     */
    public static NDArray leaf(NDArray x) {
        NDArray l = x.stopGradient();
        l.setRequiresGradient(true);
        return l;
    }

    /**
     * {@link #backward(NDArray, NDArray, boolean)} where {@code out} may be a constant (no graph behind it, nothing to
     * reach): then nothing happens and false is returned. (DJL exposes no test for "has a graph": its
     * {@code hasGradient} is true only for leaves, so the engine's own refusal is the test.)
     */
    public static boolean backwardIfTracked(NDArray out, NDArray grad, boolean keepGraph) {
        try {
            backward(out, grad, keepGraph);
            return true;
        } catch (ai.djl.engine.EngineException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("does not require grad")) return false;
            throw e;
        }
    }
}
