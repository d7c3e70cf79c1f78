package dev.styleclip.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Entry point of the readers: sniffs a file's format from its first bytes and reads it. */
public final class ModelFiles {

    private ModelFiles() {
    }

    /** Detects the format from the bytes. @throws ModelFileException for unreadable or unknown files */
    public static Format detect(Path file) throws ModelFileException {
        byte[] head = new byte[64];
        int n;
        long size;
        try {
            if (Files.isDirectory(file)) throw new ModelFileException(file, "is a folder, not a model file");
            size = Files.size(file);
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
        } catch (NoSuchFileException e) {
            throw new ModelFileException(file, "no such file");
        } catch (ModelFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFileException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (n == 0) throw new ModelFileException(file, "is empty");
        byte[] h = java.util.Arrays.copyOf(head, n);
        if (n >= 4 && h[0] == 'P' && h[1] == 'K' && (h[2] == 3 || h[2] == 5) && (h[3] == 4 || h[3] == 6)) {
            return TorchZip.isTorchScript(file) ? Format.TORCHSCRIPT : Format.TORCH_ZIP;
        }
        if (n >= 2 && (h[0] & 0xff) == 0x80 && h[1] >= 2 && h[1] <= 5) {
            return TorchLegacy.startsWithMagic(h) ? Format.TORCH_LEGACY : Format.STYLEGAN_PICKLE;
        }
        if (Safetensors.sniff(h, size)) return Format.SAFETENSORS;
        int i = 0;
        while (i < n && Character.isWhitespace(h[i])) i++;
        if (i < n && h[i] == '[') return Format.TFJS;
        throw new ModelFileException(file, "is not a model file this app can read (not safetensors, a PyTorch checkpoint, "
                + "a TorchScript archive, a StyleGAN network pickle or a TF.js weights manifest)");
    }

    /** Reads a model file of any supported format. */
    public static Checkpoint open(Path file) throws ModelFileException {
        Format f = detect(file);
        try {
            switch (f) {
                case SAFETENSORS: return Checkpoint.single(file, Safetensors.read(file));
                case TORCH_ZIP:
                case TORCHSCRIPT: return TorchZip.read(file);
                case TORCH_LEGACY: return TorchLegacy.read(file);
                case STYLEGAN_PICKLE: return StyleGanPickle.read(file);
                case TFJS: return Checkpoint.single(file, TfjsManifest.read(file));
                default: throw new ModelFileException(file, "unsupported format " + f);
            }
        } catch (ModelFileException e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new ModelFileException(file, "needs more memory than is available to read", e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new ModelFileException(file, "is corrupt (" + f.id() + "): " + e, e);
        }
    }

    /** Reads a model file and returns its main tensor store. */
    public static TensorStore openStore(Path file) throws ModelFileException {
        return open(file).main();
    }
}
