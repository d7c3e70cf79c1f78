package dev.styleclip.video;

import dev.styleclip.image.Images;
import dev.styleclip.image.PilResample;
import dev.styleclip.image.RgbImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Test clips made by the tests themselves: a golden face photo seen through a camera that moves, zooms and turns over
 * about two seconds, with a sine tone as its sound, written by {@link Mp4Writer}. Small (160 px, 50 frames) so a
 * test encodes and decodes one in about a second.
 */
public final class TestClips {
    /** The public face photos shipped in test resources. */
    public static final Path FACES = Paths.get("src", "test", "resources", "golden", "faces", "images").toAbsolutePath();
    public static final int SIZE = 160;
    public static final int FRAMES = 50;
    public static final int FPS = 25;
    public static final int SAMPLE_RATE = 48_000;

    private TestClips() {
    }

    public static RgbImage photo(String name) throws Exception {
        return Images.read(FACES.resolve(name + ".png"));
    }

    /**
     * Frame {@code i} of {@code n}: a square view of the photo's middle that drifts sideways, zooms in by a fifth and
     * turns by up to 12° and back.
     */
    public static RgbImage frame(RgbImage photo, int i, int n, int width, int height) {
        double t = n > 1 ? (double) i / (n - 1) : 0;
        double side = Math.min(photo.width(), photo.height()) * 0.8 * (1 - 0.2 * t);
        double angle = Math.toRadians(12 * Math.sin(2 * Math.PI * t));
        double cx = photo.width() / 2.0 + 0.08 * side * Math.sin(2 * Math.PI * t);
        double cy = photo.height() / 2.0;
        double hx = side / 2, hy = side / 2 * height / width;
        double cos = Math.cos(angle), sin = Math.sin(angle);
        double[][] corners = {{-hx, -hy}, {-hx, hy}, {hx, hy}, {hx, -hy}}; // TL, BL, BR, TR: Pillow's QUAD order
        double[] data = new double[8];
        for (int k = 0; k < 4; k++) {
            data[2 * k] = cx + corners[k][0] * cos - corners[k][1] * sin;
            data[2 * k + 1] = cy + corners[k][0] * sin + corners[k][1] * cos;
        }
        return PilResample.quadTransformBilinear(photo, width, height, data);
    }

    /** A 16-bit mono WAV file of a sine tone. */
    public static Path tone(Path file, double seconds, double hz) throws IOException {
        int n = (int) Math.round(seconds * SAMPLE_RATE);
        ByteBuffer pcm = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) pcm.putShort((short) Math.round(12000 * Math.sin(2 * Math.PI * hz * i / SAMPLE_RATE)));
        ByteBuffer head = ByteBuffer.allocate(44).order(ByteOrder.LITTLE_ENDIAN);
        head.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + n * 2)
                .put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(SAMPLE_RATE).putInt(SAMPLE_RATE * 2).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(n * 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.write(head.array());
        bytes.write(pcm.array());
        Files.write(file, bytes.toByteArray());
        return file;
    }

    /** A two-second face clip at 25 fps with a 440 Hz tone (encoded as AAC: MP4 does not hold the WAV's PCM). */
    public static Path faceClip(Path dir, String photoName) throws Exception {
        Path wav = tone(dir.resolve(photoName + "-tone.wav"), (double) FRAMES / FPS, 440);
        Path clip = dir.resolve(photoName + ".mp4");
        write(clip, photo(photoName), new Mp4Writer.Settings(SIZE, SIZE, FPS, 1, wav, 0), FRAMES);
        return clip;
    }

    /** {@code n} frames of the moving view of {@code photo}, written with {@code settings}. */
    public static void write(Path clip, RgbImage photo, Mp4Writer.Settings settings, int n) throws IOException {
        try (Mp4Writer w = Mp4Writer.open(clip, settings)) {
            for (int i = 0; i < n; i++) w.write(frame(photo, i, n, settings.width(), settings.height()));
            w.finish();
        }
    }

    /** Mean absolute difference of two same-sized pictures, per sample (0…255). */
    public static double meanAbsDiff(RgbImage a, RgbImage b) {
        if (a.width() != b.width() || a.height() != b.height()) throw new IllegalArgumentException("sizes differ");
        long sum = 0;
        byte[] x = a.rgb(), y = b.rgb();
        for (int i = 0; i < x.length; i++) sum += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
        return (double) sum / x.length;
    }
}
