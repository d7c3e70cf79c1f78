package dev.styleclip.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Test helper: writes pickle opcodes byte by byte (for hostile and synthetic files; public for other packages' tests). */
public final class PickleWriter {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter op(int b) {
        out.write(b);
        return this;
    }

    public PickleWriter raw(byte[] b) {
        out.write(b, 0, b.length);
        return this;
    }

    public PickleWriter proto(int p) {
        return op(0x80).op(p);
    }

    /** GLOBAL (protocol 0–3 style). */
    PickleWriter global(String module, String name) {
        op('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    /** STACK_GLOBAL (protocol 4). */
    PickleWriter stackGlobal(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        raw(le32(b.length));
        return raw(b);
    }

    /** Protocol-0 STRING. */
    PickleWriter str0(String s) {
        op('S');
        return raw(("'" + s + "'\n").getBytes(StandardCharsets.US_ASCII));
    }

    PickleWriter bytes(byte[] b) {
        op('B');
        raw(le32(b.length));
        return raw(b);
    }

    PickleWriter i(int v) {
        op('J');
        return raw(le32(v));
    }

    PickleWriter none() {
        return op('N');
    }

    PickleWriter bool(boolean b) {
        return op(b ? 0x88 : 0x89);
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter tuple() {
        return op('t');
    }

    PickleWriter emptyTuple() {
        return op(')');
    }

    PickleWriter tuple1() {
        return op(0x85);
    }

    PickleWriter emptyDict() {
        return op('}');
    }

    PickleWriter emptyList() {
        return op(']');
    }

    PickleWriter setitems() {
        return op('u');
    }

    PickleWriter setitem() {
        return op('s');
    }

    PickleWriter appends() {
        return op('e');
    }

    PickleWriter reduce() {
        return op('R');
    }

    PickleWriter binpersid() {
        return op('Q');
    }

    public PickleWriter stop() {
        return op('.');
    }

    /** A call of module.name with one string argument (protocol 2 GLOBAL + REDUCE). */
    public PickleWriter call(String module, String name, String arg) {
        return global(module, name).str(arg).tuple1().reduce();
    }

    public byte[] toBytes() {
        return out.toByteArray();
    }

    static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    static byte[] le64(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    /** The first three pickles of a legacy torch.save stream (magic, protocol 1001, sys_info). */
    public static byte[] legacyHeader() {
        PickleWriter w = new PickleWriter();
        w.raw(new byte[]{(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
                (byte) 0xa8, 0x50, 0x19}).stop();
        w.proto(2).i(1001).stop();
        w.proto(2).emptyDict().mark().str("protocol_version").i(1001).str("little_endian").bool(true).setitems().stop();
        return w.toBytes();
    }

    /** A legacy stream holding one float32 storage with the given values (what _load_from_bytes reads). */
    public static byte[] legacyStorage(float[] values) {
        PickleWriter w = new PickleWriter().raw(legacyHeader());
        w.proto(2).mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").i(values.length).none().tuple()
                .binpersid().stop();
        w.proto(2).emptyList().mark().str("0").appends().stop();
        w.raw(le64(values.length));
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return w.raw(b.array()).toBytes();
    }

    /** {@code _rebuild_tensor_v2(<blob storage>, 0, (n,), (1,), False, OrderedDict())} with the blob inline. */
    PickleWriter blobTensor(byte[] blob, int n) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark().global("torch.storage", "_load_from_bytes").bytes(blob).tuple1().reduce();
        i(0).mark().i(n).tuple().mark().i(1).tuple().bool(false).global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    /**
     * A minimal StyleGAN-style snapshot: {'G_ema': persistent obj of class 'Tiny' with one parameter 'w' whose storage
     * is the given legacy blob}, with the given module source text.
     */
    public static byte[] styleganPickle(byte[] blob, int n, String moduleSrc) {
        PickleWriter w = new PickleWriter().proto(4);
        w.emptyDict().str("G_ema");
        w.global("torch_utils.persistence", "_reconstruct_persistent_obj");
        w.emptyDict().mark().str("type").str("class").str("version").i(6).str("module_src").str(moduleSrc)
                .str("class_name").str("Tiny").str("state");
        w.emptyDict().mark().str("training").bool(false).str("_parameters");
        w.global("collections", "OrderedDict").emptyTuple().reduce().str("w").blobTensor(blob, n).setitem();
        w.str("_buffers").global("collections", "OrderedDict").emptyTuple().reduce();
        w.str("_modules").global("collections", "OrderedDict").emptyTuple().reduce();
        w.str("_init_args").emptyTuple().str("_init_kwargs").emptyDict().str("n").i(n).setitem();
        w.setitems(); // state
        w.setitems(); // meta
        w.tuple1().reduce();
        w.setitem().stop();
        return w.toBytes();
    }
}
