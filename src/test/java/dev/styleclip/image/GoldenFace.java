package dev.styleclip.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Test helper: a human face of the golden faces set ({@code golden/faces/align/NAME_fK.json}): its photo and the 68
 * landmarks face-api's SSD pipeline found in it (the cat's false positive is left out).
 */
public record GoldenFace(String name, RgbImage photo, double[][] landmarks) {

    public FfhqAlign.Quad quad() {
        return FfhqAlign.quadFromLandmarks(landmarks, FfhqAlign.Variant.FFHQ);
    }

    /** The face aligned as every inversion aligns it. */
    public FfhqAlign.Result align(int size) {
        return FfhqAlign.align(photo, quad(), size);
    }

    public static GoldenFace load(String json) {
        Path dir = Golden.set("faces");
        try {
            JsonNode spec = new ObjectMapper().readTree(dir.resolve("align").resolve(json + ".json").toFile());
            JsonNode lm = spec.get("landmarks");
            double[][] p = new double[lm.size()][];
            for (int i = 0; i < p.length; i++) p[i] = new double[]{lm.get(i).get(0).asDouble(), lm.get(i).get(1).asDouble()};
            return new GoldenFace(json, Images.read(dir.resolve(spec.get("image_file").asText())), p);
        } catch (IOException | ImageFileException e) {
            throw new AssertionError("cannot read golden face " + json + ": " + e.getMessage(), e);
        }
    }

    /** Every human face of the set (name_fK), sorted. */
    public static List<String> names() {
        try (Stream<Path> s = Files.list(Golden.set("faces").resolve("align"))) {
            List<String> out = new ArrayList<>();
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith("no_face"))
                    .sorted().forEach(n -> out.add(n.substring(0, n.length() - ".json".length())));
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
