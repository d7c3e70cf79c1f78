package dev.styleclip.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One named tensor of a checkpoint: dtype, shape and row-major little-endian data.
 * The data may be materialised lazily (read from the file on first access) or held eagerly.
 */
public final class Tensor {

    /** Produces the tensor's contiguous little-endian bytes on demand. */
    @FunctionalInterface
    public interface DataSource {
        ByteBuffer read() throws ModelFileException;
    }

    private final String name;
    private final DType dtype;
    private final long[] shape;
    private final DataSource source;
    private ByteBuffer data;

    public Tensor(String name, DType dtype, long[] shape, DataSource source) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.source = source;
    }

    /** An eagerly materialised tensor over the given bytes (not copied). */
    public static Tensor of(String name, DType dtype, long[] shape, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Tensor t = new Tensor(name, dtype, shape, () -> b);
        t.data = b;
        return t;
    }

    public static Tensor ofFloats(String name, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return of(name, DType.F32, shape, b);
    }

    public static Tensor ofDoubles(String name, long[] shape, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return of(name, DType.F64, shape, b);
    }

    public static Tensor ofLongs(String name, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return of(name, DType.I64, shape, b);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The number of elements (1 for a scalar). */
    public long numel() {
        return numel(shape);
    }

    public static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n = Math.multiplyExact(n, d);
        return n;
    }

    public long byteSize() {
        return numel() * dtype.byteSize();
    }

    /** The contiguous little-endian bytes (a read-only view positioned at 0). */
    public synchronized ByteBuffer data() throws ModelFileException {
        if (data == null) {
            ByteBuffer b = source.read();
            if (b.remaining() != byteSize()) {
                throw new ModelFileException(name, "tensor data has " + b.remaining() + " bytes, expected " + byteSize());
            }
            data = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        }
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The values widened to float32 (half and bfloat16 exactly; integers converted). */
    public float[] toFloatArray() throws ModelFileException {
        ByteBuffer b = data();
        int n = Math.toIntExact(numel());
        float[] out = new float[n];
        switch (dtype) {
            case F32: b.asFloatBuffer().get(out); break;
            case F64: for (int i = 0; i < n; i++) out[i] = (float) b.getDouble(i * 8); break;
            case F16: for (int i = 0; i < n; i++) out[i] = halfToFloat(b.getShort(i * 2)); break;
            case BF16: for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16); break;
            case I64: for (int i = 0; i < n; i++) out[i] = b.getLong(i * 8); break;
            case I32: for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); break;
            case I16: for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); break;
            case U16: for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2) & 0xffff; break;
            case I8: for (int i = 0; i < n; i++) out[i] = b.get(i); break;
            case U8: case BOOL: for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; break;
            default: throw new IllegalStateException(dtype.toString());
        }
        return out;
    }

    /** The values as float64 (floats widened exactly). */
    public double[] toDoubleArray() throws ModelFileException {
        if (dtype == DType.F64) {
            double[] out = new double[Math.toIntExact(numel())];
            data().asDoubleBuffer().get(out);
            return out;
        }
        if (dtype == DType.I64) {
            long[] l = toLongArray();
            double[] out = new double[l.length];
            for (int i = 0; i < l.length; i++) out[i] = l[i];
            return out;
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    /** The values as int64 (integer types only). */
    public long[] toLongArray() throws ModelFileException {
        ByteBuffer b = data();
        int n = Math.toIntExact(numel());
        long[] out = new long[n];
        switch (dtype) {
            case I64: b.asLongBuffer().get(out); break;
            case I32: for (int i = 0; i < n; i++) out[i] = b.getInt(i * 4); break;
            case I16: for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2); break;
            case U16: for (int i = 0; i < n; i++) out[i] = b.getShort(i * 2) & 0xffff; break;
            case I8: for (int i = 0; i < n; i++) out[i] = b.get(i); break;
            case U8: case BOOL: for (int i = 0; i < n; i++) out[i] = b.get(i) & 0xff; break;
            default: throw new ModelFileException(name, "tensor is " + dtype + ", not an integer type");
        }
        return out;
    }

    /**
     * Copies this tensor into an NDArray of the manager: floating types become float32 (widened exactly),
     * F64 stays float64 only when {@code keepDouble}, integers become int64, bool stays boolean.
     */
    public NDArray toNDArray(NDManager manager, boolean keepDouble) throws ModelFileException {
        Shape s = new Shape(shape);
        switch (dtype) {
            case F64:
                if (keepDouble) return manager.create(toDoubleArray(), s);
                return manager.create(toFloatArray(), s);
            case F32: case F16: case BF16:
                return manager.create(toFloatArray(), s);
            case BOOL: {
                ByteBuffer b = data();
                boolean[] v = new boolean[Math.toIntExact(numel())];
                for (int i = 0; i < v.length; i++) v[i] = b.get(i) != 0;
                return manager.create(v, s);
            }
            default:
                return manager.create(toLongArray(), s);
        }
    }

    /** Float32 NDArray (float64 narrowed). */
    public NDArray toNDArray(NDManager manager) throws ModelFileException {
        return toNDArray(manager, false);
    }

    /** The DJL data type this tensor converts to with {@link #toNDArray(NDManager)}. */
    public DataType ndDataType() {
        if (dtype.isFloating()) return DataType.FLOAT32;
        return dtype == DType.BOOL ? DataType.BOOLEAN : DataType.INT64;
    }

    /** IEEE 754 binary16 → binary32, exact (Float.float16ToFloat is Java 20+). */
    public static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) return Float.intBitsToFloat(sign);
            // subnormal: normalise
            int e = -1;
            do {
                mant <<= 1;
                e++;
            } while ((mant & 0x400) == 0);
            mant &= 0x3ff;
            return Float.intBitsToFloat(sign | ((127 - 15 - e) << 23) | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /**
     * IEEE 754 binary32 → binary16, rounded to nearest, ties to even (Float.floatToFloat16 is Java 20+): too large
     * becomes ±infinity, too small ±0 or a subnormal; NaN stays NaN.
     */
    public static short floatToHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        int half;
        int rem;
        int mid;
        if (e <= 0) {
            if (e < -10) return (short) sign;
            int m = mant | 0x800000;
            int shift = 14 - e;
            half = m >>> shift;
            rem = m & ((1 << shift) - 1);
            mid = 1 << (shift - 1);
        } else {
            half = (e << 10) | (mant >>> 13);
            rem = mant & 0x1fff;
            mid = 0x1000;
        }
        // a carry out of the mantissa steps the exponent up, as it should (up to infinity)
        if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
        return (short) (sign | half);
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape);
    }
}
