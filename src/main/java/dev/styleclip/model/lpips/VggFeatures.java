package dev.styleclip.model.lpips;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The convolutional trunk of torchvision's VGG ({@code features.N.weight / .bias}, e.g. {@code vgg16-397923af.pth}) up to
 * the last ReLU, returning the ReLU output at the end of every block (for VGG16: relu1_2, relu2_2, relu3_3, relu4_3,
 * relu5_3). The layout is read from the key indices: consecutive convs two indices apart are conv-ReLU-conv, three apart
 * have a 2x2 max pool (stride 2, floor) between them; widths come from the weight shapes; {@code classifier.*} is ignored.
 * Parameters live in the object's manager; {@link #taps} allocates in the input's manager (callers use a sub-manager).
 */
public final class VggFeatures implements AutoCloseable {
    private static final Pattern CONV = Pattern.compile("^features\\.(\\d+)\\.weight$");

    private final NDManager manager;
    private final List<List<NDArray[]>> blocks; // per block: {weight, bias} of each conv
    private final int[] widths;
    private final int inputChannels;

    private VggFeatures(NDManager manager, List<List<NDArray[]>> blocks, int[] widths, int inputChannels) {
        this.manager = manager;
        this.blocks = blocks;
        this.widths = widths;
        this.inputChannels = inputChannels;
    }

    /** Builds the trunk from a torchvision VGG state dict (keys {@code features.N.weight/bias}). */
    public static VggFeatures load(TensorStore sd) throws ModelFileException {
        String src = sd.source();
        TreeMap<Integer, Tensor> convs = new TreeMap<>();
        for (String n : sd.names()) {
            Matcher m = CONV.matcher(n);
            if (m.matches()) convs.put(Integer.parseInt(m.group(1)), sd.get(n));
        }
        if (convs.isEmpty()) throw new ModelFileException(src, "is not a torchvision VGG state dict (no features.N.weight keys)");
        NDManager mgr = NDManager.newBaseManager();
        try {
            List<List<NDArray[]>> blocks = new ArrayList<>();
            List<Integer> widths = new ArrayList<>();
            List<NDArray[]> cur = new ArrayList<>();
            int prevIndex = -1;
            long prevOut = -1;
            int inCh = -1;
            for (var e : convs.entrySet()) {
                int idx = e.getKey();
                Tensor w = e.getValue();
                long[] s = w.shape();
                if (s.length != 4 || s[2] != 3 || s[3] != 3) {
                    throw new ModelFileException(src, w.name() + " has shape " + java.util.Arrays.toString(s) + ", expected [out,in,3,3]");
                }
                if (prevIndex < 0) {
                    if (idx != 0) throw new ModelFileException(src, "VGG features start at features." + idx + ", expected features.0");
                    inCh = (int) s[1];
                } else {
                    int gap = idx - prevIndex;
                    if (gap == 3) {
                        blocks.add(cur);
                        widths.add((int) prevOut);
                        cur = new ArrayList<>();
                    } else if (gap != 2) {
                        throw new ModelFileException(src, "unexpected VGG layout: features." + prevIndex + " then features." + idx
                                + " (only conv-ReLU[-maxpool] layouts without batch norm are supported)");
                    }
                    if (s[1] != prevOut) {
                        throw new ModelFileException(src, w.name() + " takes " + s[1] + " channels, the previous conv gives " + prevOut);
                    }
                }
                String bn = "features." + idx + ".bias";
                Tensor b = sd.get(bn);
                if (b.numel() != s[0]) throw new ModelFileException(src, bn + " has " + b.numel() + " values, expected " + s[0]);
                cur.add(new NDArray[]{w.toNDArray(mgr), b.toNDArray(mgr)});
                prevIndex = idx;
                prevOut = s[0];
            }
            blocks.add(cur);
            widths.add((int) prevOut);
            return new VggFeatures(mgr, blocks, widths.stream().mapToInt(Integer::intValue).toArray(), inCh);
        } catch (ModelFileException | RuntimeException e) {
            mgr.close();
            throw e;
        }
    }

    /** Channels of every tap. */
    public int[] tapWidths() {
        return widths.clone();
    }

    public int inputChannels() {
        return inputChannels;
    }

    /** Smallest input side that leaves every tap non-empty (2^(blocks-1)). */
    public int minInputSize() {
        return 1 << (blocks.size() - 1);
    }

    public long parameterCount() {
        long n = 0;
        for (List<NDArray[]> b : blocks) for (NDArray[] c : b) n += c[0].size() + c[1].size();
        return n;
    }

    /**
     * Elements per image of the tensors {@link #taps} creates at size×size (every convolution's output and its ReLU;
     * all stay alive within a call's scope).
     */
    public long activationElements(int size) {
        long n = 3L * size * size, s = size;
        for (int i = 0; i < blocks.size(); i++) {
            if (i > 0) {
                s /= 2;
                n += blocks.get(i - 1).get(blocks.get(i - 1).size() - 1)[0].getShape().get(0) * s * s;
            }
            for (NDArray[] c : blocks.get(i)) n += 2 * c[0].getShape().get(0) * s * s;
        }
        return n;
    }

    /** The ReLU output at the end of every block, in the input's manager (intermediates too). */
    public List<NDArray> taps(NDArray x) {
        List<NDArray> out = new ArrayList<>(blocks.size());
        NDArray h = x;
        for (int i = 0; i < blocks.size(); i++) {
            if (i > 0) h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
            for (NDArray[] c : blocks.get(i)) {
                h = Activation.relu(Conv2d.conv2d(h, c[0], c[1], new Shape(1, 1), new Shape(1, 1)).singletonOrThrow());
            }
            out.add(h);
        }
        return out;
    }

    @Override
    public void close() {
        manager.close();
    }
}
