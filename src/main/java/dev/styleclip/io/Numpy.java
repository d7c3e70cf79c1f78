package dev.styleclip.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** The numpy values StyleGAN pickles carry (float/int scalars, small numeric arrays), decoded without numpy. */
final class Numpy {
    private Numpy() {
    }

    /** The element type of a numpy dtype string ({@code f8}, {@code <i8}, {@code ?}, ...). */
    static DType dtype(Pickle p, Pickle.NpDtype d) throws ModelFileException {
        String s = d.descr;
        String order = d.order;
        if (!s.isEmpty() && "<>|=".indexOf(s.charAt(0)) >= 0) {
            order = s.substring(0, 1);
            s = s.substring(1);
        }
        if (order.equals(">")) throw p.fail("holds big-endian numpy data, which is not supported");
        switch (s) {
            case "f8": return DType.F64;
            case "f4": return DType.F32;
            case "f2": return DType.F16;
            case "i8": return DType.I64;
            case "i4": return DType.I32;
            case "i2": return DType.I16;
            case "i1": return DType.I8;
            case "u1": return DType.U8;
            case "u2": return DType.U16;
            case "b1": case "?": return DType.BOOL;
            default: throw p.fail("holds a numpy value of dtype '" + d.descr + "', which is not supported");
        }
    }

    /** {@code numpy.core.multiarray.scalar(dtype, bytes)} as a plain Java number or boolean. */
    static Object scalar(Pickle p, Pickle.NpDtype d, ByteBuffer raw) throws ModelFileException {
        DType t = dtype(p, d);
        if (raw.remaining() != t.byteSize()) throw p.fail("is corrupt: numpy scalar of " + d.descr + " has " + raw.remaining() + " bytes");
        return element(raw.duplicate().order(ByteOrder.LITTLE_ENDIAN), t, 0);
    }

    static Object element(ByteBuffer b, DType t, int i) {
        switch (t) {
            case F64: return b.getDouble(b.position() + i * 8);
            case F32: return (double) b.getFloat(b.position() + i * 4);
            case F16: return (double) Tensor.halfToFloat(b.getShort(b.position() + i * 2));
            case I64: return b.getLong(b.position() + i * 8);
            case I32: return b.getInt(b.position() + i * 4);
            case I16: return (int) b.getShort(b.position() + i * 2);
            case I8: return (int) b.get(b.position() + i);
            case U8: return b.get(b.position() + i) & 0xff;
            case U16: return b.getShort(b.position() + i * 2) & 0xffff;
            case BOOL: return b.get(b.position() + i) != 0;
            default: throw new IllegalStateException(t.toString());
        }
    }

    /** BUILD of an ndarray: state {@code (version, shape, dtype, is_fortran, rawdata)}. */
    static void build(Pickle p, Pickle.NpArray a, Object state) throws ModelFileException {
        List<?> st = Pickle.items(state);
        if (st == null || st.size() != 5) throw p.fail("is corrupt: bad numpy array state");
        List<?> shp = Pickle.items(st.get(1));
        if (shp == null || !(st.get(2) instanceof Pickle.NpDtype) || !(st.get(4) instanceof ByteBuffer)) {
            throw p.fail("is corrupt or unsupported: numpy array state (only numeric arrays are read)");
        }
        long[] shape = new long[shp.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            Object v = shp.get(i);
            if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) throw p.fail("is corrupt: numpy shape");
            shape[i] = ((Number) v).longValue();
            n = Math.multiplyExact(n, shape[i]);
        }
        a.dtype = (Pickle.NpDtype) st.get(2);
        DType t = dtype(p, a.dtype);
        ByteBuffer raw = (ByteBuffer) st.get(4);
        if (raw.remaining() != Math.multiplyExact(n, t.byteSize())) throw p.fail("is corrupt: numpy array data size does not match its shape");
        a.shape = shape;
        a.data = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        a.fortran = Boolean.TRUE.equals(st.get(3));
    }

    /** An array as plain data: a number for 0-d, nested lists otherwise (C order). */
    static Object toPlain(Pickle.NpArray a) {
        if (a.data == null) return List.of();
        DType t;
        try {
            t = dtype(new Pickle("numpy", ByteBuffer.allocate(0), null, null), a.dtype);
        } catch (ModelFileException e) {
            return "numpy array";
        }
        if (a.shape.length == 0) return element(a.data, t, 0);
        if (a.fortran && a.shape.length > 1) return "numpy array (Fortran order)";
        int[] idx = {0};
        return nest(a, t, 0, idx);
    }

    private static Object nest(Pickle.NpArray a, DType t, int dim, int[] idx) {
        List<Object> out = new ArrayList<>();
        for (long i = 0; i < a.shape[dim]; i++) {
            if (dim == a.shape.length - 1) out.add(element(a.data, t, idx[0]++));
            else out.add(nest(a, t, dim + 1, idx));
        }
        return out;
    }
}
