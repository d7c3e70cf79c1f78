package dev.styleclip.edit.directions;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
 * {@code s_mean}, {@code s_std} [C]). A killed run resumes after its last complete chunk; a finished cache is reused.
 * The cache directory is per generator + CLIP pair ({@link #cacheKey}).
 */
public final class DirectionsPrepareJob implements Job<Path> {
    public static final String RESULT = "delta_i_c.safetensors";
    public static final String STATS = "stats.safetensors";

    /** The sampling settings (reference: seed 0, 100000 images for the statistics, ψ 0.5, cutoff 8, strength 5). */
    public record Settings(long seed, int images, double psi, Integer cutoff, double strength, int chunk) {
        public static Settings defaults() {
            return new Settings(0, 8, 0.5, 8, 5, 16);
        }
    }

    private final StyleGan3Generator generator;
    private final ClipModel clip;
    private final Settings settings;
    private final Path dir;

    public DirectionsPrepareJob(StyleGan3Generator generator, ClipModel clip, Settings settings, Path dir) {
        if (settings.images() < 2) throw new IllegalArgumentException("directions need at least 2 sample images");
        if (settings.chunk() < 1) throw new IllegalArgumentException("the chunk size must be at least 1");
        this.generator = generator;
        this.clip = clip;
        this.settings = settings;
        this.dir = dir;
    }

    /**
     * sha256 over the two model files' identities (absolute path, size, modification time), or their source labels for
     * demo networks (null paths).
     */
    public static String cacheKey(Path generatorFile, Path clipFile, String generatorSource, String clipSource) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object[] f : new Object[][]{{generatorFile, generatorSource}, {clipFile, clipSource}}) {
                Path p = (Path) f[0];
                String id = p == null ? "demo:" + f[1]
                        : p.toAbsolutePath().normalize() + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis();
                md.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest()).substring(0, 24);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Path run(JobContext ctx) throws Exception {
        Files.createDirectories(dir);
        Path result = dir.resolve(RESULT);
        if (Files.isRegularFile(result)) {
            ctx.emit(Frame.status(ctx.jobName(), 1, 1, ctx.elapsedMs(), "cached: " + result));
            return result;
        }
        int n = settings.images();
        int c = GlobalDirections.channelCount(generator);
        float[][] ms;
        float[] s;
        Path stats = dir.resolve(STATS);
        if (Files.isRegularFile(stats)) {
            TensorStore t = Safetensors.read(stats);
            s = t.get("S").toFloatArray();
            ms = new float[][]{t.get("s_mean").toFloatArray(), t.get("s_std").toFloatArray()};
            if (s.length != n * c) throw new IllegalArgumentException(stats + " was made with other settings: delete " + dir);
        } else {
            ctx.emit(Frame.status(ctx.jobName(), 0, c, ctx.elapsedMs(), "StyleSpace statistics over " + n + " faces"));
            s = ctx.step(tmp -> {
                NDArray ws = GlobalDirections.statisticsWs(generator, settings.seed(), n, settings.psi(), settings.cutoff(), tmp);
                return GlobalDirections.w2s(generator, ws).toFloatArray();
            });
            ms = GlobalDirections.meanStd(s, n, c);
            Safetensors.write(stats, List.of(Tensor.ofFloats("S", new long[]{n, c}, s),
                    Tensor.ofFloats("s_mean", new long[]{c}, ms[0]), Tensor.ofFloats("s_std", new long[]{c}, ms[1]),
                    Tensor.ofFloats("transform_theta_x_y", new long[]{3}, GlobalDirections.transformStats(s, n, c))),
                    Map.of("images", Integer.toString(n), "strength", Double.toString(settings.strength())));
        }
        int d = -1;
        float[] features = null;
        float[] sWork = s.clone();
        int done = 0;
        // resume: consecutive chunks already on disk
        while (true) {
            Path chunk = dir.resolve(chunkName(done));
            if (!Files.isRegularFile(chunk)) break;
            TensorStore t = Safetensors.read(chunk);
            Tensor f = t.get("features");
            int k = (int) f.shape()[0];
            d = (int) f.shape()[3];
            if (features == null) features = new float[c * n * 2 * d];
            System.arraycopy(f.toFloatArray(), 0, features, done * n * 2 * d, k * n * 2 * d);
            sWork = t.get("s_work").toFloatArray();
            done += k;
        }
        if (done > 0) ctx.emit(Frame.status(ctx.jobName(), done, c, ctx.elapsedMs(), "resuming after channel " + done));
        while (done < c) {
            int from = done;
            int to = Math.min(c, from + settings.chunk());
            float[] work = sWork;
            List<GlobalDirections.ChannelResult> res = ctx.step(tmp -> GlobalDirections.sweep(generator, clip, work, n,
                    ms[0], ms[1], settings.strength(), from, to, Set.of(), tmp, null));
            d = res.get(0).features().length / (2 * n);
            if (features == null) features = new float[c * n * 2 * d];
            float[] chunkF = new float[(to - from) * n * 2 * d];
            for (GlobalDirections.ChannelResult r : res) {
                System.arraycopy(r.features(), 0, features, r.channel() * n * 2 * d, n * 2 * d);
                System.arraycopy(r.features(), 0, chunkF, (r.channel() - from) * n * 2 * d, n * 2 * d);
            }
            Safetensors.write(dir.resolve(chunkName(from)), List.of(
                    Tensor.ofFloats("features", new long[]{to - from, n, 2, d}, chunkF),
                    Tensor.ofFloats("s_work", new long[]{n, c}, work)), Map.of("from", Integer.toString(from), "to", Integer.toString(to)));
            done = to;
            ctx.emit(new Frame(ctx.jobName(), done, c, Map.of(), Double.NaN, Map.of(), null, ctx.elapsedMs(),
                    "channels " + done + "/" + c));
        }
        float[] dic = GlobalDirections.deltaIC(features, c, n, d);
        Safetensors.write(result, List.of(Tensor.ofFloats("delta_i_c", new long[]{c, d}, dic),
                Tensor.ofFloats("s_mean", new long[]{c}, ms[0]), Tensor.ofFloats("s_std", new long[]{c}, ms[1])),
                Map.of("images", Integer.toString(n), "strength", Double.toString(settings.strength()),
                        "generator", generator.source(), "clip", clip.source()));
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
