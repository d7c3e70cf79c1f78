package dev.styleclip.edit.directions;

import ai.djl.ndarray.types.DataType;

import java.util.Locale;

/**
 * The arithmetic of the global-directions preparation (StyleSpace statistics and the channel sweep: generator,
 * bicubic resize, CLIP image encoder, feature differences). {@link #FLOAT64} is the default: a channel that barely moves
 * the CLIP features has its effect (f₊ − f₋) computed from nearly equal numbers, and float32 rounding of those features
 * alone moves its relevance beyond the golden tolerance (docs/mapper-and-directions.md). {@link #FLOAT32} is about
 * twice as fast and matches the reference's float32 run only up to that rounding.
 */
public enum Precision {
    FLOAT32("float32", DataType.FLOAT32),
    FLOAT64("float64", DataType.FLOAT64);

    /** What a preparation uses unless told otherwise. */
    public static final Precision DEFAULT = FLOAT64;

    private final String id;
    private final DataType dataType;

    Precision(String id, DataType dataType) {
        this.id = id;
        this.dataType = dataType;
    }

    /** "float32" / "float64": the CLI value, the metadata value and the cache folder suffix. */
    public String id() {
        return id;
    }

    public DataType dataType() {
        return dataType;
    }

    /** The precision of networks computing in {@code t} (FLOAT32 unless float64). */
    public static Precision of(DataType t) {
        return t == DataType.FLOAT64 ? FLOAT64 : FLOAT32;
    }

    /** Parses float32 / float64 (also f32, fp32, single, f64, fp64, double; case-insensitive). */
    public static Precision parse(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "float32": case "f32": case "fp32": case "single":
                return FLOAT32;
            case "float64": case "f64": case "fp64": case "double":
                return FLOAT64;
            default:
                throw new IllegalArgumentException("unknown precision '" + s + "' (float32 or float64)");
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
