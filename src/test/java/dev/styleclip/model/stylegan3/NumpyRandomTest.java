package dev.styleclip.model.stylegan3;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** numpy's RandomState(seed).randn, bit for bit. */
class NumpyRandomTest {

    @Test
    void goldenLatentsAreBitExact() throws Exception {
        String set = "stylegan3";
        Path dir = Golden.set(set);
        for (JsonNode model : Golden.manifest(set).path("models")) {
            TensorStore t = Golden.tensors(dir.resolve(model.path("tensors").asText()));
            long[] seeds = t.get("seeds").toLongArray();
            double[] z = t.get("z").toDoubleArray();
            int zDim = z.length / seeds.length;
            for (int i = 0; i < seeds.length; i++) {
                double[] got = NumpyRandom.latent(seeds[i], zDim);
                for (int j = 0; j < zDim; j++) {
                    assertEquals(Double.doubleToLongBits(z[i * zDim + j]), Double.doubleToLongBits(got[j]),
                            model.path("id").asText() + " seed " + seeds[i] + " z[" + j + "]");
                }
            }
        }
    }

    @Test
    void longerDrawsMatchNumpyAsTheGeneratorSeesThem() {
        // {seed, h = h*31 + floatToIntBits(float32(v)) over RandomState(seed).randn(1, 512)}, computed with numpy.
        // The generator casts z to float32 first; in float64 a rare value may differ by one ulp because the C
        // library's log is not correctly rounded (this class uses a correctly rounded log).
        long[][] expected = {
                {0L, -2504825394227230554L},
                {1L, -1739383078610289733L},
                {42L, 5495418297424130644L},
                {123456L, -3628953634634010059L},
                {4294967295L, -3206760673350456858L},
        };
        for (long[] e : expected) {
            long h = 0;
            for (double v : NumpyRandom.latent(e[0], 512)) h = h * 31 + Float.floatToIntBits((float) v);
            assertEquals(e[1], h, "seed " + e[0]);
        }
        assertEquals(1.764052345967664, new NumpyRandom(0).nextGaussian(), 0.0);
    }
}
