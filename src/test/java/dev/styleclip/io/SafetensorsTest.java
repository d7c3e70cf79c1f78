package dev.styleclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @Test
    void roundTripKeepsNamesShapesDtypesAndValues(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.safetensors");
        ByteBuffer half = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0x3c00).putShort((short) 0xc000);
        half.flip();
        Safetensors.write(f, List.of(
                Tensor.ofFloats("a.weight", new long[]{2, 3}, new float[]{1, 2, 3, 4, 5, 6}),
                Tensor.ofLongs("step", new long[]{}, new long[]{42}),
                Tensor.of("h", DType.F16, new long[]{2}, half)), Map.of("prompt", "lush beard"));
        assertEquals(Format.SAFETENSORS, ModelFiles.detect(f));
        TensorStore s = ModelFiles.openStore(f);
        assertEquals(List.of("a.weight", "step", "h"), s.names());
        assertArrayEquals(new long[]{2, 3}, s.get("a.weight").shape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, s.get("a.weight").toFloatArray());
        assertEquals(42, s.get("step").toLongArray()[0]);
        assertEquals(0, s.get("step").rank());
        assertArrayEquals(new float[]{1f, -2f}, s.get("h").toFloatArray());
        assertEquals("lush beard", s.metadata().get("prompt"));
        assertTrue(Files.list(dir).noneMatch(p -> p.toString().endsWith(".partial")), "no temp file left");
    }

    @Test
    void atomicWritesAreReadableByOthersAndKeepExistingPermissions(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("out.png");
        AtomicFiles.writeString(f, "one");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        AtomicFiles.writeString(f, "two");
        assertEquals("two", Files.readString(f));
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    }

    @Test
    void halfWideningIsExact() {
        assertEquals(65504f, Tensor.halfToFloat((short) 0x7bff));
        assertEquals(5.9604645e-8f, Tensor.halfToFloat((short) 0x0001));
        assertEquals(6.097555e-5f, Tensor.halfToFloat((short) 0x03ff));
        assertTrue(Float.isNaN(Tensor.halfToFloat((short) 0x7e00)));
        assertEquals(Float.NEGATIVE_INFINITY, Tensor.halfToFloat((short) 0xfc00));
        assertEquals(-0f, Tensor.halfToFloat((short) 0x8000));
    }

    @Test
    void halfNarrowingRoundsToNearestEven() {
        // every finite half survives the round trip, and every float becomes the nearest half (ties to the even one)
        for (int h = 0; h < 0x10000; h++) {
            float f = Tensor.halfToFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Tensor.halfToFloat(Tensor.floatToHalf(f))));
                continue;
            }
            assertEquals((short) h, Tensor.floatToHalf(f), "half 0x" + Integer.toHexString(h));
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) (rnd.nextGaussian() * Math.pow(2, rnd.nextInt(-30, 18)));
            float got = Tensor.halfToFloat(Tensor.floatToHalf(f));
            if (i % 5000 == 0 && Math.abs(f) <= 65504) {
                assertEquals(nearestHalfDistance(f), Math.abs(got - (double) f), 0, "nearest half to " + f);
            }
            if (Math.abs(f) < 65504 && Math.abs(f) > 6.2e-5) {
                assertTrue(Math.abs(got - f) <= Math.abs(f) * Math.pow(2, -11), f + " -> " + got);
            }
        }
        assertEquals(Float.POSITIVE_INFINITY, Tensor.halfToFloat(Tensor.floatToHalf(70000f)));
        assertEquals(0x3c00, Tensor.floatToHalf(1.0004883f)); // halfway between 1 and 1 + 2^-10: to the even one
        assertEquals(0x3c02, Tensor.floatToHalf(1.0024414f)); // halfway between 1 + 2^-10 and 1 + 2^-9: up to the even
        assertEquals(0x0001, Tensor.floatToHalf(5.9604645e-8f));
        assertEquals(0x0000, Tensor.floatToHalf(2.9802322e-8f)); // half the smallest subnormal: to even zero
        assertEquals((short) 0x8000, Tensor.floatToHalf(-1e-10f));
    }

    /** The distance from f to the nearest finite half, by trying them all. */
    private static double nearestHalfDistance(float f) {
        double best = Double.POSITIVE_INFINITY;
        for (int h = 0; h < 0x10000; h++) {
            float c = Tensor.halfToFloat((short) h);
            if (Float.isFinite(c)) best = Math.min(best, Math.abs(c - (double) f));
        }
        return best;
    }

    @Test
    void headerClaimingMoreThanTheFileIsRefused(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.safetensors");
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000000,1000],\"data_offsets\":[0,4000000000000]}}";
        ByteBuffer b = ByteBuffer.allocate(8 + header.length() + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length()).put(header.getBytes()).put(new byte[16]);
        Files.write(f, b.array());
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.openStore(f));
        assertTrue(e.getMessage().contains("bad.safetensors"), e.getMessage());
    }

    /** Header lies that a lenient reader accepts: two tensors sharing bytes, one tensor named twice. */
    @Test
    void overlappingRangesAndDuplicateNamesAreRefused(@TempDir Path dir) throws Exception {
        Path overlap = HostileInputs.safetensors(dir, "overlap.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"z\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.openStore(overlap));
        assertTrue(e.getMessage().contains("overlap (bytes 8 to 16 belong to two tensors)"), e.getMessage());
        Path twice = HostileInputs.safetensors(dir, "twice.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16);
        e = assertThrows(ModelFileException.class, () -> ModelFiles.openStore(twice));
        assertTrue(e.getMessage().contains("Duplicate field 'a'"), e.getMessage());
        Path fine = HostileInputs.safetensors(dir, "fine.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 16);
        assertEquals(3, ModelFiles.openStore(fine).names().size());
    }
}
