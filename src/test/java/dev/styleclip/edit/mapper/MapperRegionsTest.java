package dev.styleclip.edit.mapper;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A region-limited mapper on the tiny golden networks: the keep term in every step's losses, its regions in the
 * checkpoint and the mapper's header; with λ_keep 0 the weights are those of a run without regions, bit for bit; with
 * λ_keep &gt; 0 the term changes what is learnt.
 */
class MapperRegionsTest {

    private static TensorStore train(Path dir, EditRegions regions, List<Frame> frames) throws Exception {
        MapperTrainingJob.Networks nets = new MapperTrainingJob.Networks(EditGoldenModels.generator(), EditGoldenModels.clip(),
                EditGoldenModels.idLoss(), null, Lpips.demo());
        MapperTrainingJob.Settings s = new MapperTrainingJob.Settings("a person with purple hair", 1, 2, 2, 0.01, 0.3, 0.06,
                1.0, 0.01, new boolean[]{true, true, true}, 0.2, 0, 0.7, 3L, 1).withRegions(regions);
        try (ComputeService cs = new ComputeService("cpu")) {
            cs.run("mapper", new MapperTrainingJob(s, nets, dir), frames == null ? null : frames::add);
        }
        return Safetensors.read(dir.resolve(MapperTrainingJob.MAPPER_FILE));
    }

    @Test
    void theKeepTermIsTrainedWithAndRecorded(@TempDir Path tmp) throws Exception {
        TensorStore plain = train(tmp.resolve("plain"), null, null);
        List<Frame> frames = new ArrayList<>();
        EditRegions mouth = EditRegions.of(EditRegions.Mode.EDIT_ONLY, Set.of(FaceRegion.MOUTH));
        TensorStore measured = train(tmp.resolve("measured"), mouth.withKeepWeight(0), frames);
        TensorStore held = train(tmp.resolve("held"), EditRegions.of(EditRegions.Mode.KEEP, EnumSet.of(FaceRegion.BACKGROUND)).withKeepWeight(5), null);

        for (String n : plain.names()) {
            assertArrayEquals(plain.get(n).toFloatArray(), measured.get(n).toFloatArray(), 0f, "λ_keep 0 learns what no regions learn: " + n);
        }
        boolean differs = false;
        for (String n : plain.names()) differs |= !java.util.Arrays.equals(plain.get(n).toFloatArray(), held.get(n).toFloatArray());
        assertTrue(differs, "a held keep term changes the mapper's weights");

        List<Frame> steps = frames.stream().filter(f -> f.losses().containsKey("total")).toList();
        assertEquals(2, steps.size());
        for (Frame f : steps) assertTrue(f.losses().get("keep") >= 0, "keep in the losses: " + f.losses());
        assertTrue(steps.get(0).message().contains("edit only mouth: regions from the FFHQ mean face"), steps.get(0).message());
        assertEquals("edit only mouth", measured.metadata().get("regions"));
        assertFalse(plain.metadata().containsKey("regions"));
        var j = MapperTrainingJob.readCheckpoint(tmp.resolve("measured"));
        assertEquals("region", j.path("settings").path("regions").path("mode").asText());
        assertEquals("mouth", j.path("settings").path("regions").path("regions").get(0).asText());
        assertNotEquals(0, j.path("settings").path("regions").size());
    }
}
