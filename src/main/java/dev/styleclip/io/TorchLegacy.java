package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Legacy (pre-1.6, non-zip) {@code torch.save} streams: magic-number pickle, protocol-version pickle, sys_info pickle,
 * the object pickle (storages as persistent ids {@code ('storage', type, key, location, numel, view_metadata)}), the
 * storage-key list pickle, then per key an int64 element count and the raw little-endian elements. Also the format of
 * each storage blob inside StyleGAN pickles ({@code torch.storage._load_from_bytes}). What the checkpoint holds follows
 * the rules of {@link TorchZip} (state dict → main store; other top-level entries → info).
 */
final class TorchLegacy {
    private TorchLegacy() {
    }

    /** PROTO 2, LONG1 10 bytes: 0x1950a86a20f9469cfc6c little-endian. */
    private static final byte[] MAGIC = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a,
            0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19};
    private static final java.math.BigInteger MAGIC_NUMBER = new java.math.BigInteger("1950a86a20f9469cfc6c", 16);

    /** Whether the bytes start with the legacy magic-number pickle (protocol 2 as torch writes it, or any other). */
    static boolean startsWithMagic(byte[] head) {
        if (head.length >= MAGIC.length) {
            boolean same = true;
            for (int i = 0; i < MAGIC.length; i++) same &= head[i] == MAGIC[i];
            if (same) return true;
        }
        try {
            Object first = new Pickle("head", ByteBuffer.wrap(head), null, null).load();
            return MAGIC_NUMBER.equals(first);
        } catch (ModelFileException | RuntimeException e) {
            return false;
        }
    }

    static Checkpoint read(Path file, ByteBuffer bytes) throws ModelFileException {
        String source = String.valueOf(file);
        Object top = parse(source, bytes.duplicate(), true);
        return TorchData.checkpoint(source, file, Format.TORCH_LEGACY, top);
    }

    /** Reads one legacy stream from the buffer's position; storages are resolved to slices of the buffer. */
    static Object parse(String source, ByteBuffer in, boolean allowNestedBlobs) throws ModelFileException {
        Object magic = new Pickle(source, in, null, null).load();
        if (!(magic instanceof java.math.BigInteger && magic.equals(MAGIC_NUMBER))) {
            throw new ModelFileException(source, "is not a legacy PyTorch file (wrong magic number)");
        }
        Object version = new Pickle(source, in, null, null).load();
        if (!(version instanceof Integer) || (Integer) version != 1001) {
            throw new ModelFileException(source, "has legacy PyTorch protocol version " + version + ", only 1001 is supported");
        }
        Object sys = new Pickle(source, in, null, null).load();
        if (!(sys instanceof Map) || Boolean.FALSE.equals(((Map<?, ?>) sys).get("little_endian"))) {
            throw new ModelFileException(source, "is not a little-endian legacy PyTorch file");
        }
        Map<String, Pickle.StorageRef> roots = new LinkedHashMap<>();
        Map<String, Pickle.StorageRef> views = new LinkedHashMap<>();
        Pickle.BytesLoader nested = allowNestedBlobs ? b -> storageBlob(source, b) : null;
        Object top = new Pickle(source, in, pid -> storage(source, pid, roots, views), nested).load();
        Object keys = new Pickle(source, in, null, null).load();
        if (!(keys instanceof List)) throw new ModelFileException(source, "is corrupt: storage key list is a " + Pickle.typeName(keys));
        in.order(ByteOrder.LITTLE_ENDIAN);
        for (Object k : (List<?>) keys) {
            Pickle.StorageRef s = roots.get(String.valueOf(k));
            if (s == null) throw new ModelFileException(source, "is corrupt: storage key '" + k + "' is not used by any tensor");
            if (in.remaining() < 8) throw new ModelFileException(source, "is truncated: storage '" + k + "' is missing");
            long count = in.getLong();
            long es = s.dtype.byteSize();
            if (count < 0 || count > in.remaining() / es) {
                throw new ModelFileException(source, "is truncated or corrupt: storage '" + k + "' claims " + count
                        + " elements but only " + in.remaining() + " bytes remain");
            }
            ByteBuffer d = in.slice();
            d.limit((int) (count * es));
            in.position(in.position() + (int) (count * es));
            s.data = d.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            s.numel = count;
        }
        for (Pickle.StorageRef s : roots.values()) {
            if (s.data == null) throw new ModelFileException(source, "is corrupt: storage '" + s.key + "' has no data");
        }
        return top;
    }

    /** {@code torch.storage._load_from_bytes(b)}: a legacy stream holding one storage. */
    static Pickle.StorageRef storageBlob(String source, ByteBuffer b) throws ModelFileException {
        Object o = parse(source, b, false);
        if (!(o instanceof Pickle.StorageRef)) throw new ModelFileException(source, "is corrupt: storage blob holds a " + Pickle.typeName(o));
        return (Pickle.StorageRef) o;
    }

    private static Pickle.StorageRef storage(String source, Object pid, Map<String, Pickle.StorageRef> roots,
                                             Map<String, Pickle.StorageRef> views) throws ModelFileException {
        List<?> l = Pickle.items(pid);
        if (l == null || l.size() < 5 || !"storage".equals(l.get(0))) {
            throw new ModelFileException(source, "is corrupt or unsupported: persistent id " + Pickle.typeName(pid)
                    + " (only storages are read)");
        }
        Pickle.StorageRef root = TorchZip.storage(source, l.subList(0, 5), roots);
        Object view = l.size() > 5 ? l.get(5) : null;
        if (view == null) return root;
        List<?> v = Pickle.items(view);
        if (v == null || v.size() != 3) throw new ModelFileException(source, "is corrupt: bad storage view");
        Object vkey = v.get(0);
        Object off = v.get(1);
        Object size = v.get(2);
        if (!(vkey instanceof String) || !(off instanceof Integer || off instanceof Long) || !(size instanceof Integer || size instanceof Long)) {
            throw new ModelFileException(source, "is corrupt: bad storage view");
        }
        Pickle.StorageRef s = views.get(vkey);
        if (s == null) {
            s = new Pickle.StorageRef((String) vkey, root.dtype, ((Number) size).longValue());
            s.root = root;
            s.viewOffset = ((Number) off).longValue();
            views.put((String) vkey, s);
        }
        return s;
    }
}
