package dev.styleclip.edit;

import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.Npz;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A latent in NVIDIA's projector layout: an {@code .npz} whose key {@code w} holds a float32 array
 * {@code [1, num_ws, w_dim]} (what {@code projector.py} writes as {@code projected_w.npz}). Reading and writing go
 * through {@link Npz}; this class adds the latent's rules: float32 only, shape {@code [1, num_ws, w_dim]} (or
 * {@code [num_ws, w_dim]}), each refusal a one-line message. Writes are atomic.
 */
public final class LatentFile {
    /** The key NVIDIA's projector uses. */
    public static final String KEY = "w";

    private LatentFile() {
    }

    /** Reads key {@code w} of an npz file, or the one array of a plain {@code .npy}. */
    public static Latent read(Path file) throws IOException {
        Npz.Array a = Npz.readLatent(file);
        if (a.f32() == null) throw new ModelFileException(file, "holds a float64 'w'; a latent must be float32 ('<f4')");
        long[] s = a.shape();
        boolean ok = (s.length == 3 && s[0] == 1 && s[1] > 0 && s[2] > 0) || (s.length == 2 && s[0] > 0 && s[1] > 0);
        if (!ok) throw new ModelFileException(file, "holds 'w' of shape " + Arrays.toString(s) + "; a latent is [1, num_ws, w_dim]");
        try {
            return new Latent((int) s[s.length - 2], (int) s[s.length - 1], a.f32());
        } catch (Latent.NonFiniteException e) {
            throw new ModelFileException(file, "holds a latent with values that are not finite numbers (NaN or infinity)");
        }
    }

    /** The {@code .npy} bytes of a float32 array [1, numWs, wDim]. */
    static byte[] npyBytes(Latent w) {
        return Npz.npyBytes(Npz.Array.of(w.values(), 1, w.numWs(), w.wDim()));
    }

    /** Writes the latent as {@code w} of an npz file (atomically). */
    public static void write(Path file, Latent w) throws IOException {
        Npz.writeLatent(file, w.values(), 1, w.numWs(), w.wDim());
    }
}
