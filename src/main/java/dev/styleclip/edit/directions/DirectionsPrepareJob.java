package dev.styleclip.edit.directions;

import ai.djl.ndarray.types.DataType;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code prepare} step of global directions as a resumable {@link Job}: StyleSpace statistics over N sampled faces
 * ({@code stats.safetensors}), then the channel sweep in chunks ({@code chunk-NNNNNN.safetensors}: the CLIP features
 * of the chunk's channels and the working S after it — needed because the reference leaves every swept channel at
 * mean + strength·std), each written atomically, and finally {@code delta_i_c.safetensors} ({@code delta_i_c} [C, D],
 * {@code s_mean}, {@code s_std} [C], float32). A killed run resumes after its last complete chunk; a finished cache is
 * reused.
 *
 * <p>Statistics and sweep run in {@link Settings#precision()} (default {@link Precision#FLOAT64}: the float64 twins of
 * both networks are built once per run; stats and chunks are then stored as F64). Every file records its precision in
 * its metadata ({@code precision}; none = float32, files of earlier versions): a run refuses files of the other
 * precision, and the cache directory is per generator + CLIP pair AND precision ({@link #cacheKey}), so float32 and
 * float64 results never mix.
 */
public final class DirectionsPrepareJob implements Job<Path> {
    public static final String RESULT = "delta_i_c.safetensors";
    public static final String STATS = "stats.safetensors";
    /** The metadata key recording the precision of stats, chunks and the result. */
    public static final String PRECISION_KEY = "precision";

    /**
     * The sampling settings (reference: seed 0, 100000 images for the statistics, ψ 0.5, cutoff 8, strength 5) and the
     * arithmetic of the statistics and the sweep.
     */
    public record Settings(long seed, int images, double psi, Integer cutoff, double strength, int chunk, Precision precision) {
        public Settings {
            if (precision == null) precision = Precision.DEFAULT;
        }

        /** In the default precision ({@link Precision#DEFAULT}). */
        public Settings(long seed, int images, double psi, Integer cutoff, double strength, int chunk) {
            this(seed, images, psi, cutoff, strength, chunk, Precision.DEFAULT);
        }

        public static Settings defaults() {
            return new Settings(0, 8, 0.5, 8, 5, 16, Precision.DEFAULT);
        }

        public Settings withPrecision(Precision p) {
            return new Settings(seed, images, psi, cutoff, strength, chunk, p);
        }

        /**
         * The reference's truncation cutoff for {@code g}: the first 8 ws, or all of them for a generator with fewer
         * (the studio's preparation and {@code directions prepare} sample the same faces).
         */
        public static Integer cutoff(StyleGan3Generator g) {
            return g.numWs() >= 8 ? 8 : null;
        }
    }

    private final StyleGan3Generator generator;
    private final ClipModel clip;
    private final Settings settings;
    private final Path dir;

    /** {@code generator} and {@code clip} are the float32 networks (their float64 twins are made as needed). */
    public DirectionsPrepareJob(StyleGan3Generator generator, ClipModel clip, Settings settings, Path dir) {
        if (settings.images() < 2) throw new IllegalArgumentException("directions need at least 2 sample images");
        if (settings.chunk() < 1) throw new IllegalArgumentException("the chunk size must be at least 1");
        this.generator = generator;
        this.clip = clip;
        this.settings = settings;
        this.dir = dir;
    }

    /**
     * The cache folder name: sha256 over the two model files' identities (absolute path, size, modification time), or
     * their source labels for demo networks (null paths), then {@code -float64} / {@code -float32}.
     */
    public static String cacheKey(Path generatorFile, Path clipFile, String generatorSource, String clipSource,
                                  Precision precision) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object[] f : new Object[][]{{generatorFile, generatorSource}, {clipFile, clipSource}}) {
                Path p = (Path) f[0];
                String id = p == null ? "demo:" + f[1]
                        : p.toAbsolutePath().normalize() + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis();
                md.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 24) + "-" + precision.id();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The precision a prepared file records (files without the key are float32: earlier versions, imports excepted). */
    static Precision recorded(TensorStore t) {
        Object p = t.metadata().get(PRECISION_KEY);
        return p == null ? Precision.FLOAT32 : Precision.parse(p.toString());
    }

    /** Refuses a stats or chunk file of the other precision (resuming it would mix float32 and float64 results). */
    private void requirePrecision(Path file, TensorStore t) {
        Precision p = recorded(t);
        if (p != settings.precision()) {
            throw new IllegalStateException(file + " holds a " + p.id() + " preparation, this one runs in "
                    + settings.precision().id() + ": delete " + dir + " or prepare with --precision " + p.id());
        }
    }

    private Tensor tensor(String name, long[] shape, double[] v) {
        return settings.precision() == Precision.FLOAT64 ? Tensor.ofDoubles(name, shape, v)
                : Tensor.ofFloats(name, shape, GlobalDirections.narrow(v));
    }

    @Override
    public Path run(JobContext ctx) throws Exception {
        Files.createDirectories(dir);
        Path result = dir.resolve(RESULT);
        if (Files.isRegularFile(result)) {
            TensorStore t = Safetensors.read(result);
            // a prepared result records its precision; an imported one (imported_from) has none and serves any
            if (t.metadata().containsKey(PRECISION_KEY)) requirePrecision(result, t);
            ctx.emit(Frame.status(ctx.jobName(), 1, 1, ctx.elapsedMs(), "cached: " + result));
            return result;
        }
        Precision precision = settings.precision();
        StyleGan3Generator g64 = null;
        ClipModel c64 = null;
        try {
            if (precision == Precision.FLOAT64) {
                g64 = generator.dataType() == DataType.FLOAT64 ? null : generator.toFloat64(ctx.manager());
                c64 = clip.dataType() == DataType.FLOAT64 ? null : clip.toFloat64(ctx.manager());
            } else if (generator.dataType() != DataType.FLOAT32 || clip.dataType() != DataType.FLOAT32) {
                throw new IllegalArgumentException("a float32 preparation needs the float32 networks");
            }
            return prepare(ctx, result, g64 != null ? g64 : generator, c64 != null ? c64 : clip);
        } finally {
            if (g64 != null) g64.close();
            if (c64 != null) c64.close();
        }
    }

    private Path prepare(JobContext ctx, Path result, StyleGan3Generator g, ClipModel cm) throws Exception {
        Precision precision = settings.precision();
        int n = settings.images();
        int c = GlobalDirections.channelCount(g);
        double[] s, mean, std;
        Path stats = dir.resolve(STATS);
        if (Files.isRegularFile(stats)) {
            TensorStore t = Safetensors.read(stats);
            requirePrecision(stats, t);
            s = t.get("S").toDoubleArray();
            mean = t.get("s_mean").toDoubleArray();
            std = t.get("s_std").toDoubleArray();
            if (s.length != n * c) throw new IllegalArgumentException(stats + " was made with other settings: delete " + dir);
        } else {
            ctx.emit(Frame.status(ctx.jobName(), 0, c, ctx.elapsedMs(), "StyleSpace statistics over " + n + " faces ("
                    + precision.id() + ")"));
            GlobalDirections.Statistics st = ctx.step(tmp -> GlobalDirections.statistics(g, settings.seed(), n, settings.psi(),
                    settings.cutoff(), tmp));
            s = st.s();
            mean = st.mean();
            std = st.std();
            Safetensors.write(stats, List.of(tensor("S", new long[]{n, c}, s), tensor("s_mean", new long[]{c}, mean),
                            tensor("s_std", new long[]{c}, std), tensor("transform_theta_x_y", new long[]{3}, st.transform())),
                    Map.of("images", Integer.toString(n), "strength", Double.toString(settings.strength()),
                            PRECISION_KEY, precision.id()));
        }
        // n images per synthesis batch, split only when the whole batch cannot fit
        MemoryPlanner.Plan mem = MemoryPlanner.planSplittable(ctx, MemoryPlanner.Task.DIRECTIONS, n, g, List.of(cm));
        ctx.emit(Frame.status(ctx.jobName(), 0, c, ctx.elapsedMs(), "memory: " + mem.summary()
                + (mem.batch() < n ? "; " + mem.batch() + " of the " + n + " faces at a time" : "")));
        int d = -1;
        double[] features = null;
        double[] sWork = s.clone();
        int done = 0;
        // resume: consecutive chunks already on disk
        while (true) {
            Path chunk = dir.resolve(chunkName(done));
            if (!Files.isRegularFile(chunk)) break;
            TensorStore t = Safetensors.read(chunk);
            requirePrecision(chunk, t);
            Tensor f = t.get("features");
            int k = (int) f.shape()[0];
            d = (int) f.shape()[3];
            if (features == null) features = new double[c * n * 2 * d];
            System.arraycopy(f.toDoubleArray(), 0, features, done * n * 2 * d, k * n * 2 * d);
            sWork = t.get("s_work").toDoubleArray();
            done += k;
        }
        if (done > 0) ctx.emit(Frame.status(ctx.jobName(), done, c, ctx.elapsedMs(), "resuming after channel " + done));
        while (done < c) {
            int from = done;
            int to = Math.min(c, from + settings.chunk());
            double[] work = sWork;
            List<GlobalDirections.ChannelResult> res = ctx.step(tmp -> GlobalDirections.sweep(g, cm, work, n,
                    mean, std, settings.strength(), from, to, Set.of(), tmp, null, mem));
            d = res.get(0).features().length / (2 * n);
            if (features == null) features = new double[c * n * 2 * d];
            double[] chunkF = new double[(to - from) * n * 2 * d];
            for (GlobalDirections.ChannelResult r : res) {
                System.arraycopy(r.features(), 0, features, r.channel() * n * 2 * d, n * 2 * d);
                System.arraycopy(r.features(), 0, chunkF, (r.channel() - from) * n * 2 * d, n * 2 * d);
            }
            Safetensors.write(dir.resolve(chunkName(from)), List.of(
                    tensor("features", new long[]{to - from, n, 2, d}, chunkF),
                    tensor("s_work", new long[]{n, c}, work)), Map.of("from", Integer.toString(from), "to", Integer.toString(to),
                    PRECISION_KEY, precision.id()));
            done = to;
            ctx.emit(new Frame(ctx.jobName(), done, c, Map.of(), Double.NaN, Map.of(), null, ctx.elapsedMs(),
                    "channels " + done + "/" + c));
        }
        float[] dic = GlobalDirections.deltaIC(features, c, n, d);
        Safetensors.write(result, List.of(Tensor.ofFloats("delta_i_c", new long[]{c, d}, dic),
                Tensor.ofFloats("s_mean", new long[]{c}, GlobalDirections.narrow(mean)),
                Tensor.ofFloats("s_std", new long[]{c}, GlobalDirections.narrow(std))),
                Map.of("images", Integer.toString(n), "strength", Double.toString(settings.strength()),
                        "generator", generator.source(), "clip", clip.source(), PRECISION_KEY, precision.id()));
        return result;
    }

    static String chunkName(int from) {
        return String.format("chunk-%06d.safetensors", from);
    }

    /** Reads a prepared (or imported) result: {delta_i_c [C·D], s_mean [C], s_std [C]} and D. */
    public static Prepared load(Path file) throws Exception {
        TensorStore t = Safetensors.read(file);
        Tensor dic = t.get("delta_i_c");
        return new Prepared(dic.toFloatArray(), (int) dic.shape()[0], (int) dic.shape()[1], t.get("s_mean").toFloatArray(),
                t.get("s_std").toFloatArray());
    }

    /** A prepared direction basis. */
    public record Prepared(float[] deltaIC, int channels, int dim, float[] sMean, float[] sStd) {
    }
}
