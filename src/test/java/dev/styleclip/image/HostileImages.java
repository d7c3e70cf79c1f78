package dev.styleclip.image;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Photos that would exhaust memory or are broken, built by the tests themselves: decompression bombs whose headers
 * claim tens of thousands of pixels a side, truncated and mislabelled files. Each carries the words its one-line
 * refusal must contain (a regular expression). Used by {@code ImagesTest} and the command-line suite.
 */
public final class HostileImages {
    private HostileImages() {
    }

    /** Writes one hostile photo into a folder and returns it. */
    @FunctionalInterface
    public interface Builder {
        Path write(Path dir) throws Exception;
    }

    public record Input(String name, String reason, Builder build) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every hostile photo. */
    public static List<Input> all() {
        List<Input> all = new ArrayList<>();
        all.add(new Input("valid 16000x16000 lossless WebP in 60 bytes", "a WebP of 16000x16000 pixels is larger", HostileImages::webpBomb));
        all.add(new Input("progressive JPEG claiming 28000x28000", "a progressive JPEG of 28000x28000 pixels is larger",
                HostileImages::progressiveJpegBomb));
        all.add(new Input("TIFF claiming 20000x20000", "a TIFF of 20000x20000 pixels is larger", HostileImages::tiffBomb));
        all.add(new Input("JPEG cut in half", "truncated|corrupt", d -> {
            byte[] j = jpeg(false, 64, 48);
            return Files.write(d.resolve("cut.jpg"), java.util.Arrays.copyOf(j, j.length / 2));
        }));
        all.add(new Input("empty file named .png", "empty", d -> Files.write(d.resolve("empty.png"), new byte[0])));
        all.add(new Input("text named .png", "not a supported image", d -> Files.writeString(d.resolve("notes.png"), "hello")));
        return all;
    }

    /** A baseline or progressive JPEG of a black image (the JDK's writer). */
    static byte[] jpeg(boolean progressive, int w, int h) throws Exception {
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
            writer.write(null, new IIOImage(bi, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    public static byte[] progressiveJpeg(int w, int h) throws Exception {
        return jpeg(true, w, h);
    }

    /**
     * A progressive JPEG whose frame header (SOF2) claims 28000×28000 pixels: its decoder would allocate full-size
     * coefficient buffers (gigabytes).
     */
    public static Path progressiveJpegBomb(Path dir) throws Exception {
        byte[] jpeg = progressiveJpeg(64, 48);
        int sof = -1;
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == 0xC2) {
                sof = i;
                break;
            }
        }
        if (sof < 0) throw new IllegalStateException("the JDK wrote no SOF2 for progressive mode");
        for (int k : new int[]{5, 7}) {
            jpeg[sof + k] = (byte) (28000 >> 8);
            jpeg[sof + k + 1] = (byte) (28000 & 0xff);
        }
        return Files.write(dir.resolve("huge-progressive.jpg"), jpeg);
    }

    /** A black PNG (the JDK's writer): a good photo to put beside a hostile one. */
    public static byte[] png(int w, int h) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), "png", bytes);
        return bytes.toByteArray();
    }

    /** A black TIFF (the JDK's writer). */
    public static byte[] tiff(int w, int h) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        if (!ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR), "tiff", bytes)) {
            throw new IllegalStateException("no TIFF writer");
        }
        return bytes.toByteArray();
    }

    /** A TIFF whose ImageWidth and ImageLength say 20000 (its strip would be inflated whole). */
    public static Path tiffBomb(Path dir) throws Exception {
        byte[] tiff = tiff(64, 48);
        ByteBuffer buf = ByteBuffer.wrap(tiff).order(tiff[0] == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        int ifd = buf.getInt(4);
        int patched = 0;
        for (int i = 0, n = buf.getShort(ifd) & 0xffff; i < n; i++) {
            int entry = ifd + 2 + 12 * i;
            int tag = buf.getShort(entry) & 0xffff;
            if (tag != 256 && tag != 257) continue; // ImageWidth, ImageLength
            if (buf.getShort(entry + 2) == 3) buf.putShort(entry + 8, (short) 20000);
            else buf.putInt(entry + 8, 20000);
            patched++;
        }
        if (patched != 2) throw new IllegalStateException("TIFF without width and length tags");
        return Files.write(dir.resolve("huge.tif"), tiff);
    }

    /** A valid lossless WebP of 16000×16000 pixels of one colour: a few dozen bytes, a gigabyte decoded. */
    public static Path webpBomb(Path dir) throws Exception {
        return Files.write(dir.resolve("bomb.webp"), losslessWebpOneColour(16000, 16000, 9, 8, 7));
    }

    /**
     * A lossless WebP (VP8L) of one opaque colour: no transforms, no colour cache, five one-symbol prefix codes, so no
     * bits per pixel (the WebP lossless bitstream specification, section 3).
     */
    public static byte[] losslessWebpOneColour(int w, int h, int r, int g, int b) {
        long bits = 0;
        int n = 0;
        java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
        int[][] fields = {{0x2f, 8}, {w - 1, 14}, {h - 1, 14}, {0, 1}, {0, 3}, // signature, size, no alpha, version 0
                {0, 1}, {0, 1}, {0, 1}, // no transform, no colour cache, no meta prefix codes
                {1, 1}, {0, 1}, {1, 1}, {g, 8},     // green: simple code, one symbol of 8 bits
                {1, 1}, {0, 1}, {1, 1}, {r, 8},     // red
                {1, 1}, {0, 1}, {1, 1}, {b, 8},     // blue
                {1, 1}, {0, 1}, {1, 1}, {255, 8},   // alpha
                {1, 1}, {0, 1}, {0, 1}, {0, 1}};    // distance: one symbol (0) of 1 bit
        for (int[] f : fields) {
            bits |= (long) f[0] << n;
            n += f[1];
            while (n >= 8) {
                data.write((int) (bits & 0xff));
                bits >>>= 8;
                n -= 8;
            }
        }
        if (n > 0) data.write((int) (bits & 0xff));
        data.writeBytes(new byte[8]); // unused trailing bits: decoders (TwelveMonkeys) read ahead a 64-bit word at a time
        if (data.size() % 2 == 1) data.write(0);
        byte[] vp8l = data.toByteArray();
        java.nio.ByteBuffer riff = java.nio.ByteBuffer.allocate(20 + vp8l.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + vp8l.length).put("WEBP".getBytes(StandardCharsets.US_ASCII))
                .put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(vp8l.length).put(vp8l);
        return riff.array();
    }
}
