package dev.styleclip.edit;

import dev.styleclip.image.AlphaMask;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.image.FaceRegions;
import dev.styleclip.image.QuadMap;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Region-limited latent optimisation on the tiny golden networks (32² generator, demo LPIPS trunk): an edit of the mouth
 * only holds the rest of the picture (the keep term in the loss, its value in every frame, LPIPS outside in the
 * metrics); λ_keep 0 leaves the run exactly as it was without regions (the term is only measured).
 *
 * <p>What this generator cannot show is the change moving <em>into</em> the mouth: its weights are random, so every
 * style channel's pattern covers the whole 32² picture and no latent direction changes one part alone. Measured here
 * (8–80 steps, lr 0.01–0.1, λ_keep 0.05–1, five placements of the region): the keep term shrinks the change inside and outside
 * alike — the inside/outside ratio with it is within ±25 % of the ratio without, either way. That the term weighs
 * only the kept pixels, and pulls only on them, is {@link KeepLossTest}'s; which side of the edge is kept,
 * {@link EditRegionsTest}'s.
 *
 * <p>The mask is synthetic: the 32² picture of the tiny generator is a pattern, not a face, so the landmarks are the
 * FFHQ mean face scaled up three times and placed with its mouth in the middle of the picture — a mouth region of about
 * a fifth of the picture, large enough for the comparison to mean something at 32².
 */
class RegionEditTest {
    static final int SIZE = 32;
    static ComputeService service;

    @BeforeAll
    static void start() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    /** The mean face three times the picture's size, its mouth centre ((0.5, 0.745) of the square) at the picture's centre. */
    static FaceLandmarks bigMouth() {
        double side = 3 * SIZE;
        double[] origin = {SIZE / 2.0 - 0.5 * side, SIZE / 2.0 - 0.745 * side};
        double[][] lm = FaceRegions.template(new QuadMap(origin, new double[]{side, 0}, new double[]{0, side}));
        return new FaceLandmarks(lm, SIZE, FaceLandmarks.Origin.PHOTO, "synthetic: the mean face, its mouth in the middle");
    }

    private static LatentOptimization.Result run(LatentOptimization.Settings s, List<Frame> frames) throws Exception {
        return service.run("region edit", ctx -> new LatentOptimization(EditNetworks.load(ctx.models(), EditGoldenTest.goldenFiles()), s,
                LatentOptimization.Start.seed(5, 0.7), FaceLandmarks.given(bigMouth()), null).run(ctx), frames == null ? null : frames::add);
    }

    private static LatentOptimization.Settings settings() {
        return LatentOptimization.Settings.defaults("a person with purple hair").withSteps(20).withLr(0.03)
                .withSchedule(LatentOptimization.ScheduleKind.CONSTANT).withPreviewSize(-1);
    }

    /** Mean absolute change per pixel (over channels) where {@code inside} is, and where it is not: {inside, outside}. */
    static double[] change(LatentOptimization.Result r, boolean[] inside) {
        float[] a = r.imageBefore(), b = r.imageAfter();
        int plane = SIZE * SIZE;
        double[] sum = new double[2];
        int[] n = new int[2];
        for (int i = 0; i < plane; i++) {
            double d = 0;
            for (int c = 0; c < 3; c++) d += Math.abs(b[c * plane + i] - a[c * plane + i]);
            int k = inside[i] ? 0 : 1;
            sum[k] += d / 3;
            n[k]++;
        }
        return new double[]{sum[0] / n[0], sum[1] / n[1]};
    }

    @Test
    void anEditOfTheMouthHoldsTheRestOfThePicture() throws Exception {
        // λ_keep 0.3: at the default 1.0 this tiny CLIP's loss no longer falls within 20 steps
        EditRegions mouth = EditRegions.of(EditRegions.Mode.EDIT_ONLY, Set.of(FaceRegion.MOUTH)).withEdge(1, 2).withKeepWeight(0.3);
        List<Frame> frames = new CopyOnWriteArrayList<>();
        LatentOptimization.Result free = run(settings(), null);
        LatentOptimization.Result held = run(settings().withRegions(mouth), frames);

        AlphaMask m = mouth.chosenMask(bigMouth().points(), SIZE);
        boolean[] inside = new boolean[SIZE * SIZE];
        int count = 0;
        for (int i = 0; i < inside.length; i++) {
            inside[i] = m.alpha()[i] > 0.5f;
            if (inside[i]) count++;
        }
        assertTrue(count > 80 && count < 400, "the synthetic mouth covers a fair part of the picture: " + count + " pixels");

        double[] f = change(free, inside), h = change(held, inside);
        assertTrue(f[1] > 0.2, "without regions the edit changes the picture outside the mouth: " + f[1]);
        assertTrue(h[1] < 0.5 * f[1], "the keep term holds the picture outside the mouth: mean change " + h[1] + " with it, " + f[1] + " without");
        assertTrue(held.history().get(held.history().size() - 1).clip() < held.history().get(0).clip(),
                "while the prompt still moves the picture");

        // the keep term in every step's losses and frames, the change outside in the metrics, the note in the result
        for (LatentOptimization.StepRecord s : held.history()) assertTrue(Double.isFinite(s.keep()) && s.keep() >= 0, "keep at step " + s.step());
        for (LatentOptimization.StepRecord s : free.history()) assertTrue(Double.isNaN(s.keep()), "no keep term without regions");
        Frame step = frames.stream().filter(x -> x.step() == 2 && x.message() == null).findFirst().orElseThrow();
        assertEquals(List.of("total", "clip", "l2", "id", "keep"), List.copyOf(step.losses().keySet()));
        assertTrue(Double.isFinite(held.metrics().lpipsOutside()), "LPIPS outside the mouth is measured");
        assertTrue(held.metrics().asMap().containsKey(Metrics.LPIPS_OUTSIDE));
        assertFalse(free.metrics().asMap().containsKey(Metrics.LPIPS_OUTSIDE), "no regions, no LPIPS outside");
        assertTrue(held.regionNote().startsWith("edit only mouth: synthetic"), held.regionNote());
        assertNull(free.regionNote());
        assertTrue(frames.get(0).message().contains("edit only mouth"), frames.get(0).message());
    }

    @Test
    void keepWeightZeroOnlyMeasures() throws Exception {
        EditRegions measured = EditRegions.of(EditRegions.Mode.KEEP, EnumSet.of(FaceRegion.BACKGROUND, FaceRegion.EYES)).withKeepWeight(0);
        LatentOptimization.Result plain = run(settings().withSteps(3), null);
        LatentOptimization.Result zero = run(settings().withSteps(3).withRegions(measured), null);
        assertArrayEquals(plain.wsFinal(), zero.wsFinal(), "λ_keep 0: the same latent, bit for bit");
        assertArrayEquals(plain.imageAfter(), zero.imageAfter());
        for (int i = 0; i < plain.history().size(); i++) {
            assertEquals(plain.history().get(i).total(), zero.history().get(i).total(), 0.0, "the total leaves the keep term out");
            assertTrue(Double.isFinite(zero.history().get(i).keep()), "but it is measured");
        }
        assertTrue(Double.isFinite(zero.metrics().lpipsOutside()));
    }
}
