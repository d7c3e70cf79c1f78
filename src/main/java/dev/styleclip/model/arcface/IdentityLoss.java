package dev.styleclip.model.arcface;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.nn.Nd;
import dev.styleclip.nn.Scope;

import java.util.HashMap;
import java.util.Map;

/**
 * StyleCLIP's identity loss ({@code criteria/id_loss.py}): {@code 1 - cos} between ArcFace (IR-SE) embeddings of the
 * edited and the source image, averaged over the batch.
 *
 * <p>Preprocessing of a {@code [N,3,H,W]} image in [-1, 1] (the generator's output), exactly as the reference:
 * <ol>
 *   <li>if {@code H != 256} (the height alone decides): adaptive average pooling to 256 x 256 (1024 -> exact 4x4 block
 *       means, 512 -> 2x2; other sizes use adaptive-pool bins, e.g. 384 -> overlapping 2-wide bins);</li>
 *   <li>crop rows 35..222 and columns 32..219 (188 x 188) of the 256 x 256 image (where an FFHQ-aligned face sits);</li>
 *   <li>adaptive average pooling to 112 x 112 (the backbone's input size), then the backbone.</li>
 * </ol>
 * Steps 2 and 3 (and step 1 when the size is not a multiple of 256) are one linear map per axis, applied as two matrix
 * products; a size that is a multiple of 256 is first block-averaged with an average pool. Everything is
 * differentiable w.r.t. the image. The source image's features are detached (a constant), as in the reference.
 *
 * <p>This object does not own the backbone (close it yourself); it owns only its small pooling matrices.
 */
public final class IdentityLoss implements AutoCloseable, MemoryFootprint {

    /** The size the reference pools every image to (unless it is already this high). */
    public static final int POOL_SIZE = 256;
    /** Crop of the 256 x 256 image: rows [35, 223), columns [32, 220) (Python end-exclusive). */
    public static final int CROP_TOP = 35;
    public static final int CROP_BOTTOM = 223;
    public static final int CROP_LEFT = 32;
    public static final int CROP_RIGHT = 220;

    private final IrSeBackbone backbone;
    private final int faceSize;
    private final NDManager manager = NDManager.newBaseManager();
    private final Map<String, NDArray[]> matrices = new HashMap<>();

    public IdentityLoss(IrSeBackbone backbone) {
        if (!backbone.hasOutputLayer()) throw new IllegalArgumentException("the ID loss needs a backbone with an output layer");
        if (backbone.inputChannels() != 3) throw new IllegalArgumentException("the ID loss needs a 3-channel backbone, this one takes " + backbone.inputChannels());
        this.backbone = backbone;
        this.faceSize = backbone.inputSize();
    }

    @Override
    public long parameterBytes() {
        return backbone.parameterBytes() + MemoryFootprint.bytesOf(manager);
    }

    /** The image pooled to 256² and cropped, the backbone at its input size: everything in one scope per call. */
    @Override
    public long workingBytes(int batch, boolean backward) {
        long elems = backbone.activationElements(faceSize) + 3L * POOL_SIZE * POOL_SIZE * 2;
        return (long) batch * 4 * elems * (backward ? 2 : 1);
    }

    public IrSeBackbone backbone() {
        return backbone;
    }

    /** The backbone input size (112 for IR-SE-50). */
    public int faceSize() {
        return faceSize;
    }

    /** The {@code [N,3,112,112]} tensor fed to the backbone for {@code x [N,3,H,W]}, in x's manager. */
    public NDArray faceInput(NDArray x) {
        try (Scope scope = Scope.of(x)) {
            return scope.keep(faceInputRaw(x));
        }
    }

    private NDArray faceInputRaw(NDArray x) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != 3) throw new IllegalArgumentException("the ID loss takes [N,3,H,W] images, got " + s);
        int h = (int) s.get(2);
        int w = (int) s.get(3);
        NDArray in = x;
        boolean prepool = h != POOL_SIZE;
        if (prepool && h % POOL_SIZE == 0 && w % POOL_SIZE == 0) {
            int kh = h / POOL_SIZE;
            int kw = w / POOL_SIZE;
            in = Pool.avgPool2d(x, new Shape(kh, kw), new Shape(kh, kw), new Shape(0, 0), false, true);
            h = POOL_SIZE;
            w = POOL_SIZE;
            prepool = false;
        }
        if (!prepool && w < CROP_RIGHT) {
            throw new IllegalArgumentException("a " + POOL_SIZE + "-high image must be at least " + CROP_RIGHT + " wide for the face crop, got " + s);
        }
        NDArray[] m = matrices(h, w, prepool);
        // columns: [N,3,H,W] @ [W,F] -> [N,3,H,F]; rows: ([N,3,F,H] @ [H,F])^T -> [N,3,F,F]
        NDArray y = in.matMul(m[1]);
        return y.transpose(0, 1, 3, 2).matMul(m[0]).transpose(0, 1, 3, 2);
    }

    /** {@code [rowsT (H x F), cols (W x F)]} for an H x W input. */
    private synchronized NDArray[] matrices(int h, int w, boolean prepool) {
        String key = h + "x" + w + (prepool ? "p" : "");
        NDArray[] m = matrices.get(key);
        if (m == null) {
            double[][] rows = axisMatrix(h, prepool, CROP_TOP, CROP_BOTTOM, faceSize);
            double[][] cols = axisMatrix(w, prepool, CROP_LEFT, CROP_RIGHT, faceSize);
            m = new NDArray[]{Nd.constant(manager, transposed(rows), new Shape(h, faceSize)),
                    Nd.constant(manager, transposed(cols), new Shape(w, faceSize))};
            matrices.put(key, m);
        }
        return m;
    }

    /** out x in matrix of one axis: optional adaptive pool in -> 256, crop [c0, c1), adaptive pool -> out. */
    static double[][] axisMatrix(int in, boolean prepool, int c0, int c1, int out) {
        double[][] first = prepool ? adaptivePool(in, POOL_SIZE) : identity(in);
        double[][] pool = adaptivePool(c1 - c0, out);
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            for (int k = 0; k < c1 - c0; k++) {
                double p = pool[i][k];
                if (p == 0) continue;
                double[] row = first[c0 + k];
                for (int j = 0; j < in; j++) m[i][j] += p * row[j];
            }
        }
        return m;
    }

    /** PyTorch's adaptive average pooling along one axis as an out x in matrix. */
    static double[][] adaptivePool(int in, int out) {
        double[][] m = new double[out][in];
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out);
            int end = (int) (((long) (i + 1) * in + out - 1) / out);
            for (int j = start; j < end; j++) m[i][j] = 1.0 / (end - start);
        }
        return m;
    }

    private static double[][] identity(int n) {
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) m[i][i] = 1;
        return m;
    }

    private static float[] transposed(double[][] m) {
        int r = m.length;
        int c = m[0].length;
        float[] t = new float[r * c];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) t[j * r + i] = (float) m[i][j];
        return t;
    }

    /** {@code extract_feats}: L2-normalised embeddings {@code [N,E]} of images {@code [N,3,H,W]}, in x's manager. */
    public NDArray features(NDArray x) {
        try (Scope scope = Scope.of(x)) {
            return scope.keep(backbone.forward(faceInputRaw(x)));
        }
    }

    /** Per-sample cosine similarity {@code [N]} between the embeddings of two batches of images (no gradient needed). */
    public NDArray cosine(NDArray a, NDArray b) {
        NDManager caller = a.getManager();
        try (NDManager sub = caller.newSubManager()) {
            a.tempAttach(sub);
            if (b != a) b.tempAttach(sub); // the same array must not be temp-attached twice
            NDArray c = features(a).mul(features(b)).sum(new int[]{1});
            c.attach(caller);
            return c;
        }
    }

    /**
     * {@code IDLoss.forward(y_hat, y)[0]} = {@code mean_i (1 - <f(y_hat_i), f(y_i)>)}, a 0-d array in y_hat's manager;
     * differentiable w.r.t. y_hat, y is treated as a constant.
     */
    public NDArray loss(NDArray yHat, NDArray y) {
        NDManager caller = yHat.getManager();
        try (NDManager sub = caller.newSubManager()) {
            y.tempAttach(sub);
            NDArray target = features(y).stopGradient();
            NDArray l = lossToFeatures(yHat, target);
            l.attach(caller);
            return l;
        }
    }

    /**
     * The loss against precomputed (detached) target features {@code [N,E]} (e.g. {@link #features} of the source image,
     * computed once for a whole optimisation), a 0-d array in y_hat's manager.
     */
    public NDArray lossToFeatures(NDArray yHat, NDArray targetFeatures) {
        try (Scope scope = Scope.of(yHat)) {
            NDArray f = features(yHat);
            if (!f.getShape().equals(targetFeatures.getShape())) {
                throw new IllegalArgumentException("target features " + targetFeatures.getShape() + " do not match " + f.getShape());
            }
            NDArray cos = f.mul(targetFeatures).sum(new int[]{1});
            return scope.keep(Nd.add(cos.neg(), 1f).mean());
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
