package dev.styleclip.io;

import java.util.Locale;

/** Element types that checkpoint files store. Names follow safetensors ("F32", "I64", ...). */
public enum DType {
    F64(8, true), F32(4, true), F16(2, true), BF16(2, true),
    I64(8, false), I32(4, false), I16(2, false), I8(1, false), U8(1, false), U16(2, false), BOOL(1, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    public int byteSize() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    /** The safetensors spelling of this type. */
    public String safetensorsName() {
        return name();
    }

    /** Parses a safetensors dtype name; returns null when unknown. */
    public static DType fromSafetensors(String s) {
        if (s == null) return null;
        switch (s.toUpperCase(Locale.ROOT)) {
            case "F64": return F64;
            case "F32": return F32;
            case "F16": return F16;
            case "BF16": return BF16;
            case "I64": return I64;
            case "I32": return I32;
            case "I16": return I16;
            case "I8": return I8;
            case "U8": return U8;
            case "U16": return U16;
            case "BOOL": return BOOL;
            default: return null;
        }
    }

    /** Maps a torch storage class name ("FloatStorage", "HalfStorage", ...) to a dtype; null when unknown. */
    public static DType fromTorchStorage(String storageClass) {
        switch (storageClass) {
            case "DoubleStorage": return F64;
            case "FloatStorage": return F32;
            case "HalfStorage": return F16;
            case "BFloat16Storage": return BF16;
            case "LongStorage": return I64;
            case "IntStorage": return I32;
            case "ShortStorage": return I16;
            case "CharStorage": return I8;
            case "ByteStorage": return U8;
            case "BoolStorage": return BOOL;
            default: return null;
        }
    }

    /** Maps a torch dtype name as pickled in zip-format files (e.g. "float32", "torch.float16"); null when unknown. */
    public static DType fromTorchDtype(String name) {
        String n = name.startsWith("torch.") ? name.substring(6) : name;
        switch (n) {
            case "float64": case "double": return F64;
            case "float32": case "float": return F32;
            case "float16": case "half": return F16;
            case "bfloat16": return BF16;
            case "int64": case "long": return I64;
            case "int32": case "int": return I32;
            case "int16": case "short": return I16;
            case "int8": return I8;
            case "uint8": return U8;
            case "bool": return BOOL;
            default: return null;
        }
    }
}
