package dev.styleclip.io;

import java.nio.file.Path;

/** Legacy (pre-1.6) torch.save files. TODO: implementation pending (issue 3). */
final class TorchLegacy {
    private TorchLegacy() {
    }

    static boolean startsWithMagic(byte[] head) {
        return false;
    }

    static Checkpoint read(Path file) throws ModelFileException {
        throw new ModelFileException(file, "legacy torch reading is not implemented yet");
    }
}
