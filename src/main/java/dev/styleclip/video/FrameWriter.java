package dev.styleclip.video;

import dev.styleclip.image.RgbImage;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where processed frames go, in order: a video file ({@link Mp4Writer}) or a folder of pictures
 * ({@link PngSequenceWriter}). Nothing appears at the target until {@link #finish()}; closing without it removes
 * everything written so far, so an interrupted or failed run leaves the old output (or none) in place.
 */
public interface FrameWriter extends AutoCloseable {

    /** Appends one frame; every frame has the size the writer was opened with. */
    void write(RgbImage frame) throws IOException;

    /** Frames written so far. */
    int frameCount();

    /** Completes the output and moves it into place; returns where it is. */
    Path finish() throws IOException;

    /** Releases the writer; without {@link #finish()} the partial output is deleted. */
    @Override
    void close() throws IOException;
}
