package dev.styleclip.io;

import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one restricted unpickler of the readers, built on Pyrolite ({@code net.razorvine:pickle}, {@link Unpickler}).
 *
 * <p>Pyrolite does the opcode machinery: the stack and its marks, the memo, tuples ({@code Object[]}), lists, sets,
 * ints, floats, text-line opcodes, {@code PROTO}, {@code STOP}. This subclass overrides {@link #dispatch} only where
 * safety or the model formats need it, and never hands those opcodes on to {@code super.dispatch}:</p>
 * <ul>
 *   <li>Globals ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code INST}, {@code OBJ}) are checked against {@link #ALLOWED}
 *   the moment they are named; anything else ends the read with a {@link ModelFileException} naming it. An allowed
 *   global becomes a {@link Global} marker (not a Pyrolite {@code IObjectConstructor}), so Pyrolite's static,
 *   process-wide constructor table, its built-in entries ({@code bytearray}, {@code datetime}, {@code decimal},
 *   {@code copy_reg._reconstructor}, ...) and its fallback that builds a dictionary for any unknown class are never
 *   consulted. {@code Unpickler.registerConstructor} is not used (it would change every unpickler in the process).</li>
 *   <li>Calls ({@code REDUCE}, {@code NEWOBJ}, {@code NEWOBJ_EX}) and {@code BUILD} run a fixed piece of Java code per
 *   allowed global ({@link #call}, {@link #build}); nothing is instantiated, called or reflected on by name (Pyrolite's
 *   own {@code BUILD} would invoke a {@code __setstate__} method found by reflection). {@code __torch__.*} classes
 *   become plain attribute bags ({@link PyObject}).</li>
 *   <li>Every length-carrying opcode ({@code BINBYTES}, {@code SHORT_BINBYTES}, {@code BINBYTES8}, {@code BYTEARRAY8},
 *   {@code BINUNICODE}, {@code BINUNICODE8}, {@code BINSTRING}, {@code LONG4}, {@code FRAME}) has its claimed length
 *   checked against the bytes that remain before anything is allocated (Pyrolite allocates first). Bytes values are
 *   zero-copy read-only {@link ByteBuffer} slices of the input, which is this class's own stream over a (mapped)
 *   buffer, so a storage blob is never copied onto the heap. A text {@code LONG} longer than CPython's 4,300-digit
 *   limit is refused before Pyrolite parses it (parsing is quadratic in the number of digits).</li>
 *   <li>Dicts ({@code EMPTY_DICT}, {@code DICT}, {@code SETITEMS}) are insertion-ordered {@link LinkedHashMap}s as in
 *   Python (Pyrolite uses {@code HashMap}s, and its {@code SETITEMS} loses order even on an ordered map): state-dict
 *   and module attribute order is part of the model formats.</li>
 *   <li>{@code APPENDS} and {@code POP_MARK}: Pyrolite trims the whole list, or the whole stack, to size after each
 *   one, so a file of many small batches takes time quadratic in its size (a 1 MB pickle ran for 30 s); here they are
 *   linear, as in CPython.</li>
 *   <li>Persistent ids ({@code PERSID}, {@code BINPERSID}) go through {@link #persistentLoad} to the reader's handler.</li>
 * </ul>
 * <p>Whatever Pyrolite's own opcodes throw on corrupt input (stack underflow, a missing mark, a value of the wrong kind,
 * a bad memo key, end of input) ends in a {@link ModelFileException} naming the file, the opcode and its offset.</p>
 */
final class Pickle extends Unpickler {

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
    /** The opcode being dispatched and its offset, for messages. */
    private int op = -1;
    private int opOffset;

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

    /** Reads one pickle (up to and including STOP) and returns its object. */
    Object load() throws ModelFileException {
        try {
            return load(new BufferInput(in));
        } catch (ModelFileException e) {
            throw e;
        } catch (Wrapped e) {
            throw e.problem;
        } catch (IOException e) {
            throw new ModelFileException(source, "is truncated or corrupt: pickle input ends at offset " + in.position()
                    + " (" + firstLine(e) + ")", e);
        } catch (RuntimeException e) {
            String what = e instanceof IndexOutOfBoundsException && !(e instanceof StringIndexOutOfBoundsException) ? "is corrupt: pickle " + where() + ": stack underflow or missing MARK"
                    : e instanceof ClassCastException ? "is corrupt: pickle " + where() + " is applied to the wrong kind of value"
                    : "is corrupt or unsupported: pickle " + where() + ": " + firstLine(e);
            throw new ModelFileException(source, what, e);
        } catch (StackOverflowError e) {
            // hashing a list that contains itself (used as a dict key or set item)
            throw fail("is corrupt: pickle " + where() + " builds a self-referencing or too deeply nested key");
        } finally {
            close();
        }
    }

    private String where() {
        return "opcode 0x" + Integer.toHexString(op) + " at offset " + opOffset;
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    // ---------------------------------------------------------------- input

    /** The pickle as a stream for Pyrolite: reads advance the buffer itself, so its position is the stream's. */
    private static final class BufferInput extends InputStream {
        private final ByteBuffer b;

        BufferInput(ByteBuffer b) {
            this.b = b;
        }

        @Override
        public int read() {
            return b.hasRemaining() ? b.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            if (len == 0) return 0;
            if (!b.hasRemaining()) return -1;
            int n = Math.min(len, b.remaining());
            b.get(dst, off, n);
            return n;
        }

        @Override
        public int available() {
            return b.remaining();
        }
    }

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

    /** {@code n} bytes as a read-only slice of the input (no copy). */
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

    /** Whether the text line at the position runs on for more than {@code max} bytes (looks no further). */
    private boolean lineLongerThan(int max) {
        int end = (int) Math.min(in.limit(), (long) in.position() + max + 1);
        for (int i = in.position(); i < end; i++) if (in.get(i) == '\n') return false;
        return end - in.position() > max;
    }

    // ---------------------------------------------------------------- opcodes

    /** CPython's default {@code sys.int_info.default_max_str_digits}, which its unpickler applies to text ints. */
    private static final int MAX_LONG_DIGITS = 4300;

    @Override
    protected Object dispatch(short key) throws IOException {
        op = key;
        opOffset = in.position() - 1;
        switch (key) {
            // globals: the allow-list, never Pyrolite's constructor table
            case Opcodes.GLOBAL: {
                String module = line();
                String name = line();
                stack.add(global(module, name));
                break;
            }
            case Opcodes.STACK_GLOBAL: {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String) || !(name instanceof String)) {
                    throw fail("is corrupt: STACK_GLOBAL needs two strings");
                }
                stack.add(global((String) module, (String) name));
                break;
            }
            case Opcodes.INST: {
                String module = line();
                String name = line();
                Global g = global(module, name);
                stack.add(instantiate(g, stack.pop_all_since_marker()));
                break;
            }
            case Opcodes.OBJ: {
                List<Object> items = stack.pop_all_since_marker();
                if (items.isEmpty() || !(items.get(0) instanceof Global)) throw fail("is corrupt: OBJ without a class");
                stack.add(instantiate((Global) items.get(0), items.subList(1, items.size())));
                break;
            }
            // calls and state: fixed Java code per allowed global
            case Opcodes.REDUCE: {
                Object args = stack.pop();
                Object f = stack.pop();
                if (!(f instanceof Global)) throw fail("is corrupt or hostile: REDUCE calls a " + typeName(f) + ", not a global");
                stack.add(call((Global) f, argsOf(args)));
                break;
            }
            case Opcodes.NEWOBJ: {
                Object args = stack.pop();
                Object cls = stack.pop();
                if (!(cls instanceof Global)) throw fail("is corrupt: NEWOBJ of a " + typeName(cls));
                stack.add(instantiate((Global) cls, argsOf(args)));
                break;
            }
            case Opcodes.NEWOBJ_EX: {
                stack.pop(); // kwargs
                Object args = stack.pop();
                Object cls = stack.pop();
                if (!(cls instanceof Global)) throw fail("is corrupt: NEWOBJ_EX of a " + typeName(cls));
                stack.add(instantiate((Global) cls, argsOf(args)));
                break;
            }
            case Opcodes.BUILD: {
                Object state = stack.pop();
                build(stack.peek(), state);
                break;
            }
            // dicts keep insertion order
            case Opcodes.EMPTY_DICT:
                stack.add(new LinkedHashMap<>());
                break;
            case Opcodes.DICT: {
                Map<Object, Object> m = new LinkedHashMap<>();
                putPairs(m, stack.pop_all_since_marker());
                stack.add(m);
                break;
            }
            case Opcodes.SETITEMS: {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof Map)) throw fail("is corrupt: SETITEMS on a " + typeName(target));
                @SuppressWarnings("unchecked") Map<Object, Object> m = (Map<Object, Object>) target;
                putPairs(m, items);
                break;
            }
            // Pyrolite trims the whole list (APPENDS) or the whole stack (POP_MARK) to size each time: quadratic
            case Opcodes.APPENDS: {
                List<Object> items = stack.pop_all_since_marker();
                Object target = stack.peek();
                if (!(target instanceof ArrayList)) throw fail("is corrupt: APPENDS to a " + typeName(target));
                @SuppressWarnings("unchecked") List<Object> l = (List<Object>) target;
                l.addAll(items);
                break;
            }
            case Opcodes.POP_MARK:
                stack.pop_all_since_marker();
                break;
            // lengths checked before allocating; bytes are slices of the input
            case Opcodes.BINBYTES:
                stack.add(slice(u32()));
                break;
            case Opcodes.SHORT_BINBYTES:
                stack.add(slice(u8()));
                break;
            case Opcodes.BINBYTES8:
            case Opcodes.BYTEARRAY8:
                stack.add(slice(i64()));
                break;
            case Opcodes.BINUNICODE:
                stack.add(new String(bytes(u32()), StandardCharsets.UTF_8));
                break;
            case Opcodes.BINUNICODE8:
                stack.add(new String(bytes(i64()), StandardCharsets.UTF_8));
                break;
            case Opcodes.BINSTRING: {
                int n = i32();
                if (n < 0) throw fail("is corrupt: negative BINSTRING length");
                stack.add(new String(bytes(n), StandardCharsets.ISO_8859_1));
                break;
            }
            case Opcodes.LONG4: {
                int n = i32();
                if (n < 0) throw fail("is corrupt: negative LONG4 length");
                stack.add(PickleUtils.decode_long(bytes(n)));
                break;
            }
            case Opcodes.FRAME:
                need(i64());
                break;
            case Opcodes.LONG: // text int: parsing is quadratic in its length, so CPython's digit limit applies
                if (lineLongerThan(MAX_LONG_DIGITS + 2)) throw fail("is corrupt: pickle LONG at offset " + opOffset
                        + " has more than " + MAX_LONG_DIGITS + " digits");
                return super.dispatch(key);
            default:
                return super.dispatch(key);
        }
        return NO_RETURN_VALUE;
    }

    /** Carries a reader's refusal of a persistent id through Pyrolite, which declares no checked exception there. */
    private static final class Wrapped extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient ModelFileException problem;

        Wrapped(ModelFileException problem) {
            super(problem.getMessage(), null, false, false);
            this.problem = problem;
        }
    }

    @Override
    protected Object persistentLoad(Object pid) {
        try {
            if (persistentLoader == null) throw fail("has a persistent id where none is expected");
            return persistentLoader.load(pid);
        } catch (ModelFileException e) {
            throw new Wrapped(e);
        }
    }

    private void putPairs(Map<Object, Object> m, List<Object> items) throws ModelFileException {
        if (items.size() % 2 != 0) throw fail("is corrupt: odd number of dict items in pickle");
        for (int i = 0; i < items.size(); i += 2) m.put(items.get(i), items.get(i + 1));
    }

    /** A tuple ({@code Object[]} from Pyrolite) or list as a list; null for anything else. */
    static List<?> items(Object o) {
        if (o instanceof Object[]) return Arrays.asList((Object[]) o);
        if (o instanceof List) return (List<?>) o;
        return null;
    }

    private List<?> argsOf(Object o) throws ModelFileException {
        List<?> l = items(o);
        if (l == null) throw fail("is corrupt: call arguments are a " + typeName(o) + ", not a tuple");
        return l;
    }

    static String typeName(Object o) {
        if (o == null) return "None";
        if (o instanceof Global) return "global " + ((Global) o).qualified();
        if (o instanceof PyObject) return ((PyObject) o).className;
        if (o instanceof Object[]) return "tuple";
        if (o.getClass() == Object.class) return "MARK";
        return o.getClass().getSimpleName();
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
    private Object instantiate(Global g, List<?> args) throws ModelFileException {
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

    private Object arg(List<?> args, int i, String what) throws ModelFileException {
        if (i >= args.size()) throw fail("is corrupt: " + what + " gets too few arguments");
        return args.get(i);
    }

    private long longArg(List<?> args, int i, String what) throws ModelFileException {
        Object o = arg(args, i, what);
        if (o instanceof Integer || o instanceof Long) return ((Number) o).longValue();
        throw fail("is corrupt: " + what + " argument " + i + " is a " + typeName(o) + ", not an int");
    }

    private long[] longsArg(List<?> args, int i, String what) throws ModelFileException {
        List<?> l = items(arg(args, i, what));
        if (l == null) throw fail("is corrupt: " + what + " argument " + i + " is not a tuple");
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
    private Object call(Global g, List<?> args) throws ModelFileException {
        String q = g.qualified();
        switch (q) {
            case "collections.OrderedDict": {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty()) {
                    Object src = args.get(0);
                    if (src instanceof Map) {
                        m.putAll((Map<?, ?>) src);
                    } else if (items(src) != null) {
                        for (Object pair : items(src)) {
                            List<?> kv = items(pair);
                            if (kv == null || kv.size() != 2) throw fail("is corrupt: OrderedDict item is not a pair");
                            m.put(kv.get(0), kv.get(1));
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
            case "numpy._core.multiarray._reconstruct":
                return new NpArray();
            case "builtins.set": case "builtins.frozenset": case "__builtin__.set": case "__builtin__.frozenset": {
                Set<Object> s = new LinkedHashSet<>();
                if (!args.isEmpty()) {
                    Object src = args.get(0);
                    if (src instanceof Collection) s.addAll((Collection<?>) src);
                    else if (src instanceof Object[]) s.addAll(Arrays.asList((Object[]) src));
                }
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
                return args.isEmpty() ? new Object[0] : args.get(0);
            default:
                throw fail("calls '" + q + "', which is refused (a " + (isTorchScriptClass(g.module()) ? "TorchScript class" : "type name")
                        + " cannot be called)");
        }
    }

    private void build(Object target, Object state) throws ModelFileException {
        if (target instanceof PyObject) {
            Object st = state;
            List<?> pair = items(st);
            if (pair != null && pair.size() == 2) st = pair.get(0); // (dict, slots)
            if (st instanceof Map) {
                for (Map.Entry<?, ?> e : ((Map<?, ?>) st).entrySet()) {
                    ((PyObject) target).attrs.put(String.valueOf(e.getKey()), e.getValue());
                }
            } else if (st != null) {
                throw fail("is corrupt: state of " + ((PyObject) target).className + " is a " + typeName(st));
            }
        } else if (target instanceof NpDtype) {
            List<?> st = items(state);
            if (st != null && st.size() > 1 && st.get(1) instanceof String) ((NpDtype) target).order = (String) st.get(1);
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
