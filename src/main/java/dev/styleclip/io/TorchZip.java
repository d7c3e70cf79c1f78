package dev.styleclip.io;

import java.nio.file.Path;

/** torch.save zip files (≥ 1.6) and TorchScript archives. TODO: implementation pending (issue 3). */
final class TorchZip {
    private TorchZip() {
    }

    static boolean isTorchScript(Path file) throws ModelFileException {
        throw new ModelFileException(file, "torch zip reading is not implemented yet");
    }

    static Checkpoint read(Path file) throws ModelFileException {
        throw new ModelFileException(file, "torch zip reading is not implemented yet");
    }
}
