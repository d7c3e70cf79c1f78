package dev.styleclip.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The float64 twins ({@link StyleGan3Generator#toFloat64}, {@link ClipModel#toFloat64}) against the golden sets'
 * float64 reference runs ({@code X.f64} / {@code X__f64}: the same float32 weights, all arithmetic in float64). A twin
 * that kept any float32-rounded constant would be off by ~1e-8 relative; the bound here is 1e-13 of the tensor's
 * largest value (measured: at most 2.4e-15, float64 summation order), far below the float32 goldens' own error.
 */
class Float64TwinTest {
    /** Allowed |twin − reference f64| relative to max|reference|. */
    private static final double REL = 1e-13;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        Engines.pytorch();
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    @Test
    void generatorTwinsMatchTheStyleGan3SetsFloat64Runs() throws Exception {
        for (JsonNode model : Golden.manifest("stylegan3").path("models")) {
            String id = model.path("id").asText();
            TensorStore t = Golden.tensors(Golden.set("stylegan3").resolve("tensors/" + id + ".safetensors"));
            try (NDManager m = manager.newSubManager();
                 StyleGan3Generator g = StyleGan3Generator.load(ModelFiles.open(Golden.set("stylegan3")
                         .resolve(model.path("file").asText())).object(model.path("pickle_key").asText("G_ema")), m);
                 StyleGan3Generator g64 = g.toFloat64(m)) {
                assertEquals(DataType.FLOAT32, g.dataType());
                assertEquals(DataType.FLOAT64, g64.dataType());
                double[] z = t.get("z").toDoubleArray();
                for (int i = 0; i < z.length; i++) z[i] = (float) z[i]; // the float64 runs start from the float32 z
                NDArray zd = m.create(z, new Shape(z.length / g.zDim(), g.zDim()));
                for (String suffix : List.of("psi1", "psi0.7", "psi0.5_cutoff6")) {
                    double psi = suffix.startsWith("psi1") ? 1 : suffix.startsWith("psi0.7") ? 0.7 : 0.5;
                    Integer cutoff = suffix.contains("cutoff") ? 6 : null;
                    NDArray ws = g64.mapping(zd, psi, cutoff);
                    assertEquals(DataType.FLOAT64, ws.getDataType());
                    close(id + " ws_" + suffix, ws.toDoubleArray(), t.get("ws_" + suffix + ".f64").toDoubleArray());
                    NDArray wsRef = m.create(t.get("ws_" + suffix + ".f64").toDoubleArray(), ws.getShape());
                    NDArray img = g64.synthesis(wsRef);
                    assertEquals(DataType.FLOAT64, img.getDataType());
                    close(id + " img_" + suffix, img.toDoubleArray(), t.get("img_" + suffix + ".f64").toDoubleArray());
                }
                // StyleSpace round trip in float64 (W2S, then synthesis from the flattened styles)
                NDArray ws = m.create(t.get("ws_psi0.7.f64").toDoubleArray(), new Shape(z.length / g.zDim(), g.numWs(), g.wDim()));
                NDArray viaS = g64.synthesisFromStyleSpace(g64.styleSpace(ws), StyleGan3Generator.Options.defaults());
                close(id + " synthesis from StyleSpace", viaS.toDoubleArray(), t.get("img_psi0.7.f64").toDoubleArray());
            }
        }
    }

    @Test
    void clipTwinMatchesTheClipSetsFloat64Runs() throws Exception {
        JsonNode spec = Golden.manifest("clip").path("models").path("tiny");
        TensorStore img = Golden.tensors(Golden.set("clip").resolve("tensors/image_encoder.safetensors"));
        TensorStore txt = Golden.tensors(Golden.set("clip").resolve("tensors/text_encoder.safetensors"));
        try (NDManager m = manager.newSubManager();
             ClipModel clip = ClipModel.load(ModelFiles.open(Golden.set("clip").resolve(spec.path("file").asText())).main(), m);
             ClipModel c64 = clip.toFloat64(m)) {
            assertEquals(DataType.FLOAT64, c64.dataType());
            // a float32 image is widened exactly (CLIP's image.type(self.dtype))
            NDArray image = img.get("image").toNDArray(m);
            NDArray f = c64.encodeImage(image);
            assertEquals(DataType.FLOAT64, f.getDataType());
            close("image_features", f.toDoubleArray(), img.get("image_features__f64").toDoubleArray());
            long[] tok = txt.get("tokens").toLongArray();
            int ctx = clip.config().contextLength();
            long[][] rows = new long[tok.length / ctx][ctx];
            for (int i = 0; i < rows.length; i++) System.arraycopy(tok, i * ctx, rows[i], 0, ctx);
            close("text_features", c64.encodeText(rows, m).toDoubleArray(), txt.get("text_features__f64").toDoubleArray());
            // the float32 model is untouched by the copy
            float[] f32 = clip.encodeImage(image).toFloatArray();
            float[] ref = img.get("image_features").toFloatArray();
            Golden.assertAllClose(f32, ref, 1e-4, 1e-3, "float32 image features after toFloat64");
        }
    }

    private static void close(String what, double[] actual, double[] expected) {
        assertEquals(expected.length, actual.length, what + " size");
        double max = 0, err = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i]));
            err = Math.max(err, Math.abs(actual[i] - expected[i]));
        }
        System.out.printf(Locale.ROOT, "%-40s max|err| %.3e (rel. to max|x| %.3e)%n", what, err, err / max);
        assertTrue(err <= REL * max, String.format(Locale.ROOT, "%s: max |twin - reference f64| = %.3e > %.1e x max|x| (%.3e)",
                what, err, REL, max));
    }
}
