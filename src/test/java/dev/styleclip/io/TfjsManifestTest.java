package dev.styleclip.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** face-api's real manifests (from its npm package, unpacked by scripts/fetch-face-api) load to the declared shapes. */
class TfjsManifestTest {

    static Path faceApiModels() {
        Path dir = Paths.get(System.getProperty("faceapi.dir", System.getProperty("user.home") + "/.cache/styleclip/face-api-1.7.15"), "model");
        assertTrue(Files.isDirectory(dir), "face-api weights missing at " + dir + ": run scripts/fetch-face-api (mvn does it in generate-test-resources)");
        return dir;
    }

    @Test
    void everyFaceApiManifestLoadsToItsDeclaredShapes() throws Exception {
        List<Path> manifests;
        try (Stream<Path> s = Files.list(faceApiModels())) {
            manifests = s.filter(p -> p.getFileName().toString().endsWith("-weights_manifest.json")).sorted().collect(Collectors.toList());
        }
        assertEquals(7, manifests.size(), "face-api 1.7.15 ships 7 networks");
        for (Path m : manifests) {
            assertEquals(Format.TFJS, ModelFiles.detect(m));
            TensorStore store = ModelFiles.openStore(m);
            JsonNode root = new ObjectMapper().readTree(m.toFile());
            int n = 0;
            for (JsonNode group : root) {
                for (JsonNode w : group.path("weights")) {
                    Tensor t = store.get(w.path("name").asText());
                    long[] shape = new long[w.path("shape").size()];
                    for (int i = 0; i < shape.length; i++) shape[i] = w.path("shape").get(i).asLong();
                    assertArrayEquals(shape, t.shape(), m.getFileName() + " " + t.name());
                    float[] v = t.toFloatArray();
                    for (float x : v) assertTrue(Float.isFinite(x), t.name());
                    JsonNode q = w.get("quantization");
                    if (q != null && v.length > 0) {
                        double min = q.path("min").asDouble();
                        double max = min + 255 * q.path("scale").asDouble();
                        for (float x : v) assertTrue(x >= min - 1e-5 && x <= max + 1e-5, t.name() + " value in quantised range");
                    }
                    n++;
                }
            }
            assertEquals(n, store.size(), m.getFileName() + ": no extra tensors");
        }
    }

    @Test
    void truncatedShardIsReportedNotCrashed(@TempDir Path dir) throws Exception {
        Path src = faceApiModels();
        Files.copy(src.resolve("tiny_face_detector_model-weights_manifest.json"), dir.resolve("tiny_face_detector_model-weights_manifest.json"));
        byte[] bin = Files.readAllBytes(src.resolve("tiny_face_detector_model.bin"));
        Files.write(dir.resolve("tiny_face_detector_model.bin"), java.util.Arrays.copyOf(bin, bin.length / 2));
        ModelFileException e = assertThrows(ModelFileException.class,
                () -> ModelFiles.openStore(dir.resolve("tiny_face_detector_model-weights_manifest.json")));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void shardPathsCannotEscapeTheFolder(@TempDir Path dir) throws Exception {
        Path m = dir.resolve("evil-weights_manifest.json");
        Files.writeString(m, "[{\"paths\":[\"../../etc/passwd\"],\"weights\":[{\"name\":\"x\",\"shape\":[1],\"dtype\":\"float32\"}]}]");
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.openStore(m));
        assertFalse(e.getMessage().isBlank());
    }

    /** Manifest lies: declared sizes whose sum wraps round, one shard listed many times. */
    @Test
    void wrappingSizesAndRepeatedShardsAreRefused(@TempDir Path dir) throws Exception {
        Files.write(dir.resolve("s.bin"), new byte[64]);
        Path wrap = dir.resolve("wrap-weights_manifest.json");
        // 2^61 + 2^61 + 2^61 + 2^61 float32 bytes... each entry fits a long, their sum wraps to a small number
        String huge = "{\"name\":\"%s\",\"shape\":[2147483647,1073741824],\"dtype\":\"float32\"}";
        Files.writeString(wrap, "[{\"paths\":[\"s.bin\"],\"weights\":[" + String.format(huge, "a") + "," + String.format(huge, "b")
                + "," + String.format(huge, "c") + "," + String.format(huge, "d") + "]}]");
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFiles.openStore(wrap));
        assertTrue(e.getMessage().contains("declares more bytes of weights than its shards hold (64"), e.getMessage());
        Path repeated = dir.resolve("rep-weights_manifest.json");
        Files.writeString(repeated, "[{\"paths\":[\"s.bin\",\"./s.bin\",\"s.bin\"],\"weights\":[]}]");
        e = assertThrows(ModelFileException.class, () -> ModelFiles.openStore(repeated));
        assertTrue(e.getMessage().contains("names the shard ./s.bin twice"), e.getMessage());
    }
}
