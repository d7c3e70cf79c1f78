package dev.styleclip.edit;

import dev.styleclip.image.RgbImage;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;

import java.nio.file.Path;

/**
 * A photo becomes a latent: its face FFHQ-aligned ({@link PhotoAlignment}) at the size of the generator that inverts
 * it, then inverted ({@link PhotoInversion}). The studio's Invert and each photo of a recipe batch
 * ({@code recipe.RecipeBatch}: the studio's Apply recipe to folder, {@code apply-recipe}). With an encoder, the
 * generator that inverts is the encoder's decoder (loaded with it), otherwise the chosen generator; the two stages are
 * separate methods because a batch checks that generator against its recipe's and keeps the aligned face on disk
 * before the (long) inversion starts. {@code invert} takes a face aligned already and runs the second alone.
 */
public final class PhotoImport {

    /**
     * Where the networks come from; null entries: no encoder, the demo LPIPS trunk, no identity score (a demo ID network
     * would give a meaningless one), face-api not installed (then the face must be given by points).
     */
    public record Networks(GeneratorSource generator, Path encoder, Path lpipsVgg, Path identity, Path faceApiDir) {
    }

    /**
     * @param face   face-api's face number, 0 = the largest (ignored with points)
     * @param points eye centres and outer mouth corners, 8 numbers in photo pixels, or null to detect
     */
    public record Request(Path photo, int face, double[] points, PhotoInversion.Settings settings) {
    }

    public record Result(RgbImage aligned, PhotoInversion.Result inversion) {
    }

    private final Networks networks;
    private final RestyleInversion encoder;
    private final StyleGan3Generator generator;
    private final Lpips lpips;
    private final IdentityLoss identity;

    private PhotoImport(Networks networks, RestyleInversion encoder, StyleGan3Generator generator, Lpips lpips, IdentityLoss identity) {
        this.networks = networks;
        this.encoder = encoder;
        this.generator = generator;
        this.lpips = lpips;
        this.identity = identity;
    }

    /**
     * The networks {@code method} inverts with, from the model cache, all of them: a bad file fails here, before the
     * photo is aligned.
     */
    public static PhotoImport load(JobContext ctx, Networks n, PhotoInversion.Method method) throws Exception {
        RestyleInversion enc = null;
        StyleGan3Generator g;
        if (method.usesEncoder()) {
            if (n.encoder() == null) {
                throw new IllegalArgumentException("the " + method.cliName() + " method needs a ReStyle encoder (restyle_*_ffhq.pt)");
            }
            enc = EditNetworks.encoder(ctx, n.encoder(), n.generator());
            g = enc.decoder();
        } else {
            g = EditNetworks.generator(ctx, n.generator());
        }
        IdentityLoss id = n.identity() == null ? null : EditNetworks.identity(ctx.models(), n.identity());
        return new PhotoImport(n, enc, g, EditNetworks.lpips(ctx.models(), n.lpipsVgg()), id);
    }

    /** Both stages as one job (the studio's Invert). */
    public static Job<Result> job(Networks n, Request r) {
        return ctx -> {
            PhotoImport p = load(ctx, n, r.settings().method());
            RgbImage aligned = p.align(ctx, r.photo(), r.face(), r.points());
            return new Result(aligned, p.invert(ctx, aligned, r.settings()));
        };
    }

    /** The generator that inverts (the encoder's decoder with an encoder). */
    public StyleGan3Generator generator() {
        return generator;
    }

    /** The ReStyle encoder, or null for projection alone. */
    public RestyleInversion encoder() {
        return encoder;
    }

    /** The photo's face at this generator's size. */
    public RgbImage align(JobContext ctx, Path photo, int face, double[] points) throws Exception {
        return PhotoAlignment.alignForInversion(ctx.manager(), networks.faceApiDir(), photo, face, points, generator.resolution());
    }

    /** A face located in {@code photo} already ({@link PhotoPaste#locateAll}), aligned at this generator's size. */
    public RgbImage align(RgbImage photo, PhotoPaste.PlacedFace face) {
        return face.align(photo, generator.resolution()).image();
    }

    /** The aligned face's latent, with LPIPS (and ID, with an identity network) of its reconstruction. */
    public PhotoInversion.Result invert(JobContext ctx, RgbImage aligned, PhotoInversion.Settings settings) throws Exception {
        return new PhotoInversion(generator, encoder, lpips, identity, aligned, settings).run(ctx);
    }
}
