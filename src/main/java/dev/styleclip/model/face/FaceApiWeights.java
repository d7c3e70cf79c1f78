package dev.styleclip.model.face;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.nio.file.Files;
import java.nio.file.Path;

/** Reads one face-api TF.js model ({@code <name>-weights_manifest.json}) into DJL arrays in PyTorch layouts. */
final class FaceApiWeights {
    /** What follows a model's name in its manifest's file name. */
    static final String MANIFEST_SUFFIX = "-weights_manifest.json";

    final TensorStore store;
    final NDManager manager;

    FaceApiWeights(TensorStore store, NDManager manager) {
        this.store = store;
        this.manager = manager;
    }

    /** The manifest path of a model in a face-api {@code model/} folder. */
    static Path manifest(Path dir, String model) throws ModelFileException {
        Path p = dir.resolve(model + MANIFEST_SUFFIX);
        if (!Files.isRegularFile(p) && Files.isDirectory(dir.resolve("model"))) {
            p = dir.resolve("model").resolve(model + MANIFEST_SUFFIX); // the npm package root was given
        }
        if (!Files.isRegularFile(p)) {
            throw new ModelFileException(p, "face-api model '" + model + "' not found"
                    + " (run scripts/fetch-face-api to unpack @vladmandic/face-api's model folder)");
        }
        return p;
    }

    static TensorStore open(Path dir, String model) throws ModelFileException {
        return ModelFiles.openStore(manifest(dir, model));
    }

    boolean has(String name) {
        return store.contains(name);
    }

    Tensor tensor(String name) throws ModelFileException {
        return store.get(name);
    }

    float[] floats(String name) throws ModelFileException {
        return store.get(name).toFloatArray();
    }

    /** A conv filter [kh, kw, in, out] (HWIO) as OIHW. */
    NDArray conv(String name) throws ModelFileException {
        Tensor t = store.get(name);
        require(t, 4);
        return t.toNDArray(manager).transpose(3, 2, 0, 1).duplicate();
    }

    /** A depthwise filter [kh, kw, C, 1] as [C, 1, kh, kw]. */
    NDArray depthwise(String name) throws ModelFileException {
        Tensor t = store.get(name);
        require(t, 4);
        if (t.shape()[3] != 1) throw new ModelFileException(store.source(), name + " has channel multiplier " + t.shape()[3]);
        return t.toNDArray(manager).transpose(2, 3, 0, 1).duplicate();
    }

    /** A 1-D vector. */
    NDArray vec(String name) throws ModelFileException {
        Tensor t = store.get(name);
        return t.toNDArray(manager).reshape(new Shape(t.numel()));
    }

    /** A matrix [in, out] as is (for {@code x · W}). */
    NDArray matrix(String name) throws ModelFileException {
        Tensor t = store.get(name);
        require(t, 2);
        return t.toNDArray(manager);
    }

    private void require(Tensor t, int rank) throws ModelFileException {
        if (t.rank() != rank) {
            throw new ModelFileException(store.source(), t.name() + " has rank " + t.rank() + ", expected " + rank);
        }
    }
}
