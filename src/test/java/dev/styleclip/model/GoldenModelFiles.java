package dev.styleclip.model;

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

    /** The state dict of a golden model file, read with {@code ModelFiles.open(file).main()}. */
    public static TensorStore stateDict(Path file) {
        Path f = file.toAbsolutePath().normalize();
        try {
            return ModelFiles.open(f).main();
        } catch (Exception e) {
            throw new AssertionError("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    /**
     * Runs a {@code load_state_dict} case (kind, model_file, tensors) of a set; returns false for any other kind.
     */
    public static boolean loadStateDictCase(Path setDir, com.fasterxml.jackson.databind.JsonNode c) throws Exception {
        if (!c.path("kind").asText().equals("load_state_dict")) return false;
        TensorStore actual = stateDict(setDir.resolve(c.path("model_file").asText()));
        TensorStore expected = dev.styleclip.golden.Golden.tensors(setDir.resolve(c.path("tensors").asText()));
        assertSameStateDict(actual, expected, c.path("id").asText());
        return true;
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
