package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import java.util.Collection;
import java.util.Map;
import java.util.function.Function;

/**
 * The memory scope of one call (a network forward, one layer, one chunk of channels): a sub-manager of the caller's
 * manager that receives the call's temporaries, so that closing the scope frees them all at once.
 *
 * <p>DJL puts the result of {@code a.op(b)} into {@code a}'s manager. A scope therefore borrows the call's inputs
 * ({@code tempAttach}: they move into the scope and return to their own manager when it closes), so that every op
 * applied to them, and to what comes out of them, lands in the scope; {@link #keep} hands the results the caller wants
 * back to the caller's manager before the scope closes. Arrays of long-lived managers used as receivers (weights) must
 * not be: put the input first ({@code x.mul(weight)}), or {@link #own} the result.
 *
 * <p>Typical use: {@code return Scope.call(x, in -> network(in));}
 */
public final class Scope implements AutoCloseable {
    private final NDManager caller;
    private final NDManager scope;

    private Scope(NDManager caller) {
        this.caller = caller;
        this.scope = caller.newSubManager();
    }

    /** A scope under {@code input}'s manager that borrows {@code input} (results are kept in that manager). */
    public static Scope of(NDArray input) {
        Scope s = new Scope(input.getManager());
        s.borrow(input);
        return s;
    }

    /** A scope under {@code caller} that borrows nothing yet. */
    public static Scope under(NDManager caller) {
        return new Scope(caller);
    }

    /** Runs {@code f} on {@code input} in a scope and keeps its result in {@code input}'s manager. */
    public static NDArray call(NDArray input, Function<NDArray, NDArray> f) {
        try (Scope s = of(input)) {
            return s.keep(f.apply(input));
        }
    }

    /** As {@link #call}, for a function that returns several named arrays (all kept, in order). */
    public static <M extends Map<String, NDArray>> M callMap(NDArray input, Function<NDArray, M> f) {
        try (Scope s = of(input)) {
            return s.keepAll(f.apply(input));
        }
    }

    /**
     * Moves arrays into this scope for its lifetime (they return to their own managers when it closes). An array
     * already in the scope is left alone: a second {@code tempAttach} into the same manager would strand it in the
     * closed scope (docs/stack.md).
     */
    public Scope borrow(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null && a.getManager() != scope) a.tempAttach(scope);
        }
        return this;
    }

    /** {@link #borrow} for every value of a collection. */
    public Scope borrowAll(Collection<NDArray> arrays) {
        for (NDArray a : arrays) borrow(a);
        return this;
    }

    /** Moves an array (e.g. an op result that landed in a long-lived manager) into this scope for good. */
    public <T extends NDArray> T own(T x) {
        x.attach(scope);
        return x;
    }

    /** The scope's manager (for arrays created here: zeros, constants). */
    public NDManager manager() {
        return scope;
    }

    /** The manager results are kept in. */
    public NDManager caller() {
        return caller;
    }

    /** Hands a result to the caller's manager: it outlives the scope. */
    public <T extends NDArray> T keep(T x) {
        x.attach(caller);
        return x;
    }

    /** {@link #keep} for every array of a list. */
    public NDList keepAll(NDList xs) {
        for (NDArray x : xs) x.attach(caller);
        return xs;
    }

    /** {@link #keep} for every value of a map. */
    public <M extends Map<String, NDArray>> M keepAll(M xs) {
        for (NDArray x : xs.values()) x.attach(caller);
        return xs;
    }

    /** Frees every temporary of the scope; borrowed arrays return to their managers. */
    @Override
    public void close() {
        scope.close();
    }
}
