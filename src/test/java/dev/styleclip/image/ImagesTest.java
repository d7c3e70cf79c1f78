package dev.styleclip.image;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Robust loading: every bad or unusual file gives pixels or a clear one-line {@link ImageFileException}. */
class ImagesTest {
    @TempDir
    Path tmp;

    static BufferedImage gradient(int w, int h) {
        BufferedImage bi = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) bi.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | 77);
        return bi;
    }

    Path write(BufferedImage bi, String format, String name) throws IOException {
        Path p = tmp.resolve(name);
        assertTrue(ImageIO.write(bi, format, p.toFile()), "writer for " + format);
        return p;
    }

    static void assertOneLine(ImageFileException e, String fileName) {
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(fileName), "names the file: " + e.getMessage());
    }

    @Test
    void pngRoundTripExact() throws Exception {
        BufferedImage bi = gradient(37, 23);
        RgbImage img = Images.read(write(bi, "png", "g.png"));
        assertEquals(37, img.width());
        assertEquals(23, img.height());
        for (int y = 0; y < 23; y++) for (int x = 0; x < 37; x++) assertEquals(bi.getRGB(x, y) & 0xffffff, img.packed(x, y));
    }

    @Test
    void bmpAndGif() throws Exception {
        BufferedImage bi = gradient(16, 8);
        RgbImage bmp = Images.read(write(bi, "bmp", "g.bmp"));
        assertEquals(bi.getRGB(5, 3) & 0xffffff, bmp.packed(5, 3));
        RgbImage gif = Images.read(write(bi, "gif", "g.gif"));
        assertEquals(16, gif.width());
        assertEquals(8, gif.height());
    }

    @Test
    void corruptFile() throws Exception {
        Path p = tmp.resolve("noise.png");
        byte[] b = new byte[2000];
        new java.util.Random(1).nextBytes(b);
        Files.write(p, b);
        ImageFileException e = assertThrows(ImageFileException.class, () -> Images.read(p));
        assertOneLine(e, "noise.png");
        Path empty = Files.write(tmp.resolve("empty.jpg"), new byte[0]);
        assertOneLine(assertThrows(ImageFileException.class, () -> Images.read(empty)), "empty.jpg");
        assertOneLine(assertThrows(ImageFileException.class, () -> Images.read(tmp.resolve("missing.png"))), "missing.png");
    }

    @Test
    void truncatedPng() throws Exception {
        byte[] full = Files.readAllBytes(write(gradient(200, 150), "png", "full.png"));
        Path p = Files.write(tmp.resolve("cut.png"), Arrays.copyOf(full, full.length / 2));
        assertOneLine(assertThrows(ImageFileException.class, () -> Images.read(p)), "cut.png");
    }

    @Test
    void truncatedJpeg() throws Exception {
        byte[] full = Files.readAllBytes(write(gradient(300, 200), "jpg", "full.jpg"));
        Path p = Files.write(tmp.resolve("cut.jpg"), Arrays.copyOf(full, full.length / 2));
        ImageFileException e = assertThrows(ImageFileException.class, () -> Images.read(p));
        assertOneLine(e, "cut.jpg");
        System.err.println("[images] " + e.getMessage());
    }

    @Test
    void grayscale8And16Bit() throws Exception {
        BufferedImage g8 = new BufferedImage(10, 4, BufferedImage.TYPE_BYTE_GRAY);
        g8.getRaster().setSample(3, 2, 0, 200);
        RgbImage a = Images.read(write(g8, "png", "g8.png"));
        assertEquals(200, a.get(3, 2, 0));
        assertEquals(200, a.get(3, 2, 1));
        assertEquals(200, a.get(3, 2, 2));

        BufferedImage g16 = new BufferedImage(10, 4, BufferedImage.TYPE_USHORT_GRAY);
        g16.getRaster().setSample(3, 2, 0, 65535);
        g16.getRaster().setSample(4, 2, 0, 257 * 100);
        RgbImage b = Images.read(write(g16, "png", "g16.png"));
        assertEquals(255, b.get(3, 2, 0));
        assertEquals(100, b.get(4, 2, 1));
        assertEquals(0, b.get(0, 0, 2));
    }

    @Test
    void rgb16Bit() throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[]{16, 16, 16},
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = cm.createCompatibleWritableRaster(6, 5);
        r.setPixel(2, 1, new int[]{65535, 257 * 128, 0});
        BufferedImage bi = new BufferedImage(cm, r, false, null);
        RgbImage img = Images.read(write(bi, "png", "rgb16.png"));
        assertEquals(255, img.get(2, 1, 0));
        assertEquals(128, img.get(2, 1, 1));
        assertEquals(0, img.get(2, 1, 2));
    }

    @Test
    void alphaCompositedOnWhite() throws Exception {
        BufferedImage bi = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
        bi.setRGB(0, 0, 0x00000000);      // fully transparent black -> white
        bi.setRGB(1, 0, 0xff102030);      // opaque -> unchanged
        bi.setRGB(2, 0, 0x80000000);      // half transparent black -> mid grey
        RgbImage img = Images.read(write(bi, "png", "alpha.png"));
        assertEquals(0xffffff, img.packed(0, 0));
        assertEquals(0x102030, img.packed(1, 0));
        int g = img.get(2, 0, 0);
        assertTrue(g >= 126 && g <= 128, "half alpha on white: " + g);
    }

    @Test
    void cmykJpegConverted() throws Exception {
        int w = 16, h = 8;
        WritableRaster r = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) r.setPixel(x, y, new int[]{255, 128, 0, 255});
        Path p = tmp.resolve("cmyk.jpg");
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(p.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(r, null, null), null);
        } finally {
            writer.dispose();
        }
        // as Pillow writes them: Adobe's APP14 marker (transform 0) first after SOI; and as ImageIO writes them, without
        byte[] plain = Files.readAllBytes(p);
        byte[] app14 = {(byte) 0xFF, (byte) 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 0};
        byte[] adobe = new byte[plain.length + app14.length];
        System.arraycopy(plain, 0, adobe, 0, 2);
        System.arraycopy(app14, 0, adobe, 2, app14.length);
        System.arraycopy(plain, 2, adobe, 2 + app14.length, plain.length - 2);
        Path pillowLike = Files.write(tmp.resolve("cmyk-adobe.jpg"), adobe);
        for (Path f : new Path[]{p, pillowLike}) {
            RgbImage img = Images.read(f);
            assertEquals(w, img.width());
            assertEquals(h, img.height());
            // the samples are Adobe's inverted CMYK, as Pillow reads them either way: (255, 128, 0)
            assertTrue(img.get(3, 3, 0) > 230 && Math.abs(img.get(3, 3, 1) - 128) < 20 && img.get(3, 3, 2) < 25,
                    f.getFileName() + " orange: " + Integer.toHexString(img.packed(3, 3)));
        }
    }

    /** WebP photos (documented for apply-recipe and the studio) decode through the ImageIO plugin. */
    @Test
    void webpPhotosAreRead() throws Exception {
        // a 4x4 lossless WebP, written here byte by byte: VP8L, one colour (RGB 200, 100, 50) for every pixel
        byte[] vp8l = HostileImages.losslessWebpOneColour(4, 4, 200, 100, 50);
        Path f = Files.write(tmp.resolve("face.webp"), vp8l);
        RgbImage img = Images.read(f);
        assertEquals(4, img.width());
        assertEquals(4, img.height());
        assertEquals(200, img.get(2, 1, 0));
        assertEquals(100, img.get(2, 1, 1));
        assertEquals(50, img.get(2, 1, 2));
    }

    @Test
    void exifOrientationHonoured() throws Exception {
        BufferedImage bi = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) for (int x = 0; x < 40; x++) bi.setRGB(x, y, x < 20 ? 0xff0000 : 0x0000ff);
        byte[] jpg = Files.readAllBytes(write(bi, "jpg", "plain.jpg"));
        Path p = Files.write(tmp.resolve("rot6.jpg"), ExifJpeg.withOrientation(jpg, 6));
        assertEquals(6, Images.exifOrientation(p));
        RgbImage img = Images.read(p);
        // orientation 6: rotate 90° clockwise to view -> 20 wide, 40 high, the left (red) half on top
        assertEquals(20, img.width());
        assertEquals(40, img.height());
        assertTrue(img.get(10, 5, 0) > 200 && img.get(10, 5, 2) < 60, "top is red");
        assertTrue(img.get(10, 35, 2) > 200 && img.get(10, 35, 0) < 60, "bottom is blue");
        RgbImage plain = Images.read(tmp.resolve("plain.jpg"));
        assertEquals(40, plain.width());
    }

    /** Writes a solid grey 8-bit grayscale PNG of any size row by row (no big image in memory). */
    static void writeHugePng(Path p, int w, int h, int value) throws IOException {
        try (OutputStream os = Files.newOutputStream(p); DataOutputStream out = new DataOutputStream(os)) {
            out.write(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(ihdr);
            d.writeInt(w);
            d.writeInt(h);
            d.write(new byte[]{8, 0, 0, 0, 0});
            chunk(out, "IHDR", ihdr.toByteArray());
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            Deflater def = new Deflater(Deflater.BEST_SPEED);
            try (DeflaterOutputStream z = new DeflaterOutputStream(idat, def, 1 << 16)) {
                byte[] first = new byte[w + 1];
                Arrays.fill(first, 1, w + 1, (byte) value);
                z.write(first);                 // filter None
                byte[] up = new byte[w + 1];
                up[0] = 2;                      // filter Up: all zeros = same row again
                for (int y = 1; y < h; y++) z.write(up);
            }
            def.end();
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
    }

    static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        out.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void hugeImageDecodedSubsampled() throws Exception {
        assertEquals(4, Images.subsampling(20000, 20000, Images.DEFAULT_MAX_PIXELS));
        Path p = tmp.resolve("huge.png");
        writeHugePng(p, 20000, 20000, 90);
        assertTrue(Files.size(p) < 4_000_000, "small file: " + Files.size(p));
        RgbImage img = Images.read(p, 1_000_000);
        assertEquals(1000, img.width());
        assertEquals(1000, img.height());
        assertEquals(90, img.get(500, 500, 0));
        assertEquals(90, img.get(999, 999, 2));
    }

    /**
     * A progressive JPEG whose frame header claims 28000×28000 pixels: refused from the header, before the decoder
     * allocates its full-size coefficient buffers (gigabytes); a small progressive one still reads.
     */
    @Test
    void aHugeProgressiveJpegIsRefusedFromItsHeader() throws Exception {
        assertEquals(64, Images.read(Files.write(tmp.resolve("small-progressive.jpg"), HostileImages.progressiveJpeg(64, 48))).width());
        Path huge = HostileImages.progressiveJpegBomb(tmp);
        ImageFileException e = assertThrows(ImageFileException.class, () -> Images.read(huge));
        assertTrue(e.getMessage().contains("a progressive JPEG of 28000x28000 pixels is larger than this app decodes"),
                e.getMessage());
    }

    /**
     * A valid lossless WebP of 16000×16000 pixels in a few dozen bytes (one colour costs no bits a pixel): its decoder
     * would build the whole 1 GB image, so it is refused from the header; the same picture at 600×400 reads.
     */
    @Test
    void aWebpBombIsRefusedFromItsHeader() throws Exception {
        assertEquals(600, Images.read(Files.write(tmp.resolve("flat.webp"), HostileImages.losslessWebpOneColour(600, 400, 9, 8, 7))).width());
        Path bomb = HostileImages.webpBomb(tmp);
        assertTrue(Files.size(bomb) < 100);
        ImageFileException e = assertThrows(ImageFileException.class, () -> Images.read(bomb));
        assertTrue(e.getMessage().contains("a WebP of 16000x16000 pixels is larger than this app decodes"), e.getMessage());
    }

    /** A TIFF whose header claims 20000×20000 pixels (its strip would be inflated whole) is refused before decoding. */
    @Test
    void aHugeTiffIsRefusedFromItsHeader() throws Exception {
        assertEquals(64, Images.read(Files.write(tmp.resolve("small.tif"), HostileImages.tiff(64, 48))).width());
        Path huge = HostileImages.tiffBomb(tmp);
        ImageFileException e = assertThrows(ImageFileException.class, () -> Images.read(huge));
        assertTrue(e.getMessage().contains("a TIFF of 20000x20000 pixels is larger than this app decodes"), e.getMessage());
    }
}
