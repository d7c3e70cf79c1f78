package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.clip.ClipDemo;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.StyleClipFrontEnd;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
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
        ClipModel c = cache.get("clip", key(f.clip()), ClipModel.class,
                () -> f.clip() == null ? ClipDemo.create(NDManager.newBaseManager())
                        : ClipModel.load(ModelFiles.openStore(f.clip()), NDManager.newBaseManager()));
        IrSeBackbone backbone = cache.get("irse", key(f.id()), IrSeBackbone.class,
                () -> f.id() == null ? IrSeBackbone.demo() : IrSeBackbone.load(f.id()));
        IdentityLoss id = cache.get("idloss", key(f.id()), IdentityLoss.class, () -> new IdentityLoss(backbone));
        return new EditNetworks(cache, f, g, c, id);
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
        if (lpips == null) {
            lpips = cache.get("lpips", key(files.lpipsVgg()), Lpips.class,
                    () -> files.lpipsVgg() == null ? Lpips.demo() : Lpips.load(files.lpipsVgg(), null));
        }
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
