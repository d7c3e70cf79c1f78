package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.TensorStore;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo generator and the filter design it shares with the reference constructor. */
class DemoNetworksTest {

    @BeforeAll
    static void engine() {
        Engines.pytorch();
    }

    /** Our filter design reproduces the up/down filter buffers the reference constructor designed (T and R). */
    @Test
    void designedFiltersMatchTheGoldenCheckpoints() throws Exception {
        Path readers = Golden.set("readers");
        for (JsonNode model : Golden.manifest("stylegan3").path("models")) {
            String id = model.path("id").asText();
            @SuppressWarnings("unchecked")
            Map<String, Object> kwargs = new ObjectMapper().convertValue(model.path("G_ema_init_kwargs"), Map.class);
            TensorStore stored = Safetensors.read(readers.resolve("stylegan3-" + id + ".G_ema.safetensors"));
            Map<String, float[]> designed = DemoNetworks.designedFilters(kwargs);
            int n = 0;
            for (String name : stored.names()) {
                if (!name.endsWith("_filter")) continue;
                float[] d = designed.get(name);
                assertTrue(d != null, id + ": no designed filter " + name);
                assertEquals(stored.get(name).numel(), d.length, id + " " + name);
                Golden.assertAllClose(d, stored.get(name).toFloatArray(), 1e-8, 1e-6, id + " " + name);
                n++;
            }
            assertEquals(n, designed.size(), id + ": designed filters that the checkpoint lacks");
            assertTrue(n > 0);
        }
    }

    @Test
    void tinyDemoRuns() throws Exception {
        Map<String, Object> kw = new java.util.LinkedHashMap<>(DemoNetworks.demoKwargs());
        kw.put("z_dim", 16);
        kw.put("w_dim", 16);
        kw.put("channel_base", 256);
        kw.put("channel_max", 16);
        kw.put("img_resolution", 16);
        kw.put("use_radial_filters", true);
        kw.put("conv_kernel", 1);
        try (NDManager m = NDManager.newBaseManager(); StyleGan3Generator g = DemoNetworks.generator(kw, 1, m)) {
            assertTrue(g.isDemo());
            NDArray z = m.create(new float[]{0.5f}).broadcast(new Shape(2, 16));
            NDArray img = g.generate(z, 0.7, null, null);
            assertArrayEquals(new long[]{2, 3, 16, 16}, img.getShape().getShape());
            for (float v : img.toFloatArray()) assertTrue(Float.isFinite(v));
        }
    }

    @Test
    void demoHasTheT256Architecture() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); StyleGan3Generator g = DemoNetworks.generator(m)) {
            assertEquals(256, g.resolution());
            assertEquals(16, g.numWs());
            assertEquals(512, g.zDim());
            assertEquals(512, g.wDim());
            assertEquals(15, g.layerNames().size());
            assertEquals("L14_256_3", g.layerNames().get(14));
        }
    }
}
