package dev.styleclip.edit.pti;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.DType;
import dev.styleclip.io.Format;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.models.Hashes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A tuned generator stored compactly: safetensors holding, for every synthesis tensor pivotal tuning changed
 * ({@link StyleGan3Generator#tunableNames}), its difference from the base network's (tuned − base), in float32 or
 * float16, and in the metadata which network it belongs to ({@link BaseNetwork}: the base file's sha256, or a demo
 * network's architecture key), so that it is never applied to another one.
 *
 * <p>Float32 differences are chosen so that base + difference, added in float32 as {@link #read} adds them, gives the
 * tuned values to the bit; the few values no float32 difference can reach (a weight that moved to near zero from far
 * larger) are kept on that grid by the tuning itself ({@link #reproducible}), so a loaded network renders exactly as the
 * tuned one. Float16 halves the file; each value then comes back within 2⁻¹¹ of its change (3e-8 for changes below
 * 6e-5, half's subnormals). Writes are atomic.
 */
public final class TunedWeightsFile {
    /** The metadata's {@code format} value. */
    public static final String FORMAT = "styleclip-pti-delta/1";

    /** The precision of the stored differences. */
    public enum Precision {
        FLOAT32(DType.F32), FLOAT16(DType.F16);

        private final DType dtype;

        Precision(DType dtype) {
            this.dtype = dtype;
        }

        public DType dtype() {
            return dtype;
        }

        /** "float32" / "float16" (also "f32", "f16", "fp16"). */
        public static Precision parse(String s) {
            String t = s == null ? "" : s.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "float32", "f32", "fp32" -> FLOAT32;
                case "float16", "f16", "fp16", "half" -> FLOAT16;
                default -> throw new IllegalArgumentException("unknown precision '" + s + "': use float32 or float16");
            };
        }
    }

    /**
     * The network a file's differences belong to: {@code sha256:<hex>} of the network file, or {@code demo:<arch>} of a
     * demo network (its weights are a function of the architecture), with a name for messages.
     */
    public record BaseNetwork(String id, String label) {
        /** Identifies a generator source (reads a network file once to hash it). */
        public static BaseNetwork of(GeneratorSource source) throws IOException {
            if (source.isDemo()) return new BaseNetwork(source.key(), DemoNetworks.source(source.demo()));
            Path name = source.file().getFileName();
            return new BaseNetwork("sha256:" + Hashes.sha256(source.file()), name == null ? source.file().toString() : name.toString());
        }

        /** "sha256:3f2a9c1e0b7d…" or the demo key: what messages show. */
        public String shortId() {
            return id.startsWith("sha256:") && id.length() > 19 ? id.substring(0, 19) + "…" : id;
        }

        String describe() {
            return label + " (" + shortId() + ")";
        }
    }

    /** What a file says about itself. */
    public record Header(BaseNetwork base, Precision precision, Map<String, String> info, int tensors) {
    }

    private static final String KEY_FORMAT = "format";
    private static final String KEY_BASE = "base";
    private static final String KEY_BASE_NAME = "base_name";
    private static final String KEY_PRECISION = "delta_dtype";
    /** Other metadata the writer adds (the tuning's settings and outcome) start with this. */
    private static final String INFO = "pti.";

    private TunedWeightsFile() {
    }

    /**
     * Writes the difference of {@code tuned} from the base network, atomically. {@code info}: anything worth keeping
     * with it (settings, losses), stored as metadata strings.
     */
    public static void write(Path file, BaseNetwork base, StyleGan3Generator baseGenerator, List<Tensor> tuned,
                             Precision precision, Map<String, String> info) throws IOException {
        TensorStore stored = baseGenerator.tensors();
        List<String> names = baseGenerator.tunableNames();
        List<Tensor> deltas = new ArrayList<>();
        for (Tensor t : tuned) {
            if (!names.contains(t.name())) throw new IllegalArgumentException("not a tunable synthesis weight: " + t.name());
            Tensor b = stored.get(t.name());
            if (!Arrays.equals(b.shape(), t.shape())) {
                throw new IllegalArgumentException(t.name() + " has shape " + Arrays.toString(t.shape()) + ", the base "
                        + Arrays.toString(b.shape()));
            }
            deltas.add(delta(t.name(), b.shape(), b.toFloatArray(), t.toFloatArray(), precision));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(KEY_FORMAT, FORMAT);
        meta.put(KEY_BASE, base.id());
        meta.put(KEY_BASE_NAME, base.label());
        meta.put(KEY_PRECISION, precision.dtype().safetensorsName());
        if (info != null) info.forEach((k, v) -> meta.put(INFO + k, v));
        Safetensors.write(file, deltas, meta);
    }

    /** The header of a tuned-weights file; anything else is refused with one line. */
    public static Header header(Path file) throws ModelFileException {
        return header(file, open(file));
    }

    private static TensorStore open(Path file) throws ModelFileException {
        TensorStore s = ModelFiles.openStore(file);
        if (s.format() != Format.SAFETENSORS || !FORMAT.equals(s.metadata().get(KEY_FORMAT))) {
            throw new ModelFileException(file, "is not a tuned generator (pivotal tuning's " + FORMAT + " safetensors)");
        }
        return s;
    }

    private static Header header(Path file, TensorStore s) throws ModelFileException {
        Map<String, Object> m = s.metadata();
        Object id = m.get(KEY_BASE);
        if (!(id instanceof String) || ((String) id).isBlank()) throw new ModelFileException(file, "does not say which network it belongs to");
        Object dt = m.get(KEY_PRECISION);
        Precision p = null;
        for (Precision q : Precision.values()) if (q.dtype().safetensorsName().equals(dt)) p = q;
        if (p == null) throw new ModelFileException(file, "stores its differences as " + dt + ", not F32 or F16");
        Map<String, String> info = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (k.startsWith(INFO)) info.put(k.substring(INFO.length()), String.valueOf(v));
        });
        Object label = m.get(KEY_BASE_NAME);
        return new Header(new BaseNetwork((String) id, label == null ? (String) id : String.valueOf(label)), p, info, s.size());
    }

    /**
     * The tuned weights a file describes for the base network {@code base} (whose generator is {@code baseGenerator}):
     * base + difference, in float32. A file made for another network, or whose tensors are not this network's
     * tunable weights of their shapes, is refused with one line.
     */
    public static List<Tensor> read(Path file, BaseNetwork base, StyleGan3Generator baseGenerator) throws ModelFileException {
        TensorStore s = open(file);
        Header h = header(file, s);
        if (!h.base().id().equals(base.id())) {
            throw new ModelFileException(file, "was tuned from " + h.base().describe() + ", not from " + base.describe()
                    + ": use it with the network it was tuned from");
        }
        TensorStore stored = baseGenerator.tensors();
        List<String> names = baseGenerator.tunableNames();
        List<Tensor> out = new ArrayList<>();
        for (String n : s.names()) {
            if (!names.contains(n)) throw new ModelFileException(file, "holds " + n + ", which is not a tunable weight of " + base.label());
            Tensor d = s.get(n);
            Tensor b = stored.get(n);
            if (!Arrays.equals(d.shape(), b.shape())) {
                throw new ModelFileException(file, n + " has shape " + Arrays.toString(d.shape()) + ", the network's is "
                        + Arrays.toString(b.shape()));
            }
            if (d.dtype() != h.precision().dtype()) throw new ModelFileException(file, n + " is " + d.dtype() + ", the header says " + h.precision().dtype());
            float[] v = b.toFloatArray();
            float[] dv = d.toFloatArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += dv[i];
                if (!Float.isFinite(v[i])) throw new ModelFileException(file, n + " holds values that are not finite numbers");
            }
            out.add(Tensor.ofFloats(n, b.shape(), v));
        }
        return out;
    }

    /** The tuned network a file describes, built over {@code baseGenerator} (see {@link #read}); close it when done. */
    public static StyleGan3Generator open(Path file, GeneratorSource source, StyleGan3Generator baseGenerator, NDManager manager)
            throws IOException {
        return baseGenerator.withSynthesisWeights(read(file, BaseNetwork.of(source), baseGenerator), manager);
    }

    /** The stored difference of one tensor. */
    static Tensor delta(String name, long[] shape, float[] base, float[] tuned, Precision precision) {
        int n = base.length;
        if (precision == Precision.FLOAT16) {
            ByteBuffer b = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) b.putShort(i * 2, Tensor.floatToHalf(tuned[i] - base[i]));
            return Tensor.of(name, DType.F16, shape, b);
        }
        float[] d = new float[n];
        for (int i = 0; i < n; i++) d[i] = exactDelta(base[i], tuned[i]);
        return Tensor.ofFloats(name, shape, d);
    }

    /**
     * A float32 d with base + d == tuned in float32. The rounded difference nearly always is one; where rounding the
     * difference loses the last bit of the sum, a neighbouring value is. When none exists (a weight that moved to near
     * zero from far larger: the sums' spacing there is coarser than tuned's), the rounded difference, whose sum is
     * within an ulp of the difference.
     */
    /**
     * The tuned values nearest to {@code tuned} that a float32 difference from {@code base} reproduces to the bit (at most
     * half an ulp of each change away; nearly always {@code tuned} itself): what the tuning keeps, so that its stored
     * file gives back exactly its network.
     */
    public static float[] reproducible(float[] base, float[] tuned) {
        float[] out = new float[tuned.length];
        for (int i = 0; i < out.length; i++) out[i] = base[i] + exactDelta(base[i], tuned[i]);
        return out;
    }

    static float exactDelta(float base, float tuned) {
        float d = tuned - base;
        if (base + d == tuned) return d;
        float up = d;
        float down = d;
        for (int k = 0; k < 4; k++) {
            up = Math.nextUp(up);
            if (base + up == tuned) return up;
            down = Math.nextDown(down);
            if (base + down == tuned) return down;
        }
        return d;
    }
}
