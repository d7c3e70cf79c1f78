package dev.styleclip.edit.directions;

import dev.styleclip.io.Npz;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Where global directions live on disk: the cache folder of a generator + CLIP pair (prepared or imported
 * {@value DirectionsPrepareJob#RESULT}), and the import of the files stylegan3-editing publishes.
 */
public final class DirectionFiles {
    private DirectionFiles() {
    }

    /**
     * The cache folder of a generator + CLIP pair prepared in {@code precision}: {@code <styleclip.cache or
     * ~/.cache/styleclip>/directions/<key>-<precision>}, the key made from both files (null = demo network, named by its
     * source label). float32 and float64 preparations of one pair live in sibling folders and never mix.
     */
    public static Path cacheDir(Path generatorFile, Path clipFile, String generatorSource, String clipSource,
                                Precision precision) throws IOException {
        String base = System.getProperty("styleclip.cache", Paths.get(System.getProperty("user.home"), ".cache", "styleclip").toString());
        return Paths.get(base, "directions", DirectionsPrepareJob.cacheKey(generatorFile, clipFile, generatorSource, clipSource, precision));
    }

    /** {@link #cacheDir(Path, Path, String, String, Precision)} in the default precision ({@link Precision#DEFAULT}). */
    public static Path cacheDir(Path generatorFile, Path clipFile, String generatorSource, String clipSource) throws IOException {
        return cacheDir(generatorFile, clipFile, generatorSource, clipSource, Precision.DEFAULT);
    }

    /**
     * The finished directions of a generator + CLIP pair: the default precision's {@value DirectionsPrepareJob#RESULT}
     * when it exists, else the other precision's, else null.
     */
    public static Path preparedResult(Path generatorFile, Path clipFile, String generatorSource, String clipSource) throws IOException {
        for (Precision p : new Precision[]{Precision.DEFAULT, Precision.DEFAULT == Precision.FLOAT64 ? Precision.FLOAT32 : Precision.FLOAT64}) {
            Path f = cacheDir(generatorFile, clipFile, generatorSource, clipSource, p).resolve(DirectionsPrepareJob.RESULT);
            if (Files.isRegularFile(f)) return f;
        }
        return null;
    }

    /**
     * Imports published channel effects: {@code dir} holds {@code delta_i_c.npy} [C, D] and {@code s_mean.npy},
     * {@code s_std.npy} [C] (stylegan3-editing ships the statistics as the pickle {@code s_stats}, which is not read:
     * its two dicts saved concatenated in layer order as flat arrays). Checks the shapes (and C against
     * {@code expectedChannels} when > 0) and writes {@code target} atomically.
     *
     * @return the number of channels
     */
    public static long importPublished(Path dir, Path target, int expectedChannels) throws IOException {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + " is not a directory");
        Path dic = dir.resolve("delta_i_c.npy");
        if (!Files.isRegularFile(dic)) throw new IllegalArgumentException(dir + " has no delta_i_c.npy");
        if (!Files.isRegularFile(dir.resolve("s_mean.npy")) || !Files.isRegularFile(dir.resolve("s_std.npy"))) {
            String hint = Files.exists(dir.resolve("s_stats")) ? " (the pickle 's_stats' is not read: save its s_mean / s_std as .npy)" : "";
            throw new IllegalArgumentException(dir + " needs s_mean.npy and s_std.npy" + hint);
        }
        Npz.Array d = readNpy(dic);
        Npz.Array mean = readNpy(dir.resolve("s_mean.npy"));
        Npz.Array std = readNpy(dir.resolve("s_std.npy"));
        if (d.shape().length != 2) throw new IllegalArgumentException("delta_i_c.npy must be [C, D], got " + Arrays.toString(d.shape()));
        long c = d.shape()[0];
        long nMean = Tensor.numel(mean.shape()), nStd = Tensor.numel(std.shape());
        if (nMean != c || nStd != c) {
            throw new IllegalArgumentException("s_mean/s_std have " + nMean + "/" + nStd + " values, delta_i_c has " + c + " channels");
        }
        if (expectedChannels > 0 && c != expectedChannels) {
            throw new IllegalArgumentException("delta_i_c has " + c + " channels, the generator's StyleSpace " + expectedChannels
                    + " (files of another generator?)");
        }
        Safetensors.write(target, List.of(Tensor.ofFloats("delta_i_c", d.shape(), d.toFloatArray()),
                        Tensor.ofFloats("s_mean", new long[]{c}, mean.toFloatArray()), Tensor.ofFloats("s_std", new long[]{c}, std.toFloatArray())),
                Map.of("imported_from", dir.toAbsolutePath().toString()));
        return c;
    }

    /** The one array of a .npy file (float32 or float64). */
    private static Npz.Array readNpy(Path f) throws IOException {
        return Npz.read(f).values().iterator().next();
    }
}
