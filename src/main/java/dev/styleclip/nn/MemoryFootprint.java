package dev.styleclip.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * What a network holds and needs in memory, from its architecture: the bytes of its parameters and constants, and the
 * bytes of tensors alive at the worst moment of a pass over a batch (what a memory plan adds up before a job runs).
 */
public interface MemoryFootprint {
    /** Bytes of parameters and constant buffers held in memory. */
    long parameterBytes();

    /** Bytes of tensors alive at the worst moment of a forward ({@code backward} false) or forward + backward. */
    long workingBytes(int batch, boolean backward);

    /** Bytes of every array a manager holds (with its children): a network's parameters when it owns the manager. */
    static long bytesOf(NDManager manager) {
        long n = 0;
        for (NDArray a : manager.getManagedArrays()) n += a.size() * a.getDataType().getNumOfBytes();
        return n;
    }
}
