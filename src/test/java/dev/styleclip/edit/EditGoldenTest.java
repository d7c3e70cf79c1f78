package dev.styleclip.edit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * StyleCLIP latent optimisation against the edit golden set: every case with {@code method = "optimisation"}, each
 * step's losses, learning rate, gradient, latent and Adam moments, and the start / final latents and images, with the
 * manifest's (per-step) tolerances. Runs the real job through the {@link ComputeService}.
 */
class EditGoldenTest {
    static final String SET = "edit";
    static final String METHOD = "optimisation";

    static ComputeService service;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        if (service != null) service.close();
    }

    /** The model files named in the manifest (paths relative to the set). */
    static EditNetworks.Files goldenFiles() {
        JsonNode models = Golden.manifest(SET).path("models");
        Path dir = Golden.set(SET);
        return new EditNetworks.Files(file(dir, models, "stylegan3"), file(dir, models, "clip"), file(dir, models, "idloss"), null);
    }

    private static Path file(Path dir, JsonNode models, String key) {
        JsonNode p = models.path(key).path("path");
        assertTrue(p.isTextual(), "manifest models." + key + ".path is missing");
        return dir.resolve(p.asText()).normalize();
    }

    @TestFactory
    List<DynamicTest> optimisationCases() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.cases(SET)) {
            if (!METHOD.equals(c.path("method").asText())) continue;
            tests.add(DynamicTest.dynamicTest(c.path("id").asText(), () -> runCase(c)));
        }
        assertFalse(tests.isEmpty(), "the edit golden set has no " + METHOD + " cases");
        return tests;
    }

    static LatentOptimization.Settings settings(JsonNode p, int numWs) {
        String space = p.path("space").asText();
        LatentOptimization.Space sp;
        Set<WGroups.Group> groups = EnumSet.allOf(WGroups.Group.class);
        if (space.equals("z")) {
            sp = LatentOptimization.Space.Z;
        } else if (space.equals("w+")) {
            sp = LatentOptimization.Space.W_PLUS;
        } else if (space.equals("w+fine")) {
            sp = LatentOptimization.Space.W_PLUS;
            groups = EnumSet.of(WGroups.Group.FINE);
            assertEquals(p.path("fine_from").asInt(), WGroups.range(WGroups.Group.FINE, numWs)[0], "fine group start");
        } else {
            throw new AssertionError("unknown space " + space);
        }
        assertEquals("adam", p.path("optimizer").asText());
        JsonNode sch = p.path("schedule");
        LatentOptimization.Settings s = new LatentOptimization.Settings(p.path("prompt").asText(), sp, groups,
                p.path("steps").asInt(), p.path("lr").asDouble(), p.path("l2_lambda").asDouble(), p.path("id_lambda").asDouble(),
                LatentOptimization.L2Form.parse(p.path("l2").asText()), LatentOptimization.ScheduleKind.parse(sch.path("kind").asText()),
                sch.path("step_size").asInt(50), sch.path("gamma").asDouble(0.5), sch.path("nominal_steps").asInt(0),
                sch.path("rampup").asDouble(0.05), sch.path("rampdown").asDouble(0.25), -1);
        return s;
    }

    private static final class Steps {
        final List<LatentOptimization.StepRecord> records = new ArrayList<>();
        final List<float[]> grad = new ArrayList<>();
        final List<float[]> latent = new ArrayList<>();
        final List<float[]> m = new ArrayList<>();
        final List<float[]> v = new ArrayList<>();
    }

    static void runCase(JsonNode c) throws Exception {
        String id = c.path("id").asText();
        JsonNode p = c.path("params");
        TensorStore t = Golden.tensors(Golden.set(SET).resolve(c.path("file").asText()));
        int numWs = (int) t.get("ws_init").shape()[1];
        LatentOptimization.Settings s = settings(p, numWs);

        // inputs: z as gen_images draws it, the prompt's tokens
        assertArrayEquals(t.get("z").toFloatArray(), dev.styleclip.model.stylegan3.NumpyRandom.z(p.path("seed").asLong(), (int) t.get("z").shape()[1]), id + ": z of the seed");
        long[][] tokens = ClipTokenizer.standard().tokenize(List.of(s.prompt()), (int) t.get("tokens").shape()[1]);
        assertArrayEquals(t.get("tokens").toLongArray(), tokens[0], id + ": tokens");

        Steps steps = new Steps();
        LatentOptimization.Result r = service.run(id, ctx -> {
            EditNetworks nets = EditNetworks.load(ctx.models(), goldenFiles());
            return new LatentOptimization(nets, s, LatentOptimization.Start.seed(p.path("seed").asLong(), p.path("psi").asDouble()),
                    (rec, grad, latentAfter, adam) -> {
                        steps.records.add(rec);
                        steps.grad.add(grad.toFloatArray());
                        steps.latent.add(latentAfter.toFloatArray());
                        steps.m.add(adam.expAvg().toFloatArray());
                        steps.v.add(adam.expAvgSq().toFloatArray());
                    }).run(ctx);
        }, null);
        assertFalse(r.stoppedEarly(), id + ": stopped early: " + r.stopMessage());
        int n = s.steps();
        assertEquals(n, steps.records.size(), id + ": steps run");

        double[] lr = t.get("lr").toDoubleArray();
        for (int i = 0; i < n; i++) assertEquals(lr[i], steps.records.get(i).lr(), 1e-12, id + ": lr at step " + i);

        JsonNode tol = c.path("tolerances");
        Set<String> checked = new HashSet<>();
        for (java.util.Iterator<String> it = tol.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            checked.add(name);
            switch (name) {
                case "ws_init" -> whole(id, name, tol, t, r.wsInit());
                case "image_orig" -> whole(id, name, tol, t, r.imageBefore());
                case "z_init" -> whole(id, name, tol, t, r.latentInit());
                case "ws_final" -> whole(id, name, tol, t, r.wsFinal());
                case "image_final" -> whole(id, name, tol, t, r.imageAfter());
                case "loss_clip" -> perStepScalar(id, name, tol, t, steps, LatentOptimization.StepRecord::clip);
                case "loss_l2" -> perStepScalar(id, name, tol, t, steps, LatentOptimization.StepRecord::l2);
                case "loss_id" -> perStepScalar(id, name, tol, t, steps, LatentOptimization.StepRecord::id);
                case "loss" -> perStepScalar(id, name, tol, t, steps, LatentOptimization.StepRecord::total);
                case "grad" -> perStep(id, name, tol, t, steps.grad);
                case "latent_after" -> perStep(id, name, tol, t, steps.latent);
                case "adam_exp_avg" -> perStep(id, name, tol, t, steps.m);
                case "adam_exp_avg_sq" -> perStep(id, name, tol, t, steps.v);
                default -> fail(id + ": tolerance for unknown tensor " + name);
            }
        }
        assertTrue(checked.contains("loss") && checked.contains("latent_after"), id + ": manifest lists no trace tolerances");
    }

    private static void whole(String id, String name, JsonNode tol, TensorStore t, float[] actual) throws Exception {
        JsonNode tt = tol.path(name);
        Golden.assertAllClose(actual, t.get(name).toFloatArray(), tt.path("atol").asDouble(), tt.path("rtol").asDouble(), id + ": " + name);
    }

    private static double atol(JsonNode tt, int i) {
        return tt.has("atol_per_step") ? tt.path("atol_per_step").get(i).asDouble() : tt.path("atol").asDouble();
    }

    private static double rtol(JsonNode tt, int i) {
        return tt.has("rtol_per_step") ? tt.path("rtol_per_step").get(i).asDouble() : tt.path("rtol").asDouble();
    }

    private static void perStepScalar(String id, String name, JsonNode tol, TensorStore t, Steps steps,
                                      java.util.function.ToDoubleFunction<LatentOptimization.StepRecord> f) throws Exception {
        JsonNode tt = tol.path(name);
        float[] e = t.get(name).toFloatArray();
        assertEquals(e.length, steps.records.size(), id + ": " + name + " steps");
        for (int i = 0; i < e.length; i++) {
            Golden.assertAllClose(new float[]{(float) f.applyAsDouble(steps.records.get(i))}, new float[]{e[i]},
                    atol(tt, i), rtol(tt, i), id + ": " + name + " at step " + i);
        }
    }

    private static void perStep(String id, String name, JsonNode tol, TensorStore t, List<float[]> actual) throws Exception {
        JsonNode tt = tol.path(name);
        float[] e = t.get(name).toFloatArray();
        int n = (int) t.get(name).shape()[0];
        assertEquals(n, actual.size(), id + ": " + name + " steps");
        int per = e.length / n;
        for (int i = 0; i < n; i++) {
            float[] ei = java.util.Arrays.copyOfRange(e, i * per, (i + 1) * per);
            Golden.assertAllClose(actual.get(i), ei, atol(tt, i), rtol(tt, i), id + ": " + name + " at step " + i);
        }
    }
}
