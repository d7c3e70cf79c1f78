package dev.styleclip.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Details of the torch readers beyond the state dicts: encoder checkpoint info, StyleGAN metadata, views. */
class TorchReadersTest {

    @Test
    void encoderCheckpointsExposeOptsAndLatentAvg() throws Exception {
        Path dir = Golden.set("encoder");
        for (JsonNode m : Golden.manifest("encoder").get("models")) {
            Path file = dir.resolve(m.get("files").get(0).get("path").asText());
            Checkpoint cp = ModelFiles.open(file);
            assertEquals(Format.TORCH_ZIP, cp.format());
            List<String> top = new java.util.ArrayList<>();
            m.get("top_level_keys").forEach(k -> top.add(k.asText()));
            top.remove("state_dict");
            assertEquals(top, List.copyOf(cp.info().keySet()), "info keys of " + file);
            ReadersGoldenTest.assertJsonEquals(m.get("opts"), cp.info().get("opts"), "opts");
            Tensor latent = (Tensor) cp.info().get("latent_avg");
            Tensor want = Golden.tensors(dir.resolve(m.get("expected_tensors").asText())).get("latent_avg");
            assertArrayEquals(want.shape(), latent.shape());
            assertArrayEquals(want.toFloatArray(), latent.toFloatArray(), 0f);
            assertEquals(m.get("state_dict_num_keys").asInt(), cp.main().size());
        }
    }

    @Test
    void styleganPicklesExposeObjectsAndModuleAttributes() throws Exception {
        Path file = Golden.set("stylegan3").resolve("models/sg3t-32.pkl");
        Checkpoint cp = ModelFiles.open(file);
        assertEquals(List.of("G_ema", "G", "D"), List.copyOf(cp.objects().keySet()));
        assertEquals(cp.object("G_ema"), cp.main());
        Map<String, Object> meta = cp.main().metadata();
        assertEquals("Generator", meta.get("class_name"));
        assertEquals(List.of(), meta.get("init_args"));
        assertTrue(((String) meta.get("module_src")).contains("class Generator"), "module_src kept as text");
        @SuppressWarnings("unchecked") Map<String, Object> classes = (Map<String, Object>) meta.get("module_classes");
        assertEquals("MappingNetwork", classes.get("mapping"));
        assertEquals("FullyConnectedLayer", classes.get("mapping.fc0"));
        @SuppressWarnings("unchecked") Map<String, Map<String, Object>> attrs = (Map<String, Map<String, Object>>) meta.get("module_attrs");
        assertEquals(0.0017677669529663686, ((Number) attrs.get("mapping.fc0").get("weight_gain")).doubleValue(), 0.0);
        assertEquals("lrelu", attrs.get("mapping.fc0").get("activation"));
        assertEquals(16, attrs.get("").get("num_ws"));
        Object size = attrs.get("synthesis.input").get("size");
        assertTrue(size instanceof List && ((List<?>) size).size() == 2, "numpy int64 array as a list: " + size);
        assertTrue(cp.info().get("training_set_kwargs") instanceof Map || cp.info().get("training_set_kwargs") == null);
        assertTrue(cp.info().containsKey("augment_pipe"));
        assertFalse(cp.main().contains("synthesis.L13_32_3.up_filter"), "None buffers are absent");
    }

    @Test
    void torchScriptHasRootClass() throws Exception {
        Checkpoint cp = ModelFiles.open(Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt"));
        assertEquals(Format.TORCHSCRIPT, cp.format());
        assertTrue(String.valueOf(cp.main().metadata().get("class_name")).startsWith("__torch__."));
        assertTrue(cp.main().contains("visual.conv1.weight"));
    }
}
