package dev.styleclip.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Storage offsets, strides, shared storages and legacy storage views give the right contiguous tensors. */
class StorageViewsTest {

    static PickleWriter tensor(PickleWriter w, String viewKey, int viewOffset, int viewSize, int offset, int[] size, int[] stride) {
        w.global("torch._utils", "_rebuild_tensor_v2").mark();
        w.mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").i(6);
        if (viewKey == null) w.none();
        else w.mark().str(viewKey).i(viewOffset).i(viewSize).tuple();
        w.tuple().binpersid();
        w.i(offset).mark();
        for (int s : size) w.i(s);
        w.tuple().mark();
        for (int s : stride) w.i(s);
        w.tuple().bool(false).none().tuple().reduce();
        return w;
    }

    static byte[] legacyFile(boolean badStride) {
        PickleWriter w = new PickleWriter().raw(PickleWriter.legacyHeader()).proto(2);
        w.global("collections", "OrderedDict").emptyTuple().reduce().mark();
        w.str("a");
        tensor(w, null, 0, 0, 0, new int[]{2, 3}, new int[]{3, 1});
        w.str("b_transposed");
        tensor(w, null, 0, 0, 0, new int[]{3, 2}, new int[]{1, badStride ? 4 : 3});
        w.str("c_strided");
        tensor(w, null, 0, 0, 2, new int[]{2}, new int[]{2});
        w.str("d_view");
        tensor(w, "v", 3, 3, 1, new int[]{2}, new int[]{1});
        w.str("e_scalar");
        tensor(w, null, 0, 0, 5, new int[]{}, new int[]{});
        w.setitems().stop();
        w.proto(2).emptyList().mark().str("0").appends().stop();
        w.raw(PickleWriter.le64(6));
        ByteBuffer b = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) b.putFloat(i);
        return w.raw(b.array()).toBytes();
    }

    @Test
    void viewsBecomeContiguousTensors(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("views.pth"), legacyFile(false));
        Checkpoint cp = ModelFiles.open(f);
        assertEquals(Format.TORCH_LEGACY, cp.format());
        TensorStore s = cp.main();
        assertEquals(List.of("a", "b_transposed", "c_strided", "d_view", "e_scalar"), s.names());
        assertArrayEquals(new float[]{0, 1, 2, 3, 4, 5}, s.get("a").toFloatArray());
        assertArrayEquals(new long[]{3, 2}, s.get("b_transposed").shape());
        assertArrayEquals(new float[]{0, 3, 1, 4, 2, 5}, s.get("b_transposed").toFloatArray());
        assertArrayEquals(new float[]{2, 4}, s.get("c_strided").toFloatArray());
        assertArrayEquals(new float[]{4, 5}, s.get("d_view").toFloatArray());
        assertArrayEquals(new long[]{}, s.get("e_scalar").shape());
        assertArrayEquals(new float[]{5}, s.get("e_scalar").toFloatArray());
    }

    @Test
    void legacyFilesWithAnotherPickleProtocolAreRecognised(@TempDir Path dir) throws Exception {
        byte[] f = legacyFile(false);
        f[1] = 4; // the magic-number pickle written with protocol 4 (torch.save(..., pickle_protocol=4))
        Path p = Files.write(dir.resolve("proto4.pth"), f);
        assertEquals(Format.TORCH_LEGACY, ModelFiles.detect(p));
        assertEquals(5, ModelFiles.open(p).main().size());
    }

    @Test
    void aViewReachingOutsideItsStorageIsRefused(@TempDir Path dir) throws Exception {
        Path f = Files.write(dir.resolve("bad-views.pth"), legacyFile(true));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.open(f));
        assertTrue(e.getMessage().contains("bad-views.pth") && e.getMessage().contains("b_transposed"), e.getMessage());
    }
}
