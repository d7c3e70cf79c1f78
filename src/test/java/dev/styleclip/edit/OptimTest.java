package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.edit.optim.LrSchedule;
import dev.styleclip.edit.optim.ReduceLrOnPlateau;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import dev.styleclip.runtime.Engines;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Schedules and optimisers against the reference values recorded in the edit golden set. */
class OptimTest {

    static JsonNode edit(String id) {
        for (JsonNode c : Golden.cases("edit")) if (c.path("id").asText().equals(id)) return c;
        throw new AssertionError("edit golden case " + id + " missing");
    }

    @Test
    void plateauSchedulerMatchesPyTorch() {
        JsonNode p = edit("mapper_plateau_schedule").path("params");
        ReduceLrOnPlateau s = new ReduceLrOnPlateau(p.path("initial_lr").asDouble(), p.path("factor").asDouble(),
                p.path("patience").asInt(), p.path("threshold").asDouble(), p.path("min_lr").asDouble(), p.path("eps").asDouble());
        for (int i = 0; i < p.path("losses").size(); i++) {
            double lr = s.step(p.path("losses").get(i).asDouble());
            assertEquals(p.path("lr_after").get(i).asDouble(), lr, 1e-12, "lr after epoch " + i);
            assertEquals(p.path("num_bad_epochs_after").get(i).asInt(), s.numBadEpochs(), "bad epochs after " + i);
        }
    }

    @Test
    void scheduleLearningRatesMatchTheTraces() throws Exception {
        for (String id : new String[]{"opt1_wplus_defaults", "opt2_wplus_steplr_mse", "opt3_z_space", "opt4_wplus_fine_only"}) {
            JsonNode c = edit(id);
            JsonNode p = c.path("params");
            JsonNode sch = p.path("schedule");
            double lr0 = p.path("lr").asDouble();
            LrSchedule s;
            switch (sch.path("kind").asText()) {
                case "get_lr": s = LrSchedule.cosineRamp(lr0, sch.path("nominal_steps").asInt(), sch.path("rampdown").asDouble(), sch.path("rampup").asDouble()); break;
                case "steplr": s = LrSchedule.step(lr0, sch.path("step_size").asInt(), sch.path("gamma").asDouble()); break;
                default: s = LrSchedule.constant(lr0);
            }
            TensorStore t = Golden.tensors(Golden.set("edit").resolve(c.path("file").asText()));
            double[] lr = t.get("lr").toDoubleArray();
            for (int i = 0; i < lr.length; i++) assertEquals(lr[i], s.lr(i), 1e-12, id + " lr at step " + i);
            if (t.contains("lr_schedule_nominal")) {
                double[] nominal = t.get("lr_schedule_nominal").toDoubleArray();
                for (int i = 0; i < nominal.length; i++) assertEquals(nominal[i], s.lr(i), 1e-12, id + " nominal lr " + i);
            }
        }
    }

    @Test
    void adamFollowsPyTorchsUpdateRule() {
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            NDArray p = m.create(new float[]{1f, -2f});
            Adam adam = new Adam(p, m);
            // first step of Adam moves every coordinate by lr against the gradient's sign
            adam.step(p, m.create(new float[]{0.5f, -3f}), 0.1, m);
            assertArrayEquals(new float[]{0.9f, -1.9f}, p.toFloatArray(), 1e-6f);
            // lr 0 still advances the moments
            adam.step(p, m.create(new float[]{0.5f, -3f}), 0.0, m);
            assertEquals(2, adam.stepCount());
            assertArrayEquals(new float[]{0.9f, -1.9f}, p.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[]{0.095f, -0.57f}, adam.expAvg().toFloatArray(), 1e-6f);
            NDArray q = m.create(new float[]{1f});
            Adam w = Adam.adamW(q, m, 0.01);
            w.step(q, m.create(new float[]{0f}), 0.5, m);
            assertArrayEquals(new float[]{0.995f}, q.toFloatArray(), 1e-7f);
        }
    }
}
