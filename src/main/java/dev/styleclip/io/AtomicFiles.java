package dev.styleclip.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes files atomically: into a temporary file beside the target, then a move. A failed write leaves the old file intact. */
public final class AtomicFiles {

    /** Writes the content of one file. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    public static void write(Path target, Writer writer) throws IOException {
        try (Pending p = begin(target)) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(p.temporary()), 1 << 16)) {
                writer.write(out);
            } catch (IOException e) {
                throw explain(p.target(), e);
            }
            p.commit();
        }
    }

    /**
     * A file being written by a library that wants a path rather than a stream (a video muxer seeks back to finish its
     * header): {@link #temporary()} is an empty file beside the target, {@link #commit()} moves it into place, and
     * {@link #close()} without a commit removes it, so the target is either the old file or the whole new one.
     */
    public static final class Pending implements AutoCloseable {
        private final Path target;
        private final Path temporary;
        private boolean committed;

        private Pending(Path target, Path temporary) {
            this.target = target;
            this.temporary = temporary;
        }

        public Path target() {
            return target;
        }

        public Path temporary() {
            return temporary;
        }

        /** Moves the finished temporary file over the target (atomically where the file system can). */
        public void commit() throws IOException {
            if (committed) return;
            try {
                try {
                    Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw explain(target, e);
            }
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) Files.deleteIfExists(temporary);
        }
    }

    /**
     * Starts an atomic write of {@code target}: the folder is created, the temporary file beside it (hidden, named after
     * the target, ending in {@code .partial}) gets the old file's permissions or rw-r--r--.
     */
    public static Pending begin(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) createFolder(dir);
        if (Files.isDirectory(abs)) throw new IOException(abs + ": is a folder; a file name is needed");
        Path tmp;
        try {
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".partial");
        } catch (IOException e) {
            throw explain(abs, e);
        }
        try {
            readableByOthers(tmp, abs);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw explain(abs, e);
        }
        return new Pending(abs, tmp);
    }

    /**
     * Makes sure files can be written into {@code dir} before any work starts: creates it (and its parents) and writes
     * and removes a probe file, so a path that is a file, a read-only place or a full disk is one clear line now, not
     * after an hour of computing.
     */
    public static Path prepareFolder(Path dir) throws IOException {
        Path abs = createFolder(dir);
        try {
            Path probe = Files.createTempFile(abs, ".write-probe-", ".tmp");
            try {
                Files.write(probe, new byte[1]);
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw explain(abs, e);
        }
        return abs;
    }

    private static Path createFolder(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        if (Files.exists(abs) && !Files.isDirectory(abs)) throw new IOException(abs + ": is not a folder");
        try {
            return Files.createDirectories(abs);
        } catch (IOException e) {
            throw explain(abs, e);
        }
    }

    /** {@link #prepareFolder} for the folder of {@code file}, which must not itself be a folder. */
    public static Path prepareFile(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) throw new IOException(abs + ": is a folder; a file name is needed");
        if (Files.exists(abs) && !Files.isRegularFile(abs)) throw new IOException(abs + ": is not a regular file");
        if (abs.getParent() != null) prepareFolder(abs.getParent());
        return abs;
    }

    /**
     * One line saying why {@code target} could not be written: the JDK's messages for these cases are often just a path
     * ("error: /out") or an errno text. Other exceptions (a writer's own) pass unchanged.
     */
    static IOException explain(Path target, IOException e) {
        // writers wrap the system's error (ImageIO: "I/O error writing PNG file!"): read the whole chain
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null && chain.length() < 4096; t = t.getCause()) chain.append(t.getMessage()).append(" | ");
        String m = chain.toString();
        String why;
        if (m.contains("No space left on device") || m.contains("Disk quota exceeded")) {
            why = "the disk is full (no space left on device); nothing was written";
        } else if (m.contains("File too large")) {
            why = "the file would pass this system's file-size limit (ulimit -f); nothing was written";
        } else if (e instanceof java.nio.file.AccessDeniedException || m.contains("Read-only file system")
                || m.contains("Permission denied")) {
            why = "not allowed to write there (permission denied or a read-only place)";
        } else if (e instanceof java.nio.file.FileAlreadyExistsException || e instanceof java.nio.file.NotDirectoryException
                || m.contains("Not a directory")) {
            why = "a file stands where a folder is needed"
                    + (e instanceof java.nio.file.FileSystemException f && f.getFile() != null ? " (" + f.getFile() + ")" : "");
        } else {
            return e;
        }
        return new IOException(target + ": cannot be written: " + why, e);
    }

    /** Temp files are created owner-only; give the result the target's old permissions, or rw-r--r--. */
    private static void readableByOthers(Path tmp, Path target) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
