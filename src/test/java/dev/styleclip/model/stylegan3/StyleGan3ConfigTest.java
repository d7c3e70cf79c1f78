package dev.styleclip.model.stylegan3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The architecture derived from the kwargs equals what the reference constructor built. */
class StyleGan3ConfigTest {

    @Test
    void layersMatchTheGoldenManifest() {
        for (JsonNode model : Golden.manifest("stylegan3").path("models")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> kw = new ObjectMapper().convertValue(model.path("G_ema_init_kwargs"), Map.class);
            StyleGan3Config c = new StyleGan3Config(kw);
            String id = model.path("id").asText();
            assertEquals(model.path("num_ws").asInt(), c.numWs, id);
            JsonNode in = model.path("synthesis_input");
            assertEquals(in.path("channels").asInt(), c.inputChannels, id);
            assertEquals(in.path("size").get(0).asInt(), c.inputSize, id);
            assertEquals(in.path("sampling_rate").asDouble(), c.inputSamplingRate, 1e-12, id);
            assertEquals(in.path("bandwidth").asDouble(), c.inputBandwidth, 1e-12, id);
            JsonNode layers = model.path("layers");
            assertEquals(layers.size(), c.layers.size(), id);
            for (int i = 0; i < layers.size(); i++) {
                JsonNode l = layers.get(i);
                StyleGan3Config.LayerSpec s = c.layers.get(i);
                String what = id + " " + l.path("name").asText();
                assertEquals(l.path("name").asText(), s.name(), what);
                assertEquals(l.path("in_channels").asInt(), s.inChannels(), what);
                assertEquals(l.path("out_channels").asInt(), s.outChannels(), what);
                assertEquals(l.path("in_size").get(0).asInt(), s.inSize(), what);
                assertEquals(l.path("out_size").get(0).asInt(), s.outSize(), what);
                assertEquals(l.path("in_sampling_rate").asDouble(), s.inSamplingRate(), 0, what);
                assertEquals(l.path("out_sampling_rate").asDouble(), s.outSamplingRate(), 0, what);
                assertEquals(l.path("tmp_sampling_rate").asDouble(), s.tmpSamplingRate(), 0, what);
                assertEquals(l.path("in_cutoff").asDouble(), s.inCutoff(), 1e-12, what);
                assertEquals(l.path("out_cutoff").asDouble(), s.outCutoff(), 1e-12, what);
                assertEquals(l.path("in_half_width").asDouble(), s.inHalfWidth(), 1e-12, what);
                assertEquals(l.path("out_half_width").asDouble(), s.outHalfWidth(), 1e-12, what);
                assertEquals(l.path("conv_kernel").asInt(), s.convKernel(), what);
                assertEquals(l.path("is_torgb").asBoolean(), s.isToRgb(), what);
                assertEquals(l.path("is_critically_sampled").asBoolean(), s.isCriticallySampled(), what);
                assertEquals(l.path("up_factor").asInt(), s.upFactor(), what);
                assertEquals(l.path("down_factor").asInt(), s.downFactor(), what);
                assertEquals(l.path("up_taps").asInt(), s.upTaps(), what);
                assertEquals(l.path("down_taps").asInt(), s.downTaps(), what);
                assertEquals(l.path("down_radial").asBoolean(), s.downRadial(), what);
                int[] pad = new int[4];
                for (int k = 0; k < 4; k++) pad[k] = l.path("padding").get(k).asInt();
                assertArrayEquals(pad, s.padding(), what);
                assertEquals(l.path("use_fp16").asBoolean(), s.useFp16(), what);
            }
        }
    }

    /** Layer names of official-size configs, from the reference constructor's formulas evaluated with numpy. */
    @Test
    void officialSizes() {
        check(1024, 32768, 512, "L0_36_512 L1_36_512 L2_52_512 L3_52_512 L4_84_512 L5_148_512 L6_148_512 L7_276_323 "
                + "L8_276_203 L9_532_128 L10_1044_81 L11_1044_51 L12_1044_32 L13_1024_32 L14_1024_3");
        check(1024, 65536, 1024, "L0_36_1024 L1_36_1024 L2_52_1024 L3_52_1024 L4_84_1024 L5_148_1024 L6_148_1024 "
                + "L7_276_645 L8_276_406 L9_532_256 L10_1044_161 L11_1044_102 L12_1044_64 L13_1024_64 L14_1024_3");
        check(512, 32768, 512, "L0_36_512 L1_36_512 L2_52_512 L3_52_512 L4_84_512 L5_84_512 L6_148_512 L7_148_483 "
                + "L8_276_323 L9_276_215 L10_532_144 L11_532_96 L12_532_64 L13_512_64 L14_512_3");
        check(256, 16384, 512, "L0_36_512 L1_36_512 L2_36_512 L3_52_512 L4_52_512 L5_84_512 L6_84_512 L7_148_362 "
                + "L8_148_256 L9_148_181 L10_276_128 L11_276_91 L12_276_64 L13_256_64 L14_256_3");
    }

    private static void check(int res, int cbase, int cmax, String names) {
        Map<String, Object> kw = new java.util.HashMap<>(DemoNetworks.demoKwargs());
        kw.put("img_resolution", res);
        kw.put("channel_base", cbase);
        kw.put("channel_max", cmax);
        assertEquals(List.of(names.split(" ")), DemoNetworks.layerNames(kw), res + "/" + cbase + "/" + cmax);
    }

    /** Absurd init kwargs (a damaged or hostile pickle) are refused by name before anything is sized from them. */
    @Test
    void absurdKwargsAreRefusedBeforeAnythingIsBuilt() {
        Object[][] cases = {{"num_layers", 1e9}, {"num_layers", 2147483648L}, {"channel_max", -512}, {"w_dim", 0},
                {"img_resolution", Double.NaN}, {"conv_kernel", 2.5}, {"margin_size", "lots"}};
        for (Object[] c : cases) {
            Map<String, Object> kw = new java.util.HashMap<>(DemoNetworks.kwargs("stylegan3-t-256"));
            kw.put((String) c[0], c[1]);
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new StyleGan3Config(kw), c[0] + " = " + c[1]);
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("'" + c[0] + "'"), e.getMessage());
        }
        assertEquals(16, new StyleGan3Config(DemoNetworks.kwargs("stylegan3-t-256")).numWs, "the published ones pass");
    }
}
