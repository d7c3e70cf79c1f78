package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.clip.ClipDemo;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.StyleClipFrontEnd;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.model.encoder.RestyleInversion;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.ModelCache;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks an edit needs — StyleGAN3 generator, CLIP, the ArcFace (IR-SE) identity net and LPIPS — loaded once
 * through the {@link ModelCache} of the compute thread. A file left null (or missing from {@link Files}) is replaced by
 * the matching demo network ({@link DemoNetworks}, {@link ClipDemo}, {@link IrSeBackbone#demo()}, {@link Lpips#demo()}):
 * random weights with the real architectures, so everything runs but results are patterns; {@link #isDemo()} tells, and
 * outputs must then say {@value DemoNetworks#LABEL}.
 *
 * <p>LPIPS is loaded lazily on the first {@link #lpips()} call (only metrics need it). The cache owns the networks: do
 * not close them. Use on the compute thread only.
 */
public final class EditNetworks {

    /**
     * The model files; any may be null (demo network). {@code lpipsVgg} is a torchvision VGG16 file (lin weights
     * bundled); the generator is a file or a demo network of a published architecture.
     */
    public record Files(GeneratorSource generator, Path clip, Path id, Path lpipsVgg) {
        public Files {
            if (generator == null) generator = GeneratorSource.fileOrDemo(null);
        }

        /** With a generator file (null: the default demo network). */
        public Files(Path generator, Path clip, Path id, Path lpipsVgg) {
            this(GeneratorSource.fileOrDemo(generator), clip, id, lpipsVgg);
        }

        public static Files demo() {
            return new Files((Path) null, null, null, null);
        }

        /** The generator file, or null for a demo network. */
        public Path generatorFile() {
            return generator.file();
        }
    }

    private final ModelCache cache;
    private final Files files;
    private final StyleGan3Generator generator;
    private final ClipModel clip;
    private final IdentityLoss identity;
    private final StyleClipFrontEnd frontEnd;
    private Lpips lpips;

    private EditNetworks(ModelCache cache, Files files, StyleGan3Generator generator, ClipModel clip, IdentityLoss identity) {
        this.cache = cache;
        this.files = files;
        this.generator = generator;
        this.clip = clip;
        this.identity = identity;
        this.frontEnd = new StyleClipFrontEnd(generator.resolution(), clip.inputResolution());
    }

    /** Loads (or takes from the cache) the generator, CLIP and ID networks. */
    public static EditNetworks load(ModelCache cache, Files files) throws Exception {
        Files f = files == null ? Files.demo() : files;
        StyleGan3Generator g = cache.get("generator", f.generator().key(), StyleGan3Generator.class,
                () -> f.generator().open(NDManager.newBaseManager()));
        return new EditNetworks(cache, f, g, clip(cache, f.clip()), identity(cache, f.id()));
    }

    // The loaders below are the one place each network's cache entry is named, so that a job that needs only one of
    // them (render, invert) shares the copy an edit job loaded, and the other way round.

    /** The generator of {@code source} on the job's device, from the cache entry every job shares. */
    public static StyleGan3Generator generator(JobContext ctx, GeneratorSource source) throws Exception {
        return ctx.models().get("generator", source.key(), StyleGan3Generator.class,
                () -> source.open(NDManager.newBaseManager(ctx.device())));
    }

    /** CLIP of a TorchScript file (null: the demo CLIP). */
    public static ClipModel clip(ModelCache cache, Path clip) throws Exception {
        return cache.get("clip", key(clip), ClipModel.class, () -> clip == null ? ClipDemo.create(NDManager.newBaseManager())
                : ClipModel.load(ModelFiles.openStore(clip), NDManager.newBaseManager()));
    }

    /** The ArcFace identity loss of an IR-SE file (null: the demo backbone). */
    public static IdentityLoss identity(ModelCache cache, Path id) throws Exception {
        IrSeBackbone backbone = cache.get("irse", key(id), IrSeBackbone.class,
                () -> id == null ? IrSeBackbone.demo() : IrSeBackbone.load(id));
        return cache.get("idloss", key(id), IdentityLoss.class, () -> new IdentityLoss(backbone));
    }

    /** LPIPS over a torchvision VGG16 file with the bundled lin weights (null: the demo VGG trunk). */
    public static Lpips lpips(ModelCache cache, Path vgg) throws Exception {
        return cache.get("lpips", key(vgg), Lpips.class, () -> vgg == null ? Lpips.demo() : Lpips.load(vgg, null));
    }

    /** A ReStyle encoder checkpoint over the generator of {@code generator} (its decoder). */
    public static RestyleInversion encoder(JobContext ctx, Path file, GeneratorSource generator) throws Exception {
        return ctx.models().get("encoder", file.toAbsolutePath() + "|" + generator.key(), RestyleInversion.class,
                () -> RestyleInversion.load(file, generator.file()));
    }

    /** face-api's networks from their folder on the job's device (the studio's face check beside the ArcFace score). */
    public static FaceApi faceApi(JobContext ctx, Path dir) throws Exception {
        return ctx.models().get("face-api", dir.toAbsolutePath().toString(), FaceApi.class,
                () -> FaceApi.open(dir, NDManager.newBaseManager(ctx.device())));
    }

    private static Object key(Path p) {
        return p == null ? "demo" : p.toAbsolutePath().normalize().toString();
    }

    public StyleGan3Generator generator() {
        return generator;
    }

    public ClipModel clip() {
        return clip;
    }

    public IdentityLoss identity() {
        return identity;
    }

    /** StyleCLIP's CLIP front end from the generator's size to CLIP's input size. */
    public StyleClipFrontEnd frontEnd() {
        return frontEnd;
    }

    /** LPIPS (VGG), loaded on first use. */
    public Lpips lpips() throws Exception {
        if (lpips == null) lpips = lpips(cache, files.lpipsVgg());
        return lpips;
    }

    public Files files() {
        return files;
    }

    public boolean generatorIsDemo() {
        return files.generator().isDemo();
    }

    public boolean clipIsDemo() {
        return files.clip() == null;
    }

    public boolean idIsDemo() {
        return files.id() == null;
    }

    /** Whether any of generator, CLIP or ID network is a demo network (LPIPS alone does not count: it only scores). */
    public boolean isDemo() {
        return generatorIsDemo() || clipIsDemo() || idIsDemo();
    }

    /** The names of the demo networks in use, e.g. ["generator", "CLIP"]. */
    public List<String> demoParts() {
        List<String> out = new ArrayList<>();
        if (generatorIsDemo()) out.add("generator");
        if (clipIsDemo()) out.add("CLIP");
        if (idIsDemo()) out.add("ID");
        if (files.lpipsVgg() == null) out.add("LPIPS");
        return out;
    }

    /** One line for logs and reports: which networks are demo networks. */
    public String describe() {
        List<String> demo = demoParts();
        if (demo.isEmpty()) return "networks: all from files";
        return DemoNetworks.LABEL + " (random weights) for: " + String.join(", ", demo);
    }
}
