package dev.styleclip.edit.mapper;

import dev.styleclip.io.Safetensors;
import dev.styleclip.io.TensorStore;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training 2 epochs equals training 1 epoch, stopping, and resuming 1 more: bit-identical weights and moments. */
class MapperResumeTest {

    @Test
    void resumeGivesTheSameWeightsAsAnUninterruptedRun(@TempDir Path tmp) throws Exception {
        MapperTrainingJob.Networks nets = new MapperTrainingJob.Networks(EditGoldenModels.generator(), EditGoldenModels.clip(),
                EditGoldenModels.idLoss(), null);
        MapperTrainingJob.Settings s = new MapperTrainingJob.Settings("a person with purple hair", 2, 2, 2, 0.01, 0.3, 0.06,
                1.0, 0.01, new boolean[]{true, false, true}, 0.2, 0, 0.7, 7L, 1);
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        List<Frame> frames = new ArrayList<>();
        try (ComputeService cs = new ComputeService("cpu")) {
            MapperTrainingJob.Result ra = cs.run("mapper", new MapperTrainingJob(s, nets, a), frames::add);
            assertFalse(ra.resumed());
            MapperTrainingJob.Result rb1 = cs.run("mapper", new MapperTrainingJob(s.withEpochs(1), nets, b), null);
            assertFalse(rb1.resumed());
            MapperTrainingJob.Result rb2 = cs.run("mapper", new MapperTrainingJob(s, nets, b), null);
            assertTrue(rb2.resumed());
            assertEquals(ra.lastLoss(), rb2.lastLoss(), 0.0, "last epoch loss");
            assertEquals(ra.lr(), rb2.lr(), 0.0, "lr after the plateau scheduler");
            // a prompt that differs from the checkpoint's is refused
            assertThrows(IllegalArgumentException.class, () -> cs.run("mapper",
                    new MapperTrainingJob(new MapperTrainingJob.Settings("other", 3, 2, 2, 0.01, 0.3, 0.06, 1.0, 0.01,
                            new boolean[]{true, false, true}, 0.2, 0, 0.7, 7L, 1), nets, b), null));
        }
        TensorStore ta = Safetensors.read(a.resolve(MapperTrainingJob.readCheckpoint(a).path("tensors").asText()));
        TensorStore tb = Safetensors.read(b.resolve(MapperTrainingJob.readCheckpoint(b).path("tensors").asText()));
        assertEquals(ta.names(), tb.names());
        for (String n : ta.names()) assertArrayEquals(ta.get(n).toFloatArray(), tb.get(n).toFloatArray(), 0f, n);
        assertTrue(ta.names().stream().noneMatch(n -> n.contains("medium_mapping")), "disabled group has no parameters");
        // frames: one per step plus one per epoch with a preview
        assertEquals(2 * 2 + 2, frames.size());
        assertNotNull(frames.get(frames.size() - 1).preview());
        // the mapper file loads back as a LevelsMapper
        try (var m = EditGoldenModels.manager().newSubManager()) {
            LevelsMapper lm = LevelsMapper.load(Safetensors.read(a.resolve(MapperTrainingJob.MAPPER_FILE)), 16, m);
            assertEquals("coarse,fine", lm.groupsSpec());
        }
    }
}
