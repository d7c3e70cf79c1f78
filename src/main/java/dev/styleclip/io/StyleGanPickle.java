package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * StyleGAN network pickles ({@code network-snapshot-*.pkl}, the official {@code stylegan3-*.pkl}), read without
 * running any of the code they embed.
 *
 * <p>The top level is a dict {@code G}, {@code D}, {@code G_ema}, {@code augment_pipe}, {@code training_set_kwargs}.
 * Each network is {@code torch_utils.persistence._reconstruct_persistent_obj(meta)}; {@code meta.state} is the module's
 * {@code __dict__}. A store's tensors are {@code module.state_dict()}: the module's {@code _parameters}, then its
 * {@code _buffers} (None entries and {@code _non_persistent_buffers_set} names left out), then each child of
 * {@code _modules} recursively, names joined with {@code .}. Storages are {@code torch.storage._load_from_bytes} blobs
 * (legacy torch streams, see {@link TorchLegacy}); their data are zero-copy slices of the file.</p>
 *
 * <p>{@link Checkpoint#objects()}: {@code G_ema} (primary), {@code G}, {@code D}, then any other persistent object of
 * the top dict (e.g. a training {@code augment_pipe}). Other top-level entries ({@code training_set_kwargs}) are
 * {@link Checkpoint#info()}. Each store's {@link TensorStore#metadata()}: {@code class_name} (String),
 * {@code init_args} (List), {@code init_kwargs} (Map; numpy scalars as plain numbers, EasyDicts as maps),
 * {@code module_src} (the embedded Python source, as text — never executed), {@code module_classes}
 * (module path → class name, root = "") and {@code module_attrs} (module path → the plain attributes the constructor
 * set, e.g. {@code sampling_rate}, {@code padding}, {@code size}; numpy arrays as lists).</p>
 */
final class StyleGanPickle {
    private StyleGanPickle() {
    }

    private static final List<String> ORDER = List.of("G_ema", "G", "D");

    static Checkpoint read(Path file, ByteBuffer bytes) throws ModelFileException {
        String source = String.valueOf(file);
        Pickle p = new Pickle(source, bytes.duplicate(), null, b -> TorchLegacy.storageBlob(source, b));
        Object top = p.load();
        if (!(top instanceof Map)) throw new ModelFileException(source, "is a pickle of a " + Pickle.typeName(top) + ", not a StyleGAN network snapshot");
        Map<?, ?> dict = (Map<?, ?>) top;
        Map<String, TensorStore> objects = new LinkedHashMap<>();
        Map<String, Object> info = new LinkedHashMap<>();
        TorchData.Plain plain = new TorchData.Plain(source);
        List<String> names = new ArrayList<>();
        for (String n : ORDER) if (dict.get(n) instanceof Pickle.PersistentObj) names.add(n);
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (e.getValue() instanceof Pickle.PersistentObj) {
                if (!names.contains(k)) names.add(k);
            } else {
                info.put(k, plain.of(e.getValue(), k));
            }
        }
        if (names.isEmpty()) {
            if (TorchData.isTensorDict(top)) return TorchData.checkpoint(source, file, Format.STYLEGAN_PICKLE, top);
            throw new ModelFileException(source, "is a pickle without StyleGAN networks (no G, D or G_ema)");
        }
        for (String n : names) objects.put(n, store(source + "[" + n + "]", source, (Pickle.PersistentObj) dict.get(n)));
        return new Checkpoint(file, Format.STYLEGAN_PICKLE, objects, names.get(0), info);
    }

    private static TensorStore store(String name, String source, Pickle.PersistentObj root) throws ModelFileException {
        MapTensorStore store = new MapTensorStore(name, Format.STYLEGAN_PICKLE);
        Map<String, Object> classes = new LinkedHashMap<>();
        Map<String, Object> attrs = new LinkedHashMap<>();
        TorchData.Plain plain = new TorchData.Plain(source);
        walk(source, root, "", store, classes, attrs, plain, new IdentityHashMap<>(), 0);
        Map<?, ?> state = state(source, root);
        store.putMetadata("class_name", String.valueOf(root.meta.get("class_name")));
        Object args = state.get("_init_args");
        Object kwargs = state.get("_init_kwargs");
        store.putMetadata("init_args", args == null ? List.of() : plain.of(args, "_init_args"));
        store.putMetadata("init_kwargs", kwargs == null ? Map.of() : plain.of(kwargs, "_init_kwargs"));
        Object src = root.meta.get("module_src");
        if (src instanceof String) store.putMetadata("module_src", src);
        store.putMetadata("module_classes", classes);
        store.putMetadata("module_attrs", attrs);
        return store;
    }

    private static Map<?, ?> state(String source, Pickle.PersistentObj o) throws ModelFileException {
        Object s = o.meta.get("state");
        if (!(s instanceof Map)) throw new ModelFileException(source, "is corrupt: persistent object " + o.meta.get("class_name") + " has no state dict");
        Object type = o.meta.get("type");
        if (type != null && !"class".equals(type)) throw new ModelFileException(source, "holds a persistent object of type '" + type + "'");
        return (Map<?, ?>) s;
    }

    private static void walk(String source, Pickle.PersistentObj m, String prefix, MapTensorStore store,
                             Map<String, Object> classes, Map<String, Object> attrs, TorchData.Plain plain,
                             IdentityHashMap<Object, Boolean> seen, int depth) throws ModelFileException {
        if (depth > 200 || seen.put(m, Boolean.TRUE) != null) throw new ModelFileException(source, "is corrupt: module tree has a cycle or is too deep");
        Map<?, ?> state = state(source, m);
        String path = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
        classes.put(path, String.valueOf(m.meta.get("class_name")));
        Map<String, Object> mine = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : state.entrySet()) {
            String k = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (k.startsWith("_") || k.equals("training") || v instanceof Pickle.TensorRef || v instanceof Pickle.PersistentObj) continue;
            mine.put(k, plain.of(v, k));
        }
        attrs.put(path, mine);
        tensors(source, state.get("_parameters"), prefix, store, Set.of());
        Object np = state.get("_non_persistent_buffers_set");
        tensors(source, state.get("_buffers"), prefix, store, np instanceof Set ? (Set<?>) np : Set.of());
        Object mods = state.get("_modules");
        if (mods instanceof Map) {
            for (Map.Entry<?, ?> e : ((Map<?, ?>) mods).entrySet()) {
                Object v = e.getValue();
                if (v == null) continue;
                if (!(v instanceof Pickle.PersistentObj)) {
                    throw new ModelFileException(source, "is corrupt: submodule '" + prefix + e.getKey() + "' is a " + Pickle.typeName(v));
                }
                walk(source, (Pickle.PersistentObj) v, prefix + e.getKey() + ".", store, classes, attrs, plain, seen, depth + 1);
            }
        }
    }

    private static void tensors(String source, Object dict, String prefix, MapTensorStore store, Set<?> skip) throws ModelFileException {
        if (dict == null) return;
        if (!(dict instanceof Map)) throw new ModelFileException(source, "is corrupt: parameters of '" + prefix + "' are a " + Pickle.typeName(dict));
        for (Map.Entry<?, ?> e : ((Map<?, ?>) dict).entrySet()) {
            Object v = e.getValue();
            if (v == null || skip.contains(e.getKey())) continue;
            if (!(v instanceof Pickle.TensorRef)) throw new ModelFileException(source, "is corrupt: '" + prefix + e.getKey() + "' is a " + Pickle.typeName(v));
            store.put(TorchData.materialize(source, prefix + e.getKey(), (Pickle.TensorRef) v));
        }
    }
}
