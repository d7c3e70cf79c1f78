package dev.styleclip.io;

import java.nio.file.Path;

/** StyleGAN network pickles. TODO: implementation pending (issue 3). */
final class StyleGanPickle {
    private StyleGanPickle() {
    }

    static Checkpoint read(Path file) throws ModelFileException {
        throw new ModelFileException(file, "StyleGAN pickle reading is not implemented yet");
    }
}
