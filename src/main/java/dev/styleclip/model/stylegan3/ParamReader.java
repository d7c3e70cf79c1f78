package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.nn.Nd;

/**
 * Turns the stored float32 tensors of a generator into parameters of the network's precision, in the network's
 * long-lived manager. Float32 rounds a product with a gain once, as the reference does when it multiplies a float32
 * weight by a Python float; float64 (the exact twin) widens the stored values and keeps every product exact.
 */
final class ParamReader {
    final TensorStore store;
    final NDManager manager;
    final DataType dtype;

    ParamReader(TensorStore store, NDManager manager, DataType dtype) {
        this.store = store;
        this.manager = manager;
        this.dtype = dtype;
    }

    boolean f64() {
        return dtype == DataType.FLOAT64;
    }

    Tensor tensor(String name) throws ModelFileException {
        return store.get(name);
    }

    boolean has(String name) {
        return store.contains(name);
    }

    /** A stored tensor as a parameter (float32 values widened exactly for float64). */
    NDArray param(String name) throws ModelFileException {
        Tensor t = store.get(name);
        if (f64()) return Nd.constant(manager, t.toFloatArray(), new Shape(t.shape()), dtype);
        return t.toNDArray(manager);
    }

    /** weight [O, I] → (weight · gain)ᵀ [I, O], so that {@code x.matMul(w)} is the fully connected layer. */
    NDArray transposedScaled(String name, double gain) throws ModelFileException {
        Tensor t = store.get(name);
        long[] s = t.shape();
        float[] v = t.toFloatArray();
        int o = (int) s[0], in = (int) s[1];
        if (f64()) {
            double[] out = new double[v.length];
            for (int i = 0; i < o; i++) for (int j = 0; j < in; j++) out[j * o + i] = v[i * in + j] * gain;
            return Nd.constant(manager, out, new Shape(in, o), dtype);
        }
        float g32 = (float) gain;
        float[] out = new float[v.length];
        for (int i = 0; i < o; i++) for (int j = 0; j < in; j++) out[j * o + i] = v[i * in + j] * g32;
        return manager.create(out, new Shape(in, o));
    }

    /** A stored tensor times a gain. */
    NDArray scaled(String name, double gain) throws ModelFileException {
        Tensor t = store.get(name);
        float[] v = t.toFloatArray();
        if (f64()) {
            double[] out = new double[v.length];
            for (int i = 0; i < v.length; i++) out[i] = v[i] * gain;
            return Nd.constant(manager, out, new Shape(t.shape()), dtype);
        }
        float g32 = (float) gain;
        for (int i = 0; i < v.length; i++) v[i] *= g32;
        return manager.create(v, new Shape(t.shape()));
    }

    /** Values computed in float64 as a constant of the network's precision (float32: rounded once). */
    NDArray constant(double[] values, Shape shape) {
        if (f64()) return Nd.constant(manager, values, shape, dtype);
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return manager.create(f, shape);
    }

    /** Float32 values (computed as the reference computes them, in float32) as a constant of the network's precision. */
    NDArray constant(float[] values, Shape shape) {
        if (f64()) return Nd.constant(manager, values, shape, dtype);
        return manager.create(values, shape);
    }
}
