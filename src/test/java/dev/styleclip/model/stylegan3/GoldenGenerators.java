package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.runtime.Engines;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every generator of the golden stylegan3 set, by its manifest id, with the set's gradient tolerances: what the tests
 * that compare gradients across synthesis plans load once per class and close together.
 */
final class GoldenGenerators implements AutoCloseable {
    final NDManager manager;
    final Map<String, StyleGan3Generator> models = new LinkedHashMap<>();
    final double atol;
    final double rtol;

    private GoldenGenerators() throws Exception {
        Engines.pytorch();
        manager = NDManager.newBaseManager();
        JsonNode manifest = Golden.manifest("stylegan3");
        atol = manifest.path("tolerances").path("gradients").path("atol").asDouble();
        rtol = manifest.path("tolerances").path("gradients").path("rtol").asDouble();
        for (JsonNode m : manifest.path("models")) {
            models.put(m.path("id").asText(), StyleGan3Generator.load(
                    ModelFiles.open(Golden.set("stylegan3").resolve(m.path("file").asText())).object("G_ema"), manager));
        }
    }

    static GoldenGenerators load() throws Exception {
        return new GoldenGenerators();
    }

    @Override
    public void close() {
        models.values().forEach(StyleGan3Generator::close);
        manager.close();
    }
}
