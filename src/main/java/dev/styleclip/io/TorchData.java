package dev.styleclip.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared pieces of the torch readers: storage views to contiguous tensors, unpickled values to plain data. */
final class TorchData {
    private TorchData() {
    }

    /** The contiguous tensor a (storage, offset, size, stride) view stands for; copies only non-contiguous views. */
    static Tensor materialize(String source, String name, Pickle.TensorRef r) throws ModelFileException {
        Pickle.StorageRef s = r.storage;
        DType dt = s.dtype;
        ByteBuffer data;
        long base;
        long snumel = s.numel;
        if (s.root != null) {
            data = s.root.data;
            base = s.viewOffset;
            // written as a subtraction: a hostile offset near 2^63 must not wrap round into range
            if (data != null && (base < 0 || snumel < 0 || base > s.root.numel - snumel)) {
                throw new ModelFileException(source, "is corrupt: storage view of '" + s.root.key + "' lies outside it");
            }
        } else {
            data = s.data;
            base = 0;
        }
        if (data == null) throw new ModelFileException(source, "is corrupt: no data for storage '" + s.key + "' of tensor '" + name + "'");
        int es = dt.byteSize();
        if (snumel < 0 || Math.multiplyExact(Math.addExact(base, snumel), (long) es) > data.remaining()) {
            throw new ModelFileException(source, "is corrupt: storage '" + s.key + "' claims more data than it has");
        }
        long[] size = r.size;
        long[] stride = r.stride;
        long numel = 1;
        long maxIdx = r.offset;
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0 || stride[i] < 0) throw new ModelFileException(source, "is corrupt: tensor '" + name + "' has a negative size or stride");
            numel = Math.multiplyExact(numel, size[i]);
        }
        if (r.offset < 0) throw new ModelFileException(source, "is corrupt: tensor '" + name + "' has a negative storage offset");
        if (numel == 0) return Tensor.of(name, dt, size, ByteBuffer.allocate(0));
        for (int i = 0; i < size.length; i++) maxIdx = Math.addExact(maxIdx, Math.multiplyExact(size[i] - 1, stride[i]));
        if (maxIdx >= snumel) {
            throw new ModelFileException(source, "is corrupt: tensor '" + name + "' reaches element " + maxIdx
                    + " of a storage of " + snumel);
        }
        if (numel > snumel) {
            throw new ModelFileException(source, "tensor '" + name + "' has more elements than its storage (overlapping strides are not supported)");
        }
        boolean contiguous = true;
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expect) contiguous = false;
            expect *= size[i];
        }
        int start = (int) ((base + r.offset) * es);
        if (contiguous) {
            ByteBuffer b = data.duplicate();
            b.position(data.position() + start);
            b.limit(data.position() + start + (int) (numel * es));
            return Tensor.of(name, dt, size, b.slice().order(ByteOrder.LITTLE_ENDIAN));
        }
        // non-contiguous view: validated above, copied only when the data is asked for (so a file cannot make the
        // reader allocate many copies of one storage up front)
        final ByteBuffer src = data;
        final long first = base + r.offset;
        final long total = numel;
        return new Tensor(name, dt, size, () -> ByteBuffer.wrap(gather(src, first, size, stride, es, total)));
    }

    private static byte[] gather(ByteBuffer data, long first, long[] size, long[] stride, int es, long numel) {
        byte[] out = new byte[(int) (numel * es)];
        int rank = size.length;
        long[] idx = new long[rank];
        int p0 = data.position();
        for (long k = 0; k < numel; k++) {
            long e = first;
            for (int d = 0; d < rank; d++) e += idx[d] * stride[d];
            int src = p0 + (int) (e * es);
            for (int b = 0; b < es; b++) out[(int) (k * es) + b] = data.get(src + b);
            for (int d = rank - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) break;
                idx[d] = 0;
            }
        }
        return out;
    }

    /** Converts unpickled values to plain data; tensors become {@link Tensor}s named by their path. */
    static final class Plain {
        private final String source;
        // a million values: far beyond any checkpoint's options or kwargs, and small enough (each value with its path
        // string costs ~150 bytes) that a shared-reference bomb is refused within a small heap
        private long budget = 1_000_000;

        Plain(String source) {
            this.source = source;
        }

        Object of(Object o, String path) throws ModelFileException {
            return of(o, path, 0);
        }

        private Object of(Object o, String path, int depth) throws ModelFileException {
            if (--budget < 0 || depth > 200) throw new ModelFileException(source, "is corrupt: data nested too deeply or too large");
            if (o == null || o instanceof String || o instanceof Boolean || o instanceof Integer || o instanceof Long
                    || o instanceof Double) {
                return o;
            }
            if (o instanceof BigInteger) return o;
            if (o instanceof Map) {
                Map<String, Object> m = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                    String k = String.valueOf(keyOf(e.getKey()));
                    m.put(k, of(e.getValue(), path.isEmpty() ? k : path + "." + k, depth + 1));
                }
                return m;
            }
            if (o instanceof Collection || o instanceof Object[]) {
                List<Object> l = new ArrayList<>();
                int i = 0;
                for (Object v : o instanceof Object[] ? Arrays.asList((Object[]) o) : (Collection<?>) o) {
                    l.add(of(v, path + "." + i++, depth + 1));
                }
                return l;
            }
            if (o instanceof Pickle.TensorRef) return materialize(source, path, (Pickle.TensorRef) o);
            if (o instanceof Pickle.NpArray) {
                Pickle.NpArray a = (Pickle.NpArray) o;
                long n = 1;
                for (long d : a.shape) n = Math.multiplyExact(n, d);
                budget -= n;
                if (budget < 0) throw new ModelFileException(source, "is corrupt: data too large");
                return Numpy.toPlain(a);
            }
            if (o instanceof Pickle.NpDtype) return ((Pickle.NpDtype) o).descr;
            if (o instanceof ByteBuffer) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("__bytes__", ((ByteBuffer) o).remaining());
                return m;
            }
            if (o instanceof Pickle.Global) return ((Pickle.Global) o).qualified();
            if (o instanceof Pickle.PyObject) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("__class__", ((Pickle.PyObject) o).className);
                return m;
            }
            if (o instanceof Pickle.PersistentObj) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("__class__", String.valueOf(((Pickle.PersistentObj) o).meta.get("class_name")));
                return m;
            }
            if (o instanceof Pickle.StorageRef) return "storage";
            return String.valueOf(o);
        }

        private static Object keyOf(Object k) {
            if (k instanceof List) return k.toString();
            if (k instanceof Object[]) return Arrays.asList((Object[]) k).toString();
            return k;
        }
    }

    /** Whether a value is a dict whose values are all tensors (a state dict); empty dicts are not. */
    static boolean isTensorDict(Object o) {
        if (!(o instanceof Map) || ((Map<?, ?>) o).isEmpty()) return false;
        for (Object v : ((Map<?, ?>) o).values()) if (!(v instanceof Pickle.TensorRef)) return false;
        return true;
    }

    /** Adds every tensor of a (possibly nested) dict to a store, nested names joined with '.'. */
    static void collectTensors(String source, Object o, String prefix, MapTensorStore store, int depth) throws ModelFileException {
        if (depth > 100) throw new ModelFileException(source, "is corrupt: data nested too deeply");
        if (o instanceof Pickle.TensorRef) {
            store.put(materialize(source, prefix, (Pickle.TensorRef) o));
        } else if (o instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) o).entrySet()) {
                String k = String.valueOf(e.getKey());
                collectTensors(source, e.getValue(), prefix.isEmpty() ? k : prefix + "." + k, store, depth + 1);
            }
        }
    }

    /** Reads a state-dict-like object into the main store + plain info (see {@link TorchZip} for the rules). */
    static Checkpoint checkpoint(String source, java.nio.file.Path file, Format format, Object top) throws ModelFileException {
        MapTensorStore main = new MapTensorStore(source, format);
        Map<String, Object> info = new LinkedHashMap<>();
        if (top instanceof Map && !isTensorDict(top) && ((Map<?, ?>) top).get("state_dict") instanceof Map) {
            Plain plain = new Plain(source);
            for (Map.Entry<?, ?> e : ((Map<?, ?>) top).entrySet()) {
                String k = String.valueOf(e.getKey());
                if (k.equals("state_dict")) {
                    for (Map.Entry<?, ?> t : ((Map<?, ?>) e.getValue()).entrySet()) {
                        String n = String.valueOf(t.getKey());
                        if (t.getValue() instanceof Pickle.TensorRef) main.put(materialize(source, n, (Pickle.TensorRef) t.getValue()));
                    }
                } else {
                    info.put(k, plain.of(e.getValue(), k));
                }
            }
        } else if (top instanceof Map) {
            collectTensors(source, top, "", main, 0);
        } else if (top instanceof Pickle.TensorRef) {
            main.put(materialize(source, "tensor", (Pickle.TensorRef) top));
        } else {
            throw new ModelFileException(source, "holds a " + Pickle.typeName(top) + ", not a state dict or checkpoint dict");
        }
        return new Checkpoint(file, format, Map.of(Checkpoint.MAIN, main), Checkpoint.MAIN, info);
    }
}
