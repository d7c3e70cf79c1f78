package dev.styleclip.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model or tensor file that cannot be read: corrupt, truncated, hostile or of an unknown format.
 * The message always names the file and what is wrong with it, in one line.
 */
public class ModelFileException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String file;

    public ModelFileException(String file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFileException(String file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    public ModelFileException(Path file, String problem) {
        this(String.valueOf(file), problem);
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        this(String.valueOf(file), problem, cause);
    }

    /** What is wrong, without the file's name (for messages that name the file their own way). */
    public String problem() {
        String m = getMessage();
        return m.startsWith(file + ": ") ? m.substring(file.length() + 2) : m;
    }

    /** The file this problem is about. */
    public String file() {
        return file;
    }
}
