package dev.styleclip.edit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.PilResample;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.nn.Nd;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.Pixels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An aligned face photo → a W+ latent, the way the studio and {@code apply-recipe} invert photos: a ReStyle encoder, a
 * projection (NVIDIA's projector against LPIPS-VGG features), or the encoder followed by a short projection from its
 * latent. Frames stream from whichever part runs. The result carries the reconstruction and how faithful it is: LPIPS
 * to the photo and, with an identity network, the ArcFace cosine between photo and reconstruction.
 */
public final class PhotoInversion implements Job<PhotoInversion.Result> {

    public enum Method {
        // the order the studio offers them in: the encoder first, it is fast
        ENCODER("encoder (ReStyle)"), PROJECTION("projection (LPIPS)"), ENCODER_PROJECTION("encoder + projection");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        /** For people: "encoder (ReStyle)", "projection (LPIPS)", "encoder + projection". */
        public String label() {
            return label;
        }

        public boolean usesEncoder() {
            return this != PROJECTION;
        }

        public boolean usesProjection() {
            return this != ENCODER;
        }

        /** "projection", "encoder" or "encoder+projection". */
        public String cliName() {
            return this == ENCODER_PROJECTION ? "encoder+projection" : name().toLowerCase(Locale.ROOT);
        }

        public static Method parse(String s) {
            for (Method m : values()) if (m.cliName().equalsIgnoreCase(s.trim())) return m;
            throw new IllegalArgumentException("the inversion method must be projection, encoder or encoder+projection, not '" + s + "'");
        }
    }

    /**
     * @param steps        projection steps (null: 1000 alone, 100 after the encoder)
     * @param iterations   encoder iterations (null: the checkpoint's own count)
     * @param previewEvery a picture every n projection steps (0: none)
     */
    public record Settings(Method method, Integer steps, Integer iterations, boolean wPlus, int wAvgSamples, int previewEvery) {
        public Settings {
            if (steps != null && steps < 1) throw new IllegalArgumentException("projection steps must be at least 1");
            if (iterations != null && iterations < 1) throw new IllegalArgumentException("encoder iterations must be at least 1");
            Projection.checkWAvgSamples(wAvgSamples);
        }

        public static Settings of(Method method) {
            return new Settings(method, null, null, false, 10_000, 10);
        }
    }

    /**
     * One part of an inversion as it ran: the encoder's iterations or the projection's steps, and how close its own last
     * picture came (LPIPS; for the encoder with an identity network also the ArcFace cosine, else NaN).
     *
     * @param name "encoder" or "projection"
     */
    public record Stage(String name, int steps, double lpips, double idSimilarity, long elapsedMs) {
    }

    /**
     * w [1, numWs, wDim] flattened; the reconstruction; LPIPS; ArcFace cosine (NaN without an identity network); the
     * stages that ran, in order.
     */
    public record Result(float[] w, int numWs, int wDim, Method method, Pixels reconstruction, double lpips, double idSimilarity,
                         long elapsedMs, List<Stage> stages) {
        public long[] shape() {
            return new long[]{1, numWs, wDim};
        }
    }

    private final StyleGan3Generator generator;
    private final RestyleInversion encoder;
    private final Lpips lpips;
    private final IdentityLoss identity;
    private final RgbImage photo;
    private final Settings settings;

    /**
     * @param generator the generator to project with (with an encoder, its decoder is used and this may be null)
     * @param encoder   needed by the encoder methods, else may be null
     * @param identity  for the ID similarity of the result; may be null
     */
    public PhotoInversion(StyleGan3Generator generator, RestyleInversion encoder, Lpips lpips, IdentityLoss identity, RgbImage photo,
                          Settings settings) {
        if (settings.method().usesEncoder() && encoder == null) {
            throw new IllegalArgumentException("the " + settings.method().cliName() + " method needs a ReStyle encoder (restyle_*_ffhq.pt)");
        }
        if (!settings.method().usesEncoder() && generator == null) throw new IllegalArgumentException("projection needs a generator");
        this.generator = settings.method().usesEncoder() ? encoder.decoder() : generator;
        this.encoder = encoder;
        this.lpips = lpips;
        this.identity = identity;
        this.photo = photo;
        this.settings = settings;
    }

    public StyleGan3Generator generator() {
        return generator;
    }

    @Override
    public Result run(JobContext ctx) throws Exception {
        float[] start = null;
        List<Stage> stages = new ArrayList<>();
        long stageStart = ctx.elapsedMs();
        if (settings.method().usesEncoder()) {
            EncoderInversion.Result r = new EncoderInversion(encoder, photo, settings.iterations() == null ? 0 : settings.iterations(),
                    lpips, identity).run(ctx);
            start = r.w();
            stages.add(new Stage("encoder", r.latents().size(), r.lpips(), r.idSimilarity(), ctx.elapsedMs() - stageStart));
            stageStart = ctx.elapsedMs();
        }
        int res = generator.resolution();
        float[] target = Projection.photoToChw(PilResample.resizeLanczos(centerSquare(photo), res, res).rgb(), res);
        float[] w = start;
        if (settings.method().usesProjection()) {
            Projection.Settings s = start == null ? new Projection.Settings() : Projection.Settings.refinement();
            if (start != null) s.start(start);
            if (settings.steps() != null) s.steps(settings.steps());
            if (settings.wPlus()) s.wPlus(true);
            if (start == null) s.wAvgSamples(settings.wAvgSamples());
            s.previewEvery(settings.previewEvery());
            Projection.Result r = new Projection(generator, lpips, target, s).run(ctx);
            w = r.w();
            stages.add(new Stage("projection", r.losses().length, r.loss(), Double.NaN, ctx.elapsedMs() - stageStart));
        }
        final float[] result = w;
        int numWs = generator.numWs(), wDim = generator.wDim();
        List<MemoryFootprint> scorers = new ArrayList<>(List.of(lpips));
        if (identity != null) scorers.add(identity);
        StyleGan3Generator.Options gen = StyleGan3Generator.Options.with(
                MemoryPlanner.plan(ctx, MemoryPlanner.Task.GENERATE, 1, generator, scorers).synthesis());
        Object[] scored = ctx.step(sm -> {
            NDArray ws = Nd.constant(sm, result, new Shape(1, numWs, wDim));
            NDArray img = generator.synthesis(ws, gen);
            NDArray tgt = Nd.constant(sm, target, new Shape(1, 3, res, res));
            double d;
            try (Lpips.Target t = lpips.target(Lpips.lossSized(tgt))) {
                d = lpips.distance(Lpips.lossSized(img), t).sum().getFloat();
            }
            double id = Double.NaN;
            if (identity != null) id = identity.features(img).mul(identity.features(tgt)).sum().getFloat();
            return new Object[]{Projection.pixels(img), d, id};
        });
        Pixels rec = (Pixels) scored[0];
        return new Result(result, numWs, wDim, settings.method(), rec, (Double) scored[1], (Double) scored[2], ctx.elapsedMs(),
                List.copyOf(stages));
    }

    /** The centre square of a photo (NVIDIA's projector crops the shorter side before resizing). */
    public static RgbImage centerSquare(RgbImage img) {
        int w = img.width(), h = img.height();
        if (w == h) return img;
        int s = Math.min(w, h);
        return img.crop((w - s) / 2, (h - s) / 2, s, s);
    }
}
