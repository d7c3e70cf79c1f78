package dev.styleclip.model.lpips;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.io.Format;
import dev.styleclip.io.MapTensorStore;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

/**
 * LPIPS v0.1 with the VGG16 trunk (richzhang/PerceptualSimilarity, {@code lpips=True, spatial=False, normalize=False}):
 * <ol>
 *   <li>scaling layer {@code (x - shift) / scale} on [-1, 1] RGB input;</li>
 *   <li>VGG16 {@code features} taps relu1_2, relu2_2, relu3_3, relu4_3, relu5_3 ({@link VggFeatures});</li>
 *   <li>per tap and pixel, unit-normalise over channels: {@code f / (sqrt(sum_c f^2) + 1e-10)};</li>
 *   <li>squared difference, the tap's 1x1 "lin" layer (non-negative weights), spatial mean; sum over taps.</li>
 * </ol>
 * The trunk comes from torchvision's {@code vgg16-397923af.pth} ({@code features.*}), the lin weights from lpips'
 * {@code weights/v0.1/vgg.pth} ({@code linK.model.1.weight}); the real v0.1 lin weights (BSD-2-Clause, see
 * {@code LICENSE-lpips} next to them) are bundled ({@link #bundledLin()}). Widths come from the weight shapes.
 *
 * <p>Differentiable w.r.t. both images (the channel norm is one {@code torch.norm}, whose backward is zero where the
 * norm is zero, so all-zero feature pixels give finite gradients). Any input size with both sides at least
 * {@link #minInputSize()} (16 for VGG16) works; images of one call must have the same size.
 */
public final class Lpips implements AutoCloseable, dev.styleclip.nn.MemoryFootprint {
    /** ScalingLayer constants (R, G, B) of lpips v0.1. */
    static final float[] SHIFT = {-0.030f, -0.088f, -0.188f};
    static final float[] SCALE = {0.458f, 0.448f, 0.450f};
    /** Epsilon of lpips' normalize_tensor, added after the square root. */
    public static final float NORM_EPS = 1e-10f;
    /** Resource holding the exact tensors of lpips' real {@code weights/v0.1/vgg.pth} as safetensors. */
    public static final String BUNDLED_LIN_SAFETENSORS = "vgg_v0.1_lin.safetensors";
    /** The original file, bundled next to it. */
    public static final String BUNDLED_LIN_PTH = "vgg.pth";

    private final NDManager manager;
    private final VggFeatures trunk;
    private final List<NDArray> lins; // [1,C,1,1]
    private final NDArray shift;
    private final NDArray scale;
    private final String description;

    /** Everything the golden tests want from one call; arrays in in0's manager. */
    public record Trace(NDArray scaled0, List<NDArray> taps0, List<NDArray> diffs, NDArray layerDist, NDArray dist) {
    }

    /** Precomputed normalised taps of a fixed image batch (e.g. the target of a projection); holds its own arrays. */
    public static final class Target implements AutoCloseable {
        private final NDManager manager;
        private final List<NDArray> normalized;
        private final Shape shape;

        private Target(NDManager manager, List<NDArray> normalized, Shape shape) {
            this.manager = manager;
            this.normalized = normalized;
            this.shape = shape;
        }

        /** The image shape this target was computed for. */
        public Shape shape() {
            return shape;
        }

        @Override
        public void close() {
            manager.close();
        }
    }

    private Lpips(VggFeatures trunk, TensorStore lin, String description) throws ModelFileException {
        this.trunk = trunk;
        this.description = description;
        this.manager = NDManager.newBaseManager();
        try {
            int[] w = trunk.tapWidths();
            List<NDArray> l = new ArrayList<>();
            for (int k = 0; k < w.length; k++) {
                String key = "lin" + k + ".model.1.weight";
                if (!lin.contains(key)) {
                    throw new ModelFileException(lin.source(), "has no " + key + " (the trunk has " + w.length + " taps)");
                }
                Tensor t = lin.get(key);
                if (!java.util.Arrays.equals(t.shape(), new long[]{1, w[k], 1, 1})) {
                    throw new ModelFileException(lin.source(), key + " has shape " + java.util.Arrays.toString(t.shape())
                            + ", the trunk's tap " + k + " has " + w[k] + " channels");
                }
                l.add(t.toNDArray(manager));
            }
            if (lin.contains("lin" + w.length + ".model.1.weight")) {
                throw new ModelFileException(lin.source(), "has more lin layers than the trunk's " + w.length + " taps");
            }
            this.lins = l;
            this.shift = manager.create(SHIFT, new Shape(1, 3, 1, 1));
            this.scale = manager.create(SCALE, new Shape(1, 3, 1, 1));
        } catch (ModelFileException | RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** VGG16's block widths: the trunk the published lin layers are made for. */
    public static final int[] VGG16_WIDTHS = {64, 128, 256, 512, 512};

    /** Builds LPIPS from a VGG16 state dict and a lin state dict. The trunk is owned by the result. */
    public static Lpips load(TensorStore vgg, TensorStore lin) throws ModelFileException {
        VggFeatures trunk = VggFeatures.load(vgg);
        try {
            if (trunk.inputChannels() != 3) throw new ModelFileException(vgg.source(), "VGG takes " + trunk.inputChannels() + " channels, expected 3");
            return new Lpips(trunk, lin, "LPIPS v0.1 VGG (" + vgg.source() + ", " + lin.source() + ")");
        } catch (ModelFileException | RuntimeException e) {
            trunk.close();
            throw e;
        }
    }

    /** Reads {@code vgg16-397923af.pth} (or any file with {@code features.*}) and a lin file (null: the bundled v0.1). */
    public static Lpips load(Path vggFile, Path linFile) throws ModelFileException {
        TensorStore vgg = ModelFiles.open(vggFile).main();
        TensorStore lin = linFile == null ? bundledLin() : ModelFiles.open(linFile).main();
        return load(vgg, lin);
    }

    /** The real lpips v0.1 VGG lin weights, bundled with the app. */
    public static TensorStore bundledLin() {
        try (InputStream in = Lpips.class.getResourceAsStream(BUNDLED_LIN_SAFETENSORS)) {
            if (in == null) throw new IllegalStateException("bundled resource " + BUNDLED_LIN_SAFETENSORS + " is missing");
            return Safetensors.read("bundled lpips v0.1 vgg.pth", ByteBuffer.wrap(in.readAllBytes()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A demo LPIPS: deterministic random VGG16 trunk (real widths 64..512, He-initialised) with the bundled real v0.1
     * lin weights, built through {@link #load(TensorStore, TensorStore)}. Distances are not perceptual.
     */
    public static Lpips demo() {
        try {
            Lpips l = load(syntheticVgg16(VGG16_WIDTHS, 16L), bundledLin());
            return l;
        } catch (ModelFileException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A torchvision-layout VGG16 {@code features.*} state dict with the given block widths and random weights. */
    public static TensorStore syntheticVgg16(int[] widths, long seed) {
        int[] convsPerBlock = {2, 2, 3, 3, 3};
        SplittableRandom rnd = new SplittableRandom(seed);
        MapTensorStore sd = new MapTensorStore("demo VGG16 (random weights, seed " + seed + ")", Format.SAFETENSORS);
        int idx = 0;
        int in = 3;
        for (int b = 0; b < 5; b++) {
            for (int c = 0; c < convsPerBlock[b]; c++) {
                int out = widths[b];
                long[] shape = {out, in, 3, 3};
                float[] w = new float[out * in * 9];
                double a = Math.sqrt(6.0 / (in * 9));
                for (int i = 0; i < w.length; i++) w[i] = (float) ((rnd.nextDouble() * 2 - 1) * a);
                sd.put(Tensor.ofFloats("features." + idx + ".weight", shape, w));
                float[] bias = new float[out];
                for (int i = 0; i < out; i++) bias[i] = (float) (rnd.nextDouble() * 0.02);
                sd.put(Tensor.ofFloats("features." + idx + ".bias", new long[]{out}, bias));
                in = out;
                idx += 2;
            }
            idx += 1; // max pool
        }
        return sd;
    }

    /**
     * An image as this app's LPIPS measures it: average-pooled to 256² when larger, as NVIDIA's projector does (VGG at
     * 1024² would need gigabytes of activations for the same judgement).
     */
    public static NDArray lossSized(NDArray img) {
        long side = img.getShape().get(2);
        return side > 256 ? ai.djl.pytorch.jni.JniUtils.adaptiveAvgPool((ai.djl.pytorch.engine.PtNDArray) img,
                new Shape(256, 256)) : img;
    }

    @Override
    public long parameterBytes() {
        return dev.styleclip.nn.MemoryFootprint.bytesOf(manager) + trunk.parameterCount() * 4;
    }

    /**
     * At the projector's loss size (256²): the trunk's activations of the image, and per tap its normalised features,
     * their difference with the target's and its square.
     */
    @Override
    public long workingBytes(int batch, boolean backward) {
        int size = 256;
        long elems = trunk.activationElements(size);
        long s = size;
        for (int w : trunk.tapWidths()) {
            elems += 3L * w * s * s;
            s = Math.max(1, s / 2);
        }
        return (long) batch * 4 * elems * (backward ? 2 : 1);
    }

    public VggFeatures trunk() {
        return trunk;
    }

    public String description() {
        return description;
    }

    public int minInputSize() {
        return trunk.minInputSize();
    }

    // ------------------------------------------------------------------ forward

    /** {@code LPIPS(in0, in1)}: {@code [N,1,1,1]} distances of pairs (in0[n], in1[n]), in in0's manager. */
    public NDArray distance(NDArray in0, NDArray in1) {
        checkPair(in0, in1);
        NDManager caller = in0.getManager();
        try (NDManager sub = caller.newSubManager()) {
            in0.tempAttach(sub);
            if (in1 != in0) in1.tempAttach(sub); // the same array must not be temp-attached twice
            int n = (int) in0.getShape().get(0);
            List<NDArray> taps = trunk.taps(scaled(NDArrays.concat(new NDList(in0, in1), 0)));
            NDArray[] layers = new NDArray[taps.size()];
            for (int k = 0; k < taps.size(); k++) {
                NDArray f = normalize(taps.get(k));
                NDArray d = f.get("0:" + n).sub(f.get(n + ":")).square();
                layers[k] = linMean(d, k);
            }
            NDArray dist = sumLayers(layers, n);
            dist.attach(caller);
            return dist;
        }
    }

    /** Precomputes the normalised taps of a fixed image batch (no gradient flows into it). */
    public Target target(NDArray in1) {
        checkImage(in1);
        NDManager own = NDManager.newBaseManager();
        try (NDManager sub = in1.getManager().newSubManager()) {
            in1.tempAttach(sub);
            List<NDArray> taps = trunk.taps(scaled(in1));
            List<NDArray> norm = new ArrayList<>();
            for (NDArray t : taps) {
                NDArray f = normalize(t).stopGradient();
                f.attach(own);
                norm.add(f);
            }
            return new Target(own, norm, in1.getShape());
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** Distances {@code [N,1,1,1]} of in0 to a precomputed target of the same shape, in in0's manager. */
    public NDArray distance(NDArray in0, Target target) {
        checkImage(in0);
        if (!in0.getShape().equals(target.shape)) {
            throw new IllegalArgumentException("LPIPS target was computed for " + target.shape + ", image is " + in0.getShape());
        }
        try (Scope scope = Scope.of(in0)) {
            int n = (int) in0.getShape().get(0);
            List<NDArray> taps = trunk.taps(scaled(in0));
            NDArray[] layers = new NDArray[taps.size()];
            for (int k = 0; k < taps.size(); k++) {
                NDArray d = normalize(taps.get(k)).sub(target.normalized.get(k)).square();
                layers[k] = linMean(d, k);
            }
            return scope.keep(sumLayers(layers, n));
        }
    }

    /** The computation with its intermediates (scaled in0, taps of in0, squared differences, per-layer distances). */
    public Trace trace(NDArray in0, NDArray in1) {
        checkPair(in0, in1);
        NDManager caller = in0.getManager();
        try (NDManager sub = caller.newSubManager()) {
            in0.tempAttach(sub);
            if (in1 != in0) in1.tempAttach(sub);
            int n = (int) in0.getShape().get(0);
            NDArray scaledBoth = scaled(NDArrays.concat(new NDList(in0, in1), 0));
            List<NDArray> taps = trunk.taps(scaledBoth);
            List<NDArray> taps0 = new ArrayList<>();
            List<NDArray> diffs = new ArrayList<>();
            NDArray[] layers = new NDArray[taps.size()];
            for (int k = 0; k < taps.size(); k++) {
                NDArray t = taps.get(k);
                taps0.add(t.get("0:" + n));
                NDArray f = normalize(t);
                NDArray d = f.get("0:" + n).sub(f.get(n + ":")).square();
                diffs.add(d);
                layers[k] = linMean(d, k);
            }
            NDArray layerDist = NDArrays.stack(new NDList(layers), 1);
            NDArray dist = sumLayers(layers, n);
            NDArray scaled0 = scaledBoth.get("0:" + n);
            scaled0.attach(caller);
            taps0.forEach(a -> a.attach(caller));
            diffs.forEach(a -> a.attach(caller));
            layerDist.attach(caller);
            dist.attach(caller);
            return new Trace(scaled0, taps0, diffs, layerDist, dist);
        }
    }

    private NDArray scaled(NDArray x) {
        return x.sub(shift).div(scale);
    }

    /** normalize_tensor: f / (sqrt(sum_c f^2) + eps), per pixel over channels. */
    private static NDArray normalize(NDArray f) {
        // torch.norm over channels in one op (its backward is 0, not NaN, where the norm is 0)
        NDArray norm = Nd.add(JniUtils.norm((PtNDArray) f, 2, new int[]{1}, true), NORM_EPS);
        return f.div(norm);
    }

    /** lin_k (1x1 conv, no bias) then the spatial mean: [N]. */
    private NDArray linMean(NDArray d, int k) {
        NDArray l = Conv2d.conv2d(d, lins.get(k)).singletonOrThrow();
        return l.reshape(l.getShape().get(0), -1).mean(new int[]{1});
    }

    private static NDArray sumLayers(NDArray[] layers, int n) {
        NDArray s = layers[0];
        for (int k = 1; k < layers.length; k++) s = s.add(layers[k]);
        return s.reshape(n, 1, 1, 1);
    }

    private void checkImage(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) throw new IllegalArgumentException("LPIPS takes [N,3,H,W] images, got " + s);
        int min = trunk.minInputSize();
        if (s.get(2) < min || s.get(3) < min) {
            throw new IllegalArgumentException("LPIPS needs images at least " + min + "x" + min + ", got " + s.get(2) + "x" + s.get(3));
        }
    }

    private void checkPair(NDArray in0, NDArray in1) {
        checkImage(in0);
        if (!in0.getShape().equals(in1.getShape())) {
            throw new IllegalArgumentException("LPIPS compares images of the same shape, got " + in0.getShape() + " and " + in1.getShape());
        }
    }

    @Override
    public void close() {
        manager.close();
        trunk.close();
    }

    @Override
    public String toString() {
        return description;
    }
}
