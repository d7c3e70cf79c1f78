package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The weights pivotal tuning changes in a tunable copy of a generator ({@link StyleGan3Generator#tunableCopy}): each
 * synthesis layer's conv weight and bias and its affine weight and bias, as the network file stores and names them
 * ({@link StyleGan3Generator#tunableNames}). An optimiser updates the {@link #parameter}s in place. {@link #track} puts
 * leaves over them for one step: every forward and backward of the copy in that step — a recorded graph or the
 * recomputed backward, whole layers or channel chunks and row bands — then leaves the weights' gradients in the
 * leaves, and several backward passes add up. Use on the compute thread.
 */
public final class SynthesisWeights {
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private Tracking tracking;

    private record Slot(SynthesisLayer.Trainable owner, int index) {
        NDArray param() {
            return owner.param(index);
        }
    }

    SynthesisWeights(List<SynthesisLayer> layers) {
        for (SynthesisLayer l : layers) {
            for (int i = 0; i < SynthesisLayer.Trainable.SUFFIXES.length; i++) {
                slots.put(name(l, SynthesisLayer.Trainable.SUFFIXES[i]), new Slot(l.trainable(), i));
            }
        }
    }

    /** The state-dict name of a layer's tensor. */
    static String name(SynthesisLayer l, String suffix) {
        return "synthesis." + l.name() + "." + suffix;
    }

    /** The names, layer by layer (weight, bias, affine.weight, affine.bias). */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(slots.keySet()));
    }

    /** The live parameter (float32, its stored shape); an optimiser changes it in place. */
    public NDArray parameter(String name) {
        return slot(name).param();
    }

    /** The number of values of all the weights. */
    public long count() {
        long n = 0;
        for (Slot s : slots.values()) n += s.param().size();
        return n;
    }

    /** The current values of one weight, as a float32 tensor of its stored name and shape. */
    public Tensor tensor(String name) {
        NDArray p = parameter(name);
        if (p.getDataType() == ai.djl.ndarray.types.DataType.FLOAT32) {
            return Tensor.ofFloats(name, p.getShape().getShape(), p.toFloatArray());
        }
        try (NDArray f = p.toType(ai.djl.ndarray.types.DataType.FLOAT32, true)) {
            return Tensor.ofFloats(name, p.getShape().getShape(), f.toFloatArray());
        }
    }

    /** The current values of every weight. */
    public List<Tensor> snapshot() {
        List<Tensor> out = new ArrayList<>();
        for (String n : slots.keySet()) out.add(tensor(n));
        return out;
    }

    /** Leaves over every weight for one step, made in {@code step}; gradients collect until the tracking is closed. */
    public Tracking track(NDManager step) {
        if (tracking != null) throw new IllegalStateException("the weights are already being tracked");
        Map<String, NDArray> leaves = new LinkedHashMap<>();
        List<SynthesisLayer.Trainable> owners = new ArrayList<>();
        try {
            for (Slot s : slots.values()) {
                if (!owners.contains(s.owner())) {
                    NDArray[] l = s.owner().track(step);
                    owners.add(s.owner());
                    for (Map.Entry<String, Slot> e : slots.entrySet()) {
                        if (e.getValue().owner() == s.owner()) leaves.put(e.getKey(), l[e.getValue().index()]);
                    }
                }
            }
        } catch (RuntimeException e) {
            for (SynthesisLayer.Trainable o : owners) o.untrack();
            throw e;
        }
        tracking = new Tracking(leaves, owners);
        return tracking;
    }

    /** One step's leaves over the weights. */
    public final class Tracking implements AutoCloseable {
        private final Map<String, NDArray> leaves;
        private final List<SynthesisLayer.Trainable> owners;

        private Tracking(Map<String, NDArray> leaves, List<SynthesisLayer.Trainable> owners) {
            this.leaves = leaves;
            this.owners = owners;
        }

        /** The gradient collected so far for a weight (zeros when no backward reached it), in the step's manager. */
        public NDArray gradient(String name) {
            NDArray l = leaves.get(name);
            if (l == null) throw new IllegalArgumentException("no tunable weight " + name);
            return l.getGradient();
        }

        /** Ends the step's tracking: the copy computes without weight gradients again. */
        @Override
        public void close() {
            for (SynthesisLayer.Trainable o : owners) o.untrack();
            tracking = null;
        }
    }

    private Slot slot(String name) {
        Slot s = slots.get(name);
        if (s == null) throw new IllegalArgumentException("no tunable weight " + name);
        return s;
    }

    /** {@code base} with the current weights in place of the stored ones. */
    TensorStore overlay(TensorStore base) throws ModelFileException {
        return overlay(base, snapshot());
    }

    /** {@code base} (its tensors, format and metadata) with some tensors replaced. */
    static TensorStore overlay(TensorStore base, Collection<Tensor> replaced) throws ModelFileException {
        MapTensorStore out = new MapTensorStore(base.source(), base.format(), base.metadata());
        for (String n : base.names()) out.put(base.get(n));
        for (Tensor t : replaced) out.put(t);
        return out;
    }
}
