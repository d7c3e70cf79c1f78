package dev.styleclip.model.encoder;

import dev.styleclip.model.stylegan3.InputTransform;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFileException;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour beyond the golden cases: per-sample landmarks transforms in one batch, iteration count, load errors. */
class RestyleInversionTest {

    @Test
    void perSampleTransformsMatchSingleRuns() throws Exception {
        try (RestyleInversion inv = RestyleInversion.load(Golden.set("encoder").resolve("models/restyle_e4e_tiny_a.pt"),
                Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
             NDManager m = NDManager.newBaseManager()) {
            int s = inv.inputSize();
            float[] v = new float[2 * 3 * s * s];
            Random r = new Random(1);
            for (int i = 0; i < v.length; i++) v[i] = r.nextFloat() * 2 - 1;
            double[][][] t = {
                InputTransform.inverse(InputTransform.make(0.1, -0.05, 12)),
                InputTransform.inverse(InputTransform.make(-0.2, 0.1, -30))};
            float[][] last = new float[1][];
            int[] calls = {0};
            inv.invert(m.create(v, new Shape(2, 3, s, s)), 2, t, (k, out, lat, img, fb) -> {
                calls[0]++;
                if (k == 2) last[0] = img.toFloatArray();
            }, null);
            assertEquals(2, calls[0]);
            int per = last[0].length / 2;
            for (int i = 0; i < 2; i++) {
                float[] one = new float[3 * s * s];
                System.arraycopy(v, i * one.length, one, 0, one.length);
                float[][] single = new float[1][];
                inv.invert(m.create(one, new Shape(1, 3, s, s)), 2, new double[][][]{t[i]}, (k, out, lat, img, fb) -> {
                    if (k == 2) single[0] = img.toFloatArray();
                }, null);
                float[] part = new float[per];
                System.arraycopy(last[0], i * per, part, 0, per);
                assertArrayEquals(single[0], part, 2e-5f, "sample " + i);
            }
        }
    }

    /** A checkpoint without decoder.* keys takes the user's generator pickle; results equal the golden ones. */
    @Test
    void checkpointWithoutDecoderUsesThePickle() throws Exception {
        java.nio.file.Path file = Golden.set("encoder").resolve("models/restyle_psp_tiny_a.pt");
        dev.styleclip.io.Checkpoint cp = dev.styleclip.io.ModelFiles.open(file);
        dev.styleclip.io.MapTensorStore enc = new dev.styleclip.io.MapTensorStore("encoder only", cp.main().format());
        for (dev.styleclip.io.Tensor t : cp.main().tensors()) if (t.name().startsWith("encoder.")) enc.put(t);
        dev.styleclip.io.Checkpoint encOnly = new dev.styleclip.io.Checkpoint(file, cp.format(), java.util.Map.of("", enc), "", cp.info());
        dev.styleclip.io.Checkpoint pkl = dev.styleclip.io.ModelFiles.open(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
        assertThrows(ModelFileException.class, () -> RestyleInversion.load(encOnly, null, null));
        dev.styleclip.io.TensorStore t = Golden.tensors(Golden.set("encoder").resolve("cases/restyle_psp_tiny_a_aligned.safetensors"));
        try (RestyleInversion inv = RestyleInversion.load(encOnly, null, pkl.object("G_ema"));
             NDManager m = NDManager.newBaseManager()) {
            float[][] got = new float[1][];
            inv.invert(t.get("x").toNDArray(m), 1, null, (k, out, lat, img, fb) -> got[0] = img.toFloatArray(), null);
            var tol = Golden.manifest("encoder").path("tolerances").path("image_it1");
            Golden.assertAllClose(got[0], t.get("image_it1").toFloatArray(), tol.path("atol").asDouble(),
                    tol.path("rtol").asDouble(), "image_it1");
        }
    }

    @Test
    void refusesWhatIsNotAnEncoder() {
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> RestyleInversion.load(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"), null));
        assertTrue(e.getMessage().contains("not a ReStyle encoder"), e.getMessage());
    }
}
