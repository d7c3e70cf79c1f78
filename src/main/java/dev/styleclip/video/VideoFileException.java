package dev.styleclip.video;

import java.io.IOException;
import java.nio.file.Path;

/** A clip that cannot be read as a video (missing, not a video, corrupt, truncated): one line naming the file and why. */
public final class VideoFileException extends IOException {
    private static final long serialVersionUID = 1L;

    public VideoFileException(Path file, String why) {
        super(file + ": " + why);
    }

    public VideoFileException(Path file, String why, Throwable cause) {
        super(file + ": " + why, cause);
    }
}
