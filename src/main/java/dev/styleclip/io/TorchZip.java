package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.save} zip archives (torch ≥ 1.6) and TorchScript archives ({@code torch.jit.save}).
 *
 * <p>Layout: one top folder (any name; found as the entry ending in {@code /data.pkl}) holding {@code data.pkl}
 * (the object, pickled; storages as persistent ids {@code ('storage', <torch XStorage global>, key, location, numel)}),
 * {@code data/<key>} (raw little-endian storage bytes), {@code version}, optionally {@code byteorder}; TorchScript
 * archives add {@code constants.pkl} and {@code code/}. All pickles go through the restricted {@link Pickle}.
 * Stored entries are read without copying (slices of the mapped file).</p>
 *
 * <p>What {@link Checkpoint#main()} holds:</p>
 * <ul>
 *   <li>TorchScript: the module tree's parameters and buffers, named by joining attribute names with {@code .}, each
 *   module's own tensors before its children's (= {@code torch.jit.load(f).state_dict()}); store metadata
 *   {@code class_name} = the root's TorchScript class.</li>
 *   <li>A dict of tensors (a state dict): those tensors, in file order.</li>
 *   <li>A dict with a {@code state_dict} dict entry (training checkpoints such as ReStyle encoders): the tensors of
 *   {@code state_dict}; every OTHER top-level entry goes into {@link Checkpoint#info()} as plain data (maps, lists,
 *   numbers, strings, booleans, null; {@code pathlib} paths as {@code {"__class__", "parts", "str"}}), where tensors
 *   — e.g. {@code latent_avg} — appear as {@link Tensor} values (named by their key path, e.g. {@code latent_avg} or
 *   {@code optimizer.state.0.exp_avg}).</li>
 *   <li>Any other dict: all tensors found in it, nested names joined with {@code .}.</li>
 * </ul>
 */
final class TorchZip {
    private TorchZip() {
    }

    private static String prefixOf(String source, ZipArchive zip) throws ModelFileException {
        String best = null;
        for (String n : zip.entries().keySet()) {
            if (n.equals("data.pkl") || n.endsWith("/data.pkl")) {
                String p = n.substring(0, n.length() - "data.pkl".length());
                if (best == null || p.length() < best.length()) best = p;
            }
        }
        if (best == null) throw new ModelFileException(source, "is a zip file but not a PyTorch archive (no data.pkl entry)");
        return best;
    }

    static boolean isTorchScript(Path file, ByteBuffer bytes) throws ModelFileException {
        ZipArchive zip = new ZipArchive(String.valueOf(file), bytes);
        String prefix = prefixOf(String.valueOf(file), zip);
        if (zip.entries().containsKey(prefix + "constants.pkl")) return true;
        for (String n : zip.entries().keySet()) if (n.startsWith(prefix + "code/")) return true;
        return false;
    }

    static Checkpoint read(Path file, ByteBuffer bytes) throws ModelFileException {
        String source = String.valueOf(file);
        ZipArchive zip = new ZipArchive(source, bytes);
        String prefix = prefixOf(source, zip);
        Map<String, ZipArchive.Entry> entries = zip.entries();
        boolean script = entries.containsKey(prefix + "constants.pkl");
        for (String n : entries.keySet()) if (n.startsWith(prefix + "code/")) script = true;
        ZipArchive.Entry bo = entries.get(prefix + "byteorder");
        if (bo != null) {
            String order = StandardCharsets.US_ASCII.decode(zip.bytes(bo)).toString().trim();
            if (!order.equals("little")) throw new ModelFileException(source, "was saved with byte order '" + order + "', only little-endian is supported");
        }
        Map<String, Pickle.StorageRef> storages = new LinkedHashMap<>();
        Pickle p = new Pickle(source, zip.bytes(entries.get(prefix + "data.pkl")).duplicate(),
                pid -> storage(source, pid, storages), null);
        Object top = p.load();
        for (Pickle.StorageRef s : storages.values()) {
            ZipArchive.Entry e = entries.get(prefix + "data/" + s.key);
            if (e == null) throw new ModelFileException(source, "is corrupt: storage '" + s.key + "' has no data entry");
            ByteBuffer d = zip.bytes(e);
            if (d.remaining() / s.dtype.byteSize() < s.numel) {
                throw new ModelFileException(source, "is corrupt: storage '" + s.key + "' claims " + s.numel
                        + " elements but its entry has " + d.remaining() + " bytes");
            }
            s.data = d;
        }
        Format format = script ? Format.TORCHSCRIPT : Format.TORCH_ZIP;
        if (script) {
            if (!(top instanceof Pickle.PyObject)) throw new ModelFileException(source, "is a TorchScript archive without a module");
            Pickle.PyObject root = (Pickle.PyObject) top;
            MapTensorStore store = new MapTensorStore(source, format);
            store.putMetadata("class_name", root.className);
            walk(source, root, "", store, new IdentityHashMap<>(), 0);
            return new Checkpoint(file, format, Map.of(Checkpoint.MAIN, store), Checkpoint.MAIN, null);
        }
        return TorchData.checkpoint(source, file, format, top);
    }

    /** A module's own tensors (parameters and buffers, in attribute order), then its children's, recursively. */
    private static void walk(String source, Pickle.PyObject m, String prefix, MapTensorStore store,
                             IdentityHashMap<Object, Boolean> seen, int depth) throws ModelFileException {
        if (depth > 200 || seen.put(m, Boolean.TRUE) != null) throw new ModelFileException(source, "is corrupt: module tree has a cycle or is too deep");
        List<Map.Entry<String, Object>> children = new ArrayList<>();
        for (Map.Entry<String, Object> e : m.attrs.entrySet()) {
            if (e.getValue() instanceof Pickle.TensorRef) {
                store.put(TorchData.materialize(source, prefix + e.getKey(), (Pickle.TensorRef) e.getValue()));
            } else if (e.getValue() instanceof Pickle.PyObject) {
                children.add(e);
            }
        }
        for (Map.Entry<String, Object> c : children) {
            walk(source, (Pickle.PyObject) c.getValue(), prefix + c.getKey() + ".", store, seen, depth + 1);
        }
    }

    /** Persistent id of a zip-format storage: {@code ('storage', type, key, location, numel)}. */
    static Pickle.StorageRef storage(String source, Object pid, Map<String, Pickle.StorageRef> storages) throws ModelFileException {
        List<?> l = Pickle.items(pid);
        if (l == null || l.size() < 5 || !"storage".equals(l.get(0))) {
            throw new ModelFileException(source, "is corrupt: unexpected persistent id " + Pickle.typeName(pid));
        }
        DType dt = storageType(source, l.get(1));
        Object key = l.get(2);
        Object numel = l.get(4);
        if (!(key instanceof String) || !(numel instanceof Integer || numel instanceof Long) || ((Number) numel).longValue() < 0) {
            throw new ModelFileException(source, "is corrupt: bad storage persistent id");
        }
        Pickle.StorageRef s = storages.get(key);
        if (s == null) {
            s = new Pickle.StorageRef((String) key, dt, ((Number) numel).longValue());
            storages.put((String) key, s);
        } else if (s.dtype != dt) {
            throw new ModelFileException(source, "is corrupt: storage '" + key + "' used with two element types");
        }
        return s;
    }

    static DType storageType(String source, Object type) throws ModelFileException {
        if (!(type instanceof Pickle.Global)) throw new ModelFileException(source, "is corrupt: storage type is a " + Pickle.typeName(type));
        String name = ((Pickle.Global) type).name();
        if (name.equals("UntypedStorage")) return DType.U8;
        DType dt = DType.fromTorchStorage(name);
        if (dt == null) throw new ModelFileException(source, "uses storage type " + name + ", which is not supported");
        return dt;
    }
}
