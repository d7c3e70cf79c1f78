package dev.styleclip.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The one place the model golden tests (ID loss, LPIPS) read checkpoint files. */
public final class GoldenModelFiles {
    private GoldenModelFiles() {
    }

    /**
     * The state dict of a golden model file: read with {@code ModelFiles.open(file).main()}. Only when that throws
     * because a reader is "not implemented yet", the exact state dict from the readers golden set is used instead,
     * found by matching the file against {@code readers/manifest.json}'s {@code file} entries.
     */
    public static TensorStore stateDict(Path file) {
        Path f = file.toAbsolutePath().normalize();
        try {
            return ModelFiles.open(f).main();
        } catch (Exception e) {
            if (!notImplemented(e)) throw new AssertionError("cannot read " + f + ": " + e.getMessage(), e);
            // TODO remove fallback once the torch readers land
            Path readers = Golden.set("readers");
            for (JsonNode c : Golden.cases("readers")) {
                Path candidate = readers.resolve(c.path("file").asText()).toAbsolutePath().normalize();
                if (candidate.equals(f)) {
                    return Golden.tensors(readers.resolve(c.path("expected_state_dict").asText()));
                }
            }
            throw new AssertionError("reader not implemented yet and no readers-golden state dict lists " + f, e);
        }
    }

    private static boolean notImplemented(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("not implemented yet")) return true;
        }
        return false;
    }

    /** A {@code load_state_dict} case: same keys (no extra), dtypes, shapes and bit-identical values. */
    public static void assertSameStateDict(TensorStore actual, TensorStore expected, String what) throws Exception {
        List<String> missing = new ArrayList<>();
        for (String n : expected.names()) if (!actual.contains(n)) missing.add(n);
        List<String> extra = new ArrayList<>();
        for (String n : actual.names()) if (!expected.contains(n)) extra.add(n);
        if (!missing.isEmpty() || !extra.isEmpty()) fail(what + ": missing keys " + missing + ", extra keys " + extra);
        for (String n : expected.names()) {
            Tensor e = expected.get(n);
            Tensor a = actual.get(n);
            assertEquals(e.dtype(), a.dtype(), what + ": dtype of " + n);
            assertArrayEquals(e.shape(), a.shape(), what + ": shape of " + n);
            ByteBuffer eb = e.data();
            ByteBuffer ab = a.data();
            if (!eb.equals(ab)) fail(what + ": values of " + n + " differ");
        }
    }
}
