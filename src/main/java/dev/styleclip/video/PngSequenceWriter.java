package dev.styleclip.video;

import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Frames as numbered PNG files ({@code frame_000001.png} …) in a folder: written into a hidden folder beside the
 * target and moved into place by {@link #finish()}. The target must not exist or be an empty folder: pictures of an
 * older run are never mixed with (or silently replaced by) a new one.
 */
public final class PngSequenceWriter implements FrameWriter {
    private final Path target;
    private final Path partial;
    private final int width;
    private final int height;
    private int count;
    private boolean finished;

    private PngSequenceWriter(Path target, Path partial, int width, int height) {
        this.target = target;
        this.partial = partial;
        this.width = width;
        this.height = height;
    }

    public static PngSequenceWriter open(Path folder, int width, int height) throws IOException {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
        Path abs = folder.toAbsolutePath();
        if (Files.exists(abs)) {
            if (!Files.isDirectory(abs)) throw new IOException(abs + ": is a file; a folder for the frames is needed");
            try (Stream<Path> s = Files.list(abs)) {
                if (s.findAny().isPresent()) throw new IOException(abs + ": is not empty; choose a new folder for the frames");
            }
        }
        Path parent = AtomicFiles.prepareFolder(abs.getParent());
        Path partial = Files.createTempDirectory(parent, "." + abs.getFileName() + ".");
        return new PngSequenceWriter(abs, partial, width, height);
    }

    /** The name of frame {@code index} (from 0): numbered from 1, six digits, so names sort in frame order. */
    public static String frameName(int index) {
        return String.format(Locale.ROOT, "frame_%06d.png", index + 1);
    }

    @Override
    public void write(RgbImage frame) throws IOException {
        if (finished) throw new IllegalStateException("writer finished");
        if (frame.width() != width || frame.height() != height) {
            throw new IllegalArgumentException("frame is " + frame.width() + "x" + frame.height() + ", the sequence is " + width + "x" + height);
        }
        Images.writePng(frame, partial.resolve(frameName(count)));
        count++;
    }

    @Override
    public int frameCount() {
        return count;
    }

    @Override
    public Path finish() throws IOException {
        if (finished) return target;
        if (Files.isDirectory(target)) Files.delete(target); // empty, checked at open
        try {
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, target);
        }
        finished = true;
        return target;
    }

    @Override
    public void close() throws IOException {
        if (finished || !Files.exists(partial)) return;
        try (Stream<Path> s = Files.walk(partial)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
