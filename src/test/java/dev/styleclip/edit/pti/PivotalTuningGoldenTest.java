package dev.styleclip.edit.pti;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.edit.Latent;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.edit.Projection;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.SynthesisPlan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pivotal tuning against the PTI golden set: PTI's own loss code and loop, run with NVIDIA's StyleGAN3 code on a tiny
 * random network (see the set's README). For every case, under a recorded graph and under the recomputed backward in
 * the smallest pieces: the regulariser's z draws, each step's L2, LPIPS, regulariser and total, the first step's
 * gradient of every tuned weight, how far each weight has moved after every step, and the final weights — with the
 * manifest's tolerances. Runs the real job through the {@link ComputeService}.
 */
class PivotalTuningGoldenTest {
    static final String SET = "pti";

    private static ComputeService service;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
        if (service != null) service.close();
    }

    @TestFactory
    List<DynamicTest> traces() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : Golden.cases(SET)) {
            assertEquals("pti_trace", c.path("kind").asText(), "case kind");
            for (SynthesisPlan plan : List.of(SynthesisPlan.PLAIN, new SynthesisPlan(true, 1))) {
                tests.add(DynamicTest.dynamicTest(c.path("id").asText() + " (" + plan.describe() + ")", () -> runCase(c, plan)));
            }
        }
        return tests;
    }

    /** One step as the job reports it: the record, the gradients of the first step, each weight's distance moved. */
    private record Step(PivotalTuning.StepRecord record, Map<String, float[]> gradients, double[] deltaL1) {
    }

    private static void runCase(JsonNode c, SynthesisPlan plan) throws Exception {
        String id = c.path("id").asText();
        JsonNode manifest = Golden.manifest(SET);
        JsonNode tol = manifest.path("tolerances");
        Path dir = Golden.set(SET);
        JsonNode models = manifest.path("models");
        TensorStore t = Golden.tensors(dir.resolve(c.path("file").asText()));
        JsonNode p = c.path("params");

        StyleGan3Generator g = StyleGan3Files.open(dir.resolve(models.path("stylegan3").path("path").asText()), manager);
        try (Lpips lpips = Lpips.load(ModelFiles.open(dir.resolve(models.path("lpips").path("vgg16").asText()).normalize()).main(),
                ModelFiles.open(dir.resolve(models.path("lpips").path("lin").asText()).normalize()).main())) {
            List<String> names = new ArrayList<>();
            models.path("stylegan3").path("tuned_names").forEach(n -> names.add(n.asText()));
            assertEquals(names, g.tunableNames(), "the tuned tensors are the reference's");

            // inputs: the pivot, the photo (the PNG as the reference read it), the regulariser's draws
            JsonNode in = c.path("inputs");
            Tensor pivotT = t.get(in.path("pivot").path("tensor").asText());
            Latent pivot = new Latent((int) pivotT.shape()[1], (int) pivotT.shape()[2], pivotT.toFloatArray());
            RgbImage photo = Images.read(dir.resolve(in.path("target").path("png").asText()));
            assertArrayEquals(t.get(in.path("target").path("tensor").asText()).toFloatArray(),
                    Projection.photoToChw(photo.rgb(), photo.width()), id + ": the photo as floats");
            boolean locality = p.path("locality").asBoolean();
            if (locality) {
                float[] z = t.get(in.path("z").path("tensor").asText()).toFloatArray();
                NumpyRandom rnd = new NumpyRandom(p.path("seed").asLong());
                float[] ours = new float[z.length];
                for (int i = 0; i < ours.length; i++) ours[i] = (float) rnd.nextGaussian();
                assertArrayEquals(z, ours, id + ": the regulariser's z draws");
            }

            assertTrue(p.has("adam"), "the optimiser is Adam");
            assertEquals(0.9, p.path("adam").path("betas").get(0).asDouble());
            assertEquals(0.999, p.path("adam").path("betas").get(1).asDouble());
            assertEquals(1, p.path("locality_samples").asInt());
            assertEquals(1, p.path("locality_interval").asInt());
            PivotalTuning.Settings s = new PivotalTuning.Settings(p.path("steps").asInt(), p.path("lr").asDouble(),
                    p.path("lpips_stop").asDouble(), p.path("l2_lambda").asDouble(), p.path("lpips_lambda").asDouble(), locality,
                    p.path("locality_alpha").asDouble(), p.path("locality_psi").asDouble(), p.path("locality_l2_lambda").asDouble(),
                    p.path("locality_lpips_lambda").asDouble(), p.path("seed").asLong(), 0, 0);

            Map<String, float[]> base = new LinkedHashMap<>();
            for (String n : names) base.put(n, g.tensors().get(n).toFloatArray());
            List<Step> steps = new ArrayList<>();
            service.forcePlan(plan);
            PivotalTuning.Result r;
            try {
                r = service.run(id, new PivotalTuning(g, lpips, pivot, photo, s, (rec, weights, grads) -> {
                    Map<String, float[]> gr = new LinkedHashMap<>();
                    if (steps.isEmpty()) for (String n : names) gr.put(n, grads.gradient(n).toFloatArray());
                    double[] delta = new double[names.size()];
                    for (int k = 0; k < names.size(); k++) {
                        float[] w = weights.parameter(names.get(k)).toFloatArray();
                        float[] w0 = base.get(names.get(k));
                        for (int i = 0; i < w.length; i++) delta[k] += Math.abs((double) w[i] - w0[i]);
                    }
                    steps.add(new Step(rec, gr, delta));
                }), null);
            } finally {
                service.forcePlan(null);
            }

            // the trace
            int done = c.path("steps_done").asInt();
            assertEquals(done, r.stepsDone(), id + ": steps done");
            assertEquals(c.path("stopped").isNull() ? PivotalTuning.Outcome.STEPS_DONE : PivotalTuning.Outcome.LPIPS_REACHED, r.outcome());
            JsonNode out = c.path("outputs");
            compare(r.history().stream().mapToDouble(PivotalTuning.StepRecord::l2).toArray(), t, out.path("l2"), tol, id);
            compare(r.history().stream().mapToDouble(PivotalTuning.StepRecord::lpips).toArray(), t, out.path("lpips"), tol, id);
            compare(r.history().stream().mapToDouble(PivotalTuning.StepRecord::total).toArray(), t, out.path("total"), tol, id);
            if (locality) {
                compare(r.history().stream().mapToDouble(PivotalTuning.StepRecord::locality).toArray(), t, out.path("locality"), tol, id);
            } else {
                assertFalse(out.has("locality"));
                assertTrue(r.history().stream().allMatch(x -> Double.isNaN(x.locality())));
            }
            // the first step's gradients, the distance every weight moved after every step, the final weights
            JsonNode gt = tol.path(out.path("grad_step1").path("group").asText());
            JsonNode wt = tol.path(out.path("final").path("group").asText());
            for (String n : names) {
                Golden.assertAllClose(steps.get(0).gradients().get(n), t.get(out.path("grad_step1").path("prefix").asText() + n).toFloatArray(),
                        gt.path("atol").asDouble(), gt.path("rtol").asDouble(), id + " gradient at step 1 of " + n);
                Golden.assertAllClose(tensor(r.weights(), n), t.get(out.path("final").path("prefix").asText() + n).toFloatArray(),
                        wt.path("atol").asDouble(), wt.path("rtol").asDouble(), id + " final " + n);
            }
            double[] deltas = new double[steps.size() * names.size()];
            for (int i = 0; i < steps.size(); i++) System.arraycopy(steps.get(i).deltaL1(), 0, deltas, i * names.size(), names.size());
            compare(deltas, t, out.path("delta_l1"), tol, id);
        } finally {
            g.close();
        }
    }

    private static float[] tensor(List<Tensor> weights, String name) throws Exception {
        for (Tensor w : weights) if (w.name().equals(name)) return w.toFloatArray();
        throw new AssertionError("the result lacks " + name);
    }

    private static void compare(double[] actual, TensorStore t, JsonNode output, JsonNode tol, String id) throws Exception {
        String name = output.path("tensor").asText();
        JsonNode g = tol.path(output.path("group").asText());
        assertTrue(g.has("atol"), id + ": no tolerance for " + name);
        Golden.assertAllClose(actual, t.get(name).toDoubleArray(), g.path("atol").asDouble(), g.path("rtol").asDouble(), id + " " + name);
    }
}
