package dev.styleclip.io;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one restricted unpickler of the readers (protocols 0–5, the opcodes model files use).
 *
 * <p>Written from scratch instead of using Pyrolite: Pyrolite resolves globals through a static, process-wide
 * constructor table with built-in entries (and a fallback that builds a dictionary for any unknown class), its
 * {@code load_global} is package-private, and it allocates {@code BINBYTES} buffers of any claimed length. Here every
 * global is checked against {@link #ALLOWED} the moment it is named ({@code GLOBAL}, {@code STACK_GLOBAL},
 * {@code INST}, {@code OBJ}); anything else ends the read with a {@link ModelFileException} naming it. Nothing is ever
 * instantiated or called by name: each allowed global maps to a fixed piece of Java code in {@link #call}, and
 * {@code __torch__.*} classes become plain attribute bags ({@link PyObject}). Every length is checked against the
 * bytes that remain before anything is allocated, and {@code BINBYTES} values are zero-copy slices of the input.</p>
 */
final class Pickle {

    /** A global named by the pickle (only ever an allowed one). */
    record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    /** An instance of a TorchScript class ({@code __torch__.*}), kept as a bag of attributes. */
    static final class PyObject {
        final String className;
        final Map<String, Object> attrs = new LinkedHashMap<>();

        PyObject(String className) {
            this.className = className;
        }
    }

    /** A StyleGAN {@code torch_utils.persistence} object: its {@code meta} dict (type, version, module_src, class_name, state). */
    static final class PersistentObj {
        final Map<Object, Object> meta;

        PersistentObj(Map<Object, Object> meta) {
            this.meta = meta;
        }
    }

    /** A torch storage: its element type and (once known) its little-endian bytes. */
    static final class StorageRef {
        final String key;
        final DType dtype;
        long numel;
        ByteBuffer data;
        StorageRef root;
        long viewOffset;

        StorageRef(String key, DType dtype, long numel) {
            this.key = key;
            this.dtype = dtype;
            this.numel = numel;
        }
    }

    /** A tensor: a view (offset, size, stride, in elements) of a storage. */
    static final class TensorRef {
        final StorageRef storage;
        final long offset;
        final long[] size;
        final long[] stride;

        TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
            this.storage = storage;
            this.offset = offset;
            this.size = size;
            this.stride = stride;
        }
    }

    /** A numpy dtype such as {@code f8}, with its byte order ({@code <}, {@code |}, {@code =} or {@code >}). */
    static final class NpDtype {
        final String descr;
        String order = "<";

        NpDtype(String descr) {
            this.descr = descr;
        }
    }

    /** A numpy array (numeric dtypes only). */
    static final class NpArray {
        NpDtype dtype;
        long[] shape = new long[0];
        ByteBuffer data;
        boolean fortran;
    }

    /** Handles a persistent id; returns the object it stands for. */
    @FunctionalInterface
    interface PersistentLoader {
        Object load(Object pid) throws ModelFileException;
    }

    /** Handles {@code torch.storage._load_from_bytes}. */
    @FunctionalInterface
    interface BytesLoader {
        Object load(ByteBuffer bytes) throws ModelFileException;
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    /** The allow-list (module.name). {@code __torch__.*} classes are allowed too, as attribute bags. */
    static final Set<String> ALLOWED = Set.of(
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch.storage._load_from_bytes",
            "torch_utils.persistence._reconstruct_persistent_obj",
            "dnnlib.util.EasyDict", "dnnlib.EasyDict",
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
            "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct",
            "numpy.ndarray", "numpy.dtype",
            "builtins.set", "builtins.frozenset", "__builtin__.set", "__builtin__.frozenset",
            "_codecs.encode",
            "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath", "pathlib.PureWindowsPath", "pathlib.Path",
            "torch.device", "torch.Size",
            "torch.DoubleStorage", "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage",
            "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
            "torch.BoolStorage", "torch.UntypedStorage", "torch.storage.UntypedStorage");

    private final String source;
    private final ByteBuffer in;
    private final PersistentLoader persistentLoader;
    private final BytesLoader bytesLoader;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final ArrayList<Integer> marks = new ArrayList<>();
    private final HashMap<Long, Object> memo = new HashMap<>();

    /**
     * @param source      the file name for messages
     * @param in          the bytes; reading starts at its position and leaves it after STOP
     * @param persistent  persistent-id handler, or null to refuse persistent ids
     * @param bytesLoader {@code torch.storage._load_from_bytes} handler, or null to refuse it
     */
    Pickle(String source, ByteBuffer in, PersistentLoader persistent, BytesLoader bytesLoader) {
        this.source = source;
        this.in = in;
        this.persistentLoader = persistent;
        this.bytesLoader = bytesLoader;
    }

    ModelFileException fail(String what) {
        return new ModelFileException(source, what);
    }

    private ModelFileException refuse(String qualified) {
        String hint = "the file may be hostile; nothing was executed";
        if (qualified.startsWith("dnnlib.tflib.")) {
            hint = "this is a TensorFlow-era StyleGAN pickle; use the PyTorch version of the network";
        } else if (qualified.startsWith("torch.nn.") || qualified.startsWith("copyreg.")) {
            hint = "the file pickles whole Python objects; only state dicts, TorchScript archives and StyleGAN "
                    + "network pickles can be read without running code";
        }
        return fail("refuses the pickle global '" + qualified + "': not on the allow-list of model-file classes (" + hint + ")");
    }

    // ---------------------------------------------------------------- input

    private void need(long n) throws ModelFileException {
        if (n < 0 || n > in.remaining()) {
            throw fail("is truncated or corrupt: pickle needs " + n + " bytes at offset " + in.position()
                    + " but only " + in.remaining() + " remain");
        }
    }

    private int u8() throws ModelFileException {
        need(1);
        return in.get() & 0xff;
    }

    private int u16() throws ModelFileException {
        need(2);
        return (in.get() & 0xff) | (in.get() & 0xff) << 8;
    }

    private int i32() throws ModelFileException {
        need(4);
        return in.order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private long u32() throws ModelFileException {
        return i32() & 0xffffffffL;
    }

    private long i64() throws ModelFileException {
        need(8);
        return in.order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private ByteBuffer slice(long n) throws ModelFileException {
        need(n);
        ByteBuffer s = in.slice();
        s.limit((int) n);
        in.position(in.position() + (int) n);
        return s.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private byte[] bytes(long n) throws ModelFileException {
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String line() throws ModelFileException {
        int start = in.position();
        int end = start;
        while (true) {
            if (end >= in.limit()) throw fail("is truncated or corrupt: unterminated text line in pickle at offset " + start);
            if (in.get(end) == '\n') break;
            end++;
        }
        byte[] b = new byte[end - start];
        in.get(b);
        in.get();
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- stack

    private Object pop() throws ModelFileException {
        if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) >= stack.size())) {
            throw fail("is corrupt: pickle stack underflow at offset " + in.position());
        }
        Object o = stack.remove(stack.size() - 1);
        return o;
    }

    private Object peek() throws ModelFileException {
        if (stack.isEmpty()) throw fail("is corrupt: pickle stack underflow at offset " + in.position());
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() throws ModelFileException {
        if (marks.isEmpty()) throw fail("is corrupt: pickle has no MARK at offset " + in.position());
        int m = marks.remove(marks.size() - 1);
        List<Object> sub = new ArrayList<>(stack.subList(m, stack.size()));
        stack.subList(m, stack.size()).clear();
        return sub;
    }

    private static List<Object> tuple(List<Object> items) {
        return Collections.unmodifiableList(items);
    }

    private static List<Object> tuple(Object... items) {
        return Collections.unmodifiableList(Arrays.asList(items));
    }

    private void memoPut(long idx) throws ModelFileException {
        if (idx < 0) throw fail("is corrupt: negative pickle memo index");
        memo.put(idx, peek());
    }

    private Object memoGet(long idx) throws ModelFileException {
        if (!memo.containsKey(idx)) throw fail("is corrupt: pickle memo has no entry " + idx);
        return memo.get(idx);
    }

    // ---------------------------------------------------------------- main loop

    /** Reads one pickle (up to and including STOP) and returns its object. */
    Object load() throws ModelFileException {
        while (true) {
            int op = u8();
            switch (op) {
                case 0x80: { // PROTO
                    int p = u8();
                    if (p > 5) throw fail("uses pickle protocol " + p + ", which this reader does not know");
                    break;
                }
                case 0x95: // FRAME
                    i64();
                    break;
                case '.': // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        if (stack.isEmpty()) throw fail("is corrupt: pickle ends with an empty stack");
                    }
                    return stack.get(stack.size() - 1);
                case '(':
                    marks.add(stack.size());
                    break;
                case '0':
                    pop();
                    break;
                case '1':
                    popMark();
                    break;
                case '2':
                    stack.add(peek());
                    break;
                case 'N':
                    stack.add(null);
                    break;
                case 0x88:
                    stack.add(Boolean.TRUE);
                    break;
                case 0x89:
                    stack.add(Boolean.FALSE);
                    break;
                case 'J':
                    stack.add(i32());
                    break;
                case 'K':
                    stack.add(u8());
                    break;
                case 'M':
                    stack.add(u16());
                    break;
                case 0x8a: // LONG1
                    stack.add(longBytes(u8()));
                    break;
                case 0x8b: { // LONG4
                    int n = i32();
                    if (n < 0) throw fail("is corrupt: negative LONG4 length");
                    stack.add(longBytes(n));
                    break;
                }
                case 'I': { // INT (protocol 0; also True/False as 01/00)
                    String s = line().trim();
                    if (s.equals("01")) stack.add(Boolean.TRUE);
                    else if (s.equals("00")) stack.add(Boolean.FALSE);
                    else stack.add(narrow(parseInt(s)));
                    break;
                }
                case 'L': {
                    String s = line().trim();
                    if (s.endsWith("L")) s = s.substring(0, s.length() - 1);
                    stack.add(narrow(parseInt(s)));
                    break;
                }
                case 'F':
                    try {
                        stack.add(Double.parseDouble(line().trim()));
                    } catch (NumberFormatException e) {
                        throw fail("is corrupt: bad float in pickle");
                    }
                    break;
                case 'G': {
                    need(8);
                    stack.add(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    break;
                }
                case 'X': // BINUNICODE
                    stack.add(utf8(u32()));
                    break;
                case 0x8c: // SHORT_BINUNICODE
                    stack.add(utf8(u8()));
                    break;
                case 0x8d: // BINUNICODE8
                    stack.add(utf8(i64()));
                    break;
                case 'V': // UNICODE (raw-unicode-escape; ASCII in practice)
                    stack.add(line());
                    break;
                case 'T': { // BINSTRING
                    int n = i32();
                    if (n < 0) throw fail("is corrupt: negative BINSTRING length");
                    stack.add(new String(bytes(n), StandardCharsets.ISO_8859_1));
                    break;
                }
                case 'U':
                    stack.add(new String(bytes(u8()), StandardCharsets.ISO_8859_1));
                    break;
                case 'S': {
                    String s = line().trim();
                    if (s.length() >= 2 && (s.charAt(0) == '\'' || s.charAt(0) == '"')) s = s.substring(1, s.length() - 1);
                    stack.add(s);
                    break;
                }
                case 'B': // BINBYTES
                    stack.add(slice(u32()));
                    break;
                case 'C': // SHORT_BINBYTES
                    stack.add(slice(u8()));
                    break;
                case 0x8e: // BINBYTES8
                case 0x96: // BYTEARRAY8
                    stack.add(slice(i64()));
                    break;
                case 0x98: // READONLY_BUFFER
                    break;
                case 0x97:
                    throw fail("uses out-of-band pickle buffers, which model files never do");
                case ')':
                    stack.add(tuple());
                    break;
                case 0x85:
                    stack.add(tuple(pop()));
                    break;
                case 0x86: {
                    Object b = pop();
                    Object a = pop();
                    stack.add(tuple(a, b));
                    break;
                }
                case 0x87: {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    stack.add(tuple(a, b, c));
                    break;
                }
                case 't':
                    stack.add(tuple(popMark()));
                    break;
                case ']':
                    stack.add(new ArrayList<>());
                    break;
                case 'l':
                    stack.add(new ArrayList<>(popMark()));
                    break;
                case '}':
                    stack.add(new LinkedHashMap<>());
                    break;
                case 'd': {
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, items);
                    stack.add(m);
                    break;
                }
                case 0x8f:
                    stack.add(new LinkedHashSet<>());
                    break;
                case 0x91:
                    stack.add(Collections.unmodifiableSet(new LinkedHashSet<>(popMark())));
                    break;
                case 0x90: { // ADDITEMS
                    List<Object> items = popMark();
                    Object s = peek();
                    if (!(s instanceof Set)) throw fail("is corrupt: ADDITEMS on a non-set");
                    @SuppressWarnings("unchecked") Set<Object> set = (Set<Object>) s;
                    set.addAll(items);
                    break;
                }
                case 'a': {
                    Object v = pop();
                    listOf(peek()).add(v);
                    break;
                }
                case 'e': {
                    List<Object> items = popMark();
                    listOf(peek()).addAll(items);
                    break;
                }
                case 's': {
                    Object v = pop();
                    Object k = pop();
                    mapOf(peek()).put(k, v);
                    break;
                }
                case 'u': {
                    List<Object> items = popMark();
                    putPairs(mapOf(peek()), items);
                    break;
                }
                case 'p':
                    memoPut(parseInt(line().trim()).longValue());
                    break;
                case 'q':
                    memoPut(u8());
                    break;
                case 'r':
                    memoPut(u32());
                    break;
                case 0x94:
                    memoPut(memo.size());
                    break;
                case 'g':
                    stack.add(memoGet(parseInt(line().trim()).longValue()));
                    break;
                case 'h':
                    stack.add(memoGet(u8()));
                    break;
                case 'j':
                    stack.add(memoGet(u32()));
                    break;
                case 'c': { // GLOBAL
                    String module = line();
                    String name = line();
                    stack.add(global(module, name));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw fail("is corrupt: STACK_GLOBAL needs two strings");
                    }
                    stack.add(global((String) module, (String) name));
                    break;
                }
                case 'i': { // INST
                    String module = line();
                    String name = line();
                    Global g = global(module, name);
                    stack.add(instantiate(g, popMark()));
                    break;
                }
                case 'o': { // OBJ
                    List<Object> items = popMark();
                    if (items.isEmpty() || !(items.get(0) instanceof Global)) throw fail("is corrupt: OBJ without a class");
                    stack.add(instantiate((Global) items.get(0), items.subList(1, items.size())));
                    break;
                }
                case 'R': { // REDUCE
                    Object args = pop();
                    Object f = pop();
                    if (!(f instanceof Global)) throw fail("is corrupt or hostile: REDUCE calls a " + typeName(f) + ", not a global");
                    stack.add(call((Global) f, argsOf(args)));
                    break;
                }
                case 0x81: { // NEWOBJ
                    Object args = pop();
                    Object cls = pop();
                    if (!(cls instanceof Global)) throw fail("is corrupt: NEWOBJ of a " + typeName(cls));
                    stack.add(instantiate((Global) cls, argsOf(args)));
                    break;
                }
                case 0x92: { // NEWOBJ_EX
                    pop(); // kwargs
                    Object args = pop();
                    Object cls = pop();
                    if (!(cls instanceof Global)) throw fail("is corrupt: NEWOBJ_EX of a " + typeName(cls));
                    stack.add(instantiate((Global) cls, argsOf(args)));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    build(peek(), state);
                    break;
                }
                case 'P': { // PERSID
                    String pid = line();
                    stack.add(persistent(pid));
                    break;
                }
                case 'Q':
                    stack.add(persistent(pop()));
                    break;
                case 0x82: case 0x83: case 0x84:
                    throw fail("uses the pickle extension registry (EXT opcodes), which is refused");
                default:
                    throw fail("is corrupt: unknown pickle opcode 0x" + Integer.toHexString(op) + " at offset " + (in.position() - 1));
            }
        }
    }

    private String utf8(long n) throws ModelFileException {
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private Number longBytes(int n) throws ModelFileException {
        byte[] b = bytes(n);
        if (n == 0) return 0;
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) be[i] = b[n - 1 - i];
        return narrow(new BigInteger(be));
    }

    private BigInteger parseInt(String s) throws ModelFileException {
        try {
            return new BigInteger(s);
        } catch (NumberFormatException e) {
            throw fail("is corrupt: bad integer text in pickle");
        }
    }

    private static Number narrow(BigInteger v) {
        if (v.bitLength() < 32) return v.intValue();
        if (v.bitLength() < 64) return v.longValue();
        return v;
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) throws ModelFileException {
        if (items.size() % 2 != 0) throw fail("is corrupt: odd number of dict items in pickle");
        for (int i = 0; i < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
    }

    @SuppressWarnings("unchecked")
    private List<Object> listOf(Object o) throws ModelFileException {
        if (o instanceof ArrayList) return (List<Object>) o;
        throw fail("is corrupt: APPEND to a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> mapOf(Object o) throws ModelFileException {
        if (o instanceof LinkedHashMap) return (Map<Object, Object>) o;
        throw fail("is corrupt: SETITEM on a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> argsOf(Object o) throws ModelFileException {
        if (o instanceof List) return (List<Object>) o;
        throw fail("is corrupt: call arguments are a " + typeName(o) + ", not a tuple");
    }

    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Global) return "global " + ((Global) o).qualified();
        if (o instanceof PyObject) return ((PyObject) o).className;
        return o.getClass().getSimpleName();
    }

    private Object persistent(Object pid) throws ModelFileException {
        if (persistentLoader == null) throw fail("has a persistent id where none is expected");
        return persistentLoader.load(pid);
    }

    // ---------------------------------------------------------------- globals

    private static boolean isTorchScriptClass(String module) {
        return module.equals("__torch__") || module.startsWith("__torch__.");
    }

    private Global global(String module, String name) throws ModelFileException {
        String q = module + "." + name;
        if (ALLOWED.contains(q)) return new Global(module, name);
        if (isTorchScriptClass(module) && !name.isEmpty() && name.indexOf('.') < 0) return new Global(module, name);
        throw refuse(q);
    }

    /** NEWOBJ / INST / OBJ: only classes that are plain containers. */
    private Object instantiate(Global g, List<Object> args) throws ModelFileException {
        String q = g.qualified();
        if (isTorchScriptClass(g.module())) return new PyObject(q);
        switch (q) {
            case "dnnlib.util.EasyDict":
            case "dnnlib.EasyDict":
            case "collections.OrderedDict":
                return call(new Global("collections", "OrderedDict"), args);
            default:
                return call(g, args);
        }
    }

    private Object arg(List<Object> args, int i, String what) throws ModelFileException {
        if (i >= args.size()) throw fail("is corrupt: " + what + " gets too few arguments");
        return args.get(i);
    }

    private long longArg(List<Object> args, int i, String what) throws ModelFileException {
        Object o = arg(args, i, what);
        if (o instanceof Integer || o instanceof Long) return ((Number) o).longValue();
        throw fail("is corrupt: " + what + " argument " + i + " is a " + typeName(o) + ", not an int");
    }

    private long[] longsArg(List<Object> args, int i, String what) throws ModelFileException {
        Object o = arg(args, i, what);
        if (!(o instanceof List)) throw fail("is corrupt: " + what + " argument " + i + " is not a tuple");
        List<?> l = (List<?>) o;
        if (l.size() > 64) throw fail("is corrupt: " + what + " has " + l.size() + " dimensions");
        long[] r = new long[l.size()];
        for (int k = 0; k < r.length; k++) {
            Object v = l.get(k);
            if (!(v instanceof Integer || v instanceof Long)) throw fail("is corrupt: " + what + " has a non-integer dimension");
            r[k] = ((Number) v).longValue();
        }
        return r;
    }

    /** REDUCE of an allowed global: fixed Java code per global, nothing looked up by name. */
    private Object call(Global g, List<Object> args) throws ModelFileException {
        String q = g.qualified();
        switch (q) {
            case "collections.OrderedDict": {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    Object src = args.get(0);
                    if (src instanceof Map) {
                        m.putAll((Map<?, ?>) src);
                    } else if (src instanceof List) {
                        for (Object pair : (List<?>) src) {
                            if (!(pair instanceof List) || ((List<?>) pair).size() != 2) {
                                throw fail("is corrupt: OrderedDict item is not a pair");
                            }
                            m.put(((List<?>) pair).get(0), ((List<?>) pair).get(1));
                        }
                    } else if (src != null) {
                        throw fail("is corrupt: OrderedDict built from a " + typeName(src));
                    }
                }
                return m;
            }
            case "dnnlib.util.EasyDict":
            case "dnnlib.EasyDict":
                return call(new Global("collections", "OrderedDict"), args);
            case "torch._utils._rebuild_tensor":
            case "torch._utils._rebuild_tensor_v2": {
                Object s = arg(args, 0, q);
                if (!(s instanceof StorageRef)) throw fail("is corrupt: tensor storage is a " + typeName(s));
                long off = longArg(args, 1, q);
                long[] size = longsArg(args, 2, q);
                long[] stride = longsArg(args, 3, q);
                if (size.length != stride.length) throw fail("is corrupt: tensor size and stride differ in rank");
                return new TensorRef((StorageRef) s, off, size, stride);
            }
            case "torch._utils._rebuild_parameter":
            case "torch._utils._rebuild_parameter_with_state": {
                Object t = arg(args, 0, q);
                if (!(t instanceof TensorRef)) throw fail("is corrupt: parameter data is a " + typeName(t));
                return t;
            }
            case "torch.storage._load_from_bytes": {
                Object b = arg(args, 0, q);
                if (!(b instanceof ByteBuffer)) throw fail("is corrupt: _load_from_bytes of a " + typeName(b));
                if (bytesLoader == null) throw fail("has a nested storage blob where none is allowed");
                return bytesLoader.load(((ByteBuffer) b).duplicate());
            }
            case "torch_utils.persistence._reconstruct_persistent_obj": {
                Object m = arg(args, 0, q);
                if (!(m instanceof Map)) throw fail("is corrupt: persistent object meta is a " + typeName(m));
                @SuppressWarnings("unchecked") Map<Object, Object> meta = (Map<Object, Object>) m;
                return new PersistentObj(meta);
            }
            case "numpy.dtype": {
                Object d = arg(args, 0, q);
                if (!(d instanceof String)) throw fail("is corrupt: numpy dtype " + typeName(d));
                return new NpDtype((String) d);
            }
            case "numpy.core.multiarray.scalar":
            case "numpy._core.multiarray.scalar": {
                Object d = arg(args, 0, q);
                Object b = arg(args, 1, q);
                if (!(d instanceof NpDtype) || !(b instanceof ByteBuffer)) throw fail("is corrupt: bad numpy scalar");
                return Numpy.scalar(this, (NpDtype) d, (ByteBuffer) b);
            }
            case "numpy.core.multiarray._reconstruct":
            case "numpy._core.multiarray._reconstruct": {
                return new NpArray();
            }
            case "builtins.set": case "builtins.frozenset": case "__builtin__.set": case "__builtin__.frozenset": {
                Set<Object> s = new LinkedHashSet<>();
                if (!args.isEmpty() && args.get(0) instanceof java.util.Collection) s.addAll((java.util.Collection<?>) args.get(0));
                return s;
            }
            case "_codecs.encode": {
                Object s = arg(args, 0, q);
                if (!(s instanceof String)) throw fail("is corrupt: _codecs.encode of a " + typeName(s));
                return ByteBuffer.wrap(((String) s).getBytes(StandardCharsets.ISO_8859_1)).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
            }
            case "pathlib.PosixPath": case "pathlib.WindowsPath": case "pathlib.PurePosixPath":
            case "pathlib.PureWindowsPath": case "pathlib.Path": {
                List<Object> parts = new ArrayList<>();
                StringBuilder sb = new StringBuilder();
                for (Object p : args) {
                    if (!(p instanceof String)) throw fail("is corrupt: path part is a " + typeName(p));
                    String s = (String) p;
                    parts.add(s);
                    if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '/' && sb.charAt(sb.length() - 1) != '\\') sb.append('/');
                    sb.append(s);
                }
                Map<Object, Object> m = new LinkedHashMap<>();
                m.put("__class__", q);
                m.put("parts", parts);
                m.put("str", sb.length() == 0 ? "." : sb.toString());
                return m;
            }
            case "torch.device":
                return args.isEmpty() ? "cpu" : String.valueOf(args.get(0)) + (args.size() > 1 ? ":" + args.get(1) : "");
            case "torch.Size":
                return args.isEmpty() ? tuple() : args.get(0);
            default:
                throw fail("calls '" + q + "', which is refused (a " + (isTorchScriptClass(g.module()) ? "TorchScript class" : "type name")
                        + " cannot be called)");
        }
    }

    private void build(Object target, Object state) throws ModelFileException {
        if (target instanceof PyObject) {
            Object st = state;
            if (st instanceof List && ((List<?>) st).size() == 2) st = ((List<?>) st).get(0);
            if (st instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) st).entrySet()) {
                    ((PyObject) target).attrs.put(String.valueOf(e.getKey()), e.getValue());
                }
            } else if (st != null) {
                throw fail("is corrupt: state of " + ((PyObject) target).className + " is a " + typeName(st));
            }
        } else if (target instanceof NpDtype) {
            if (state instanceof List && ((List<?>) state).size() > 1 && ((List<?>) state).get(1) instanceof String) {
                ((NpDtype) target).order = (String) ((List<?>) state).get(1);
            }
        } else if (target instanceof NpArray) {
            Numpy.build(this, (NpArray) target, state);
        } else if (target instanceof Map || target instanceof TensorRef || target instanceof PersistentObj
                || target instanceof Set) {
            // OrderedDict _metadata, EasyDict attribute state, tensor state: not needed
        } else {
            throw fail("is corrupt: BUILD on a " + typeName(target));
        }
    }
}
