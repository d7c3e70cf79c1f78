package dev.styleclip.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Entry point of the readers: sniffs a file's format from its first bytes and reads it.
 *
 * <p>Torch and pickle files are memory-mapped (read-only) and their tensors are slices of the mapping, so reading a
 * checkpoint needs almost no heap beyond the file's metadata (tensors copy only for non-contiguous views). Every size a
 * header claims is checked against the bytes present before anything is allocated. Any failure — corrupt, truncated,
 * hostile — ends in a {@link ModelFileException} naming the file.</p>
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /** Detects the format from the bytes. @throws ModelFileException for unreadable or unknown files */
    public static Format detect(Path file) throws ModelFileException {
        return detect(file, map(file));
    }

    /** Detects the format of bytes that came from (or stand for) {@code file}. */
    public static Format detect(Path file, ByteBuffer bytes) throws ModelFileException {
        ByteBuffer b = bytes.duplicate();
        int n = Math.min(64, b.remaining());
        if (n == 0) throw new ModelFileException(file, "is empty");
        byte[] h = new byte[n];
        b.get(h);
        try {
            if (n >= 4 && h[0] == 'P' && h[1] == 'K' && (h[2] == 3 || h[2] == 5) && (h[3] == 4 || h[3] == 6)) {
                return TorchZip.isTorchScript(file, bytes) ? Format.TORCHSCRIPT : Format.TORCH_ZIP;
            }
        } catch (RuntimeException e) {
            throw new ModelFileException(file, "is a corrupt zip archive: " + e, e);
        }
        if (n >= 2 && (h[0] & 0xff) == 0x80 && h[1] >= 2 && h[1] <= 5) {
            return TorchLegacy.startsWithMagic(h) ? Format.TORCH_LEGACY : Format.STYLEGAN_PICKLE;
        }
        if (Safetensors.sniff(h, bytes.remaining())) return Format.SAFETENSORS;
        int i = 0;
        while (i < n && Character.isWhitespace(h[i])) i++;
        if (i < n && h[i] == '[') return Format.TFJS;
        throw new ModelFileException(file, "is not a model file this app can read (not safetensors, a PyTorch checkpoint, "
                + "a TorchScript archive, a StyleGAN network pickle or a TF.js weights manifest)");
    }

    /** Maps a file read-only (little-endian view). */
    static ByteBuffer map(Path file) throws ModelFileException {
        try {
            if (Files.isDirectory(file)) throw new ModelFileException(file, "is a folder, not a model file");
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size == 0) throw new ModelFileException(file, "is empty");
                if (size > Integer.MAX_VALUE) throw new ModelFileException(file, "is larger than 2 GB, which these readers do not support");
                return ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "no such file");
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads a model file of any supported format. */
    public static Checkpoint open(Path file) throws ModelFileException {
        ByteBuffer bytes = map(file);
        if (detect(file, bytes) == Format.SAFETENSORS) return Checkpoint.single(file, Safetensors.read(file));
        return open(file, bytes);
    }

    /**
     * Reads a model file's bytes already in memory; {@code file} names it in messages (and locates TF.js shards and
     * safetensors files, which are read from disk).
     */
    public static Checkpoint open(Path file, ByteBuffer bytes) throws ModelFileException {
        Format f = detect(file, bytes);
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        try {
            switch (f) {
                case SAFETENSORS: return Checkpoint.single(file, Safetensors.read(String.valueOf(file), b));
                case TORCH_ZIP:
                case TORCHSCRIPT: return TorchZip.read(file, b);
                case TORCH_LEGACY: return TorchLegacy.read(file, b);
                case STYLEGAN_PICKLE: return StyleGanPickle.read(file, b);
                case TFJS: return Checkpoint.single(file, TfjsManifest.read(file));
                default: throw new ModelFileException(file, "unsupported format " + f);
            }
        } catch (ModelFileException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new ModelFileException(file, "needs more memory than is available to read", e);
        } catch (ArithmeticException e) {
            throw new ModelFileException(file, "is corrupt (" + f.id() + "): a size or offset in it overflows", e);
        } catch (StackOverflowError e) {
            throw new ModelFileException(file, "is corrupt (" + f.id() + "): it is nested too deeply", e);
        } catch (RuntimeException e) {
            // a sentence for the user, not a Java class name: the reader's own message where it has one
            String why = e.getMessage() == null || e.getMessage().isBlank() ? "the reader could not make sense of it" : e.getMessage();
            throw new ModelFileException(file, "is corrupt (" + f.id() + "): " + why, e);
        }
    }

    /** Reads a model file and returns its main tensor store. */
    public static TensorStore openStore(Path file) throws ModelFileException {
        return open(file).main();
    }
}
