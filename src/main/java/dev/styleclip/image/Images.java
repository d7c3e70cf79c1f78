package dev.styleclip.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;

import javax.imageio.IIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Robust photo loading into 8-bit {@link RgbImage}s through javax.imageio (PNG, JPEG, BMP, GIF), <b>without any colour
 * management</b>: the decoded samples are used as they are (ICC profiles, gAMA, cHRM are ignored).
 * <ul>
 *   <li>16-bit samples are reduced to 8 bits by rounding ({@code (v·255 + 32767) / 65535}).</li>
 *   <li>Grayscale (with or without alpha) becomes R = G = B; palette images are looked up in their palette.</li>
 *   <li>An alpha channel is <b>composited on white</b> ({@code c·a + 255·(1 − a)}, rounded): a transparent
 *       background becomes white instead of an arbitrary colour hidden under alpha = 0.</li>
 *   <li>CMYK JPEGs (with or without Adobe's APP14 marker) are converted naively, without ICC, as Pillow does
 *       ({@code R = (255 − C)(255 − K)/255}); where ImageIO refuses to build an image it reads the 4-channel raster.</li>
 *   <li>WebP photos are read through TwelveMonkeys' ImageIO plugin.</li>
 *   <li>EXIF orientation (JPEG) is honoured: the pixels are rotated/flipped to upright.</li>
 *   <li>Huge images are decoded subsampled ({@link ImageReadParam#setSourceSubsampling}) so that at most
 *       {@link #DEFAULT_MAX_PIXELS} pixels are decoded; the dimensions are read from the header first.</li>
 * </ul>
 * Every failure is an {@link ImageFileException} with a one-line message naming the file.
 */
public final class Images {
    /** Largest number of pixels decoded at full resolution (larger images are subsampled). */
    public static final long DEFAULT_MAX_PIXELS = 40_000_000L;
    /**
     * Largest image read by a decoder that holds the whole image whatever the subsampling, checked from the header before
     * decoding (like ImageMagick's resource policy): baseline JPEGs, PNGs and GIFs are decoded row by row into a
     * subsampled image, but a progressive JPEG holds every coefficient at full size (≈ 3 bytes a pixel), a WebP is
     * decoded whole, and a TIFF strip or tile is inflated whole — a 28000² one would take gigabytes. 150 megapixels
     * covers phone and camera photos.
     */
    public static final long MAX_BUFFERED_AREA = 150_000_000L;

    private Images() {
    }

    public static RgbImage read(Path file) throws ImageFileException {
        return read(file, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads a photo. {@code maxPixels} bounds the decoded size: a larger image is decoded with an integer subsampling
     * factor (the same on both axes) so that the result has at most that many pixels.
     */
    public static RgbImage read(Path file, long maxPixels) throws ImageFileException {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (!Files.exists(file)) throw new ImageFileException(name + ": no such file");
        if (Files.isDirectory(file)) throw new ImageFileException(name + ": is a folder, not an image");
        try {
            if (Files.size(file) == 0) throw new ImageFileException(name + ": the file is empty");
        } catch (IOException e) {
            throw new ImageFileException(name + ": cannot read (" + e.getMessage() + ")", e);
        }
        RgbImage img;
        String format;
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new ImageFileException(name + ": cannot open the file");
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageFileException(name + ": not a supported image (PNG, JPEG, WebP, BMP or GIF expected)");
            }
            ImageReader reader = readers.next();
            format = reader.getFormatName().toLowerCase(Locale.ROOT);
            try {
                reader.setInput(in, true, true);
                AtomicReference<String> warning = new AtomicReference<>();
                reader.addIIOReadWarningListener((src, msg) -> warning.compareAndSet(null, msg));
                int w = reader.getWidth(0);
                int h = reader.getHeight(0);
                if (w <= 0 || h <= 0) throw new ImageFileException(name + ": invalid image size " + w + "x" + h);
                if ((long) w * h > MAX_BUFFERED_AREA) {
                    String whole = format.contains("webp") ? "a WebP" : format.contains("tif") ? "a TIFF"
                            : format.contains("jpeg") && isProgressiveJpeg(file) ? "a progressive JPEG" : null;
                    if (whole != null) {
                        throw new ImageFileException(name + ": " + whole + " of " + w + "x" + h + " pixels is larger than"
                                + " this app decodes (" + MAX_BUFFERED_AREA / 1_000_000
                                + " megapixels; save it as a baseline JPEG or PNG)");
                    }
                }
                int sub = subsampling(w, h, maxPixels);
                ImageReadParam param = reader.getDefaultReadParam();
                if (sub > 1) param.setSourceSubsampling(sub, sub, 0, 0);
                Raster raster;
                ColorModel cm;
                try {
                    BufferedImage bi = reader.read(0, param);
                    raster = bi.getRaster();
                    cm = bi.getColorModel();
                } catch (IIOException e) {
                    // CMYK / YCCK JPEGs: ImageIO cannot build an image type but can hand out the raw raster.
                    if (!reader.canReadRaster() || !isUnsupportedType(e)) throw e;
                    raster = reader.readRaster(0, param);
                    cm = null;
                    if (raster.getNumBands() != 4) {
                        throw new ImageFileException(name + ": unsupported colour type (" + raster.getNumBands() + " channels)");
                    }
                }
                if (warning.get() != null && isTruncationWarning(warning.get())) {
                    throw new ImageFileException(name + ": the file is truncated or corrupt (" + warning.get() + ")");
                }
                img = toRgb(raster, cm, name);
            } finally {
                reader.dispose();
            }
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageFileException(name + ": corrupt or truncated image (" + oneLine(e) + ")", e);
        } catch (RuntimeException e) {
            throw new ImageFileException(name + ": corrupt image, the decoder failed (" + oneLine(e) + ")", e);
        } catch (OutOfMemoryError e) {
            throw new ImageFileException(name + ": the image is too large to decode in the available memory");
        }
        if (format.contains("jpeg") || format.contains("jpg")) {
            img = applyExifOrientation(img, exifOrientation(file));
        }
        return img;
    }

    /** Whether a JPEG's frame header (SOF2, 6, 10 or 14) says progressive; read from the markers before the scan. */
    static boolean isProgressiveJpeg(Path file) throws IOException {
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readUnsignedShort() != 0xFFD8) return false;
            while (true) {
                int b = in.readUnsignedByte();
                if (b != 0xFF) return false;
                int marker = in.readUnsignedByte();
                while (marker == 0xFF) marker = in.readUnsignedByte(); // fill bytes
                if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
                if (marker == 0xDA || marker == 0xD9) return false; // scan or end before any frame header
                if (marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE) return true;
                if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) return false;
                int len = in.readUnsignedShort();
                if (len < 2) return false;
                in.skipNBytes(len - 2);
            }
        } catch (java.io.EOFException e) {
            return false;
        }
    }

    static int subsampling(int w, int h, long maxPixels) {
        long n = (long) w * h;
        if (n <= maxPixels) return 1;
        int s = (int) Math.ceil(Math.sqrt((double) n / maxPixels));
        while ((long) ceilDiv(w, s) * ceilDiv(h, s) > maxPixels) s++;
        return s;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private static boolean isUnsupportedType(IIOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("unsupported image type") || m.contains("unsupported color") || m.contains("cmyk");
    }

    private static boolean isTruncationWarning(String msg) {
        String m = msg.toLowerCase(Locale.ROOT);
        return m.contains("premature") || m.contains("truncat") || m.contains("corrupt") || m.contains("end of");
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
        return m.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * Converts a decoded raster to 8-bit RGB without colour management. {@code cm == null} or 4 colour components:
     * CMYK as the JDK's JPEG reader hands it out — plain, Adobe's inverted storage already undone — converted naively
     * like Pillow: {@code R = (255 − C)(255 − K)/255}. (Inverting again where the file has Adobe's APP14 marker, as
     * this class once did, turned every Pillow- or Photoshop-written CMYK JPEG black.)
     */
    static RgbImage toRgb(Raster raster, ColorModel cm, String name) throws ImageFileException {
        int w = raster.getWidth();
        int h = raster.getHeight();
        int bands = raster.getNumBands();
        RgbImage out = RgbImage.blank(w, h);
        byte[] rgb = out.rgb();
        int[] row = new int[w * bands];
        if (cm == null || (cm.getNumColorComponents() == 4 && bands >= 4)) {
            for (int y = 0; y < h; y++) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    // plain CMYK: the JDK's reader has already undone Adobe's inverted storage where the marker says so
                    int c = 255 - row[x * bands], m = 255 - row[x * bands + 1], ye = 255 - row[x * bands + 2];
                    int k = 255 - row[x * bands + 3];
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) ((c * k + 127) / 255);
                    rgb[o + 1] = (byte) ((m * k + 127) / 255);
                    rgb[o + 2] = (byte) ((ye * k + 127) / 255);
                }
            }
            return out;
        }
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
                for (int x = 0; x < w; x++) {
                    int argb = icm.getRGB(row[x * bands]);
                    int a = argb >>> 24;
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) onWhite((argb >> 16) & 0xff, a, 255);
                    rgb[o + 1] = (byte) onWhite((argb >> 8) & 0xff, a, 255);
                    rgb[o + 2] = (byte) onWhite(argb & 0xff, a, 255);
                }
            }
            return out;
        }
        int colorBands = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha();
        if (colorBands != 1 && colorBands != 3) {
            throw new ImageFileException(name + ": unsupported colour type (" + colorBands + " colour channels)");
        }
        int bits = cm.getComponentSize(0);
        int max = (1 << Math.min(bits, 16)) - 1;
        boolean wide = raster.getTransferType() == DataBuffer.TYPE_USHORT || bits > 8;
        for (int y = 0; y < h; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int base = x * bands;
                int r, g, b;
                if (colorBands == 1) {
                    r = g = b = row[base];
                } else {
                    r = row[base];
                    g = row[base + 1];
                    b = row[base + 2];
                }
                if (wide || max != 255) {
                    r = to8(r, max);
                    g = to8(g, max);
                    b = to8(b, max);
                }
                if (alpha) {
                    int a = to8(row[base + colorBands], (1 << Math.min(cm.getComponentSize(colorBands), 16)) - 1);
                    r = onWhite(r, a, 255);
                    g = onWhite(g, a, 255);
                    b = onWhite(b, a, 255);
                }
                int o = (y * w + x) * 3;
                rgb[o] = (byte) r;
                rgb[o + 1] = (byte) g;
                rgb[o + 2] = (byte) b;
            }
        }
        return out;
    }

    private static int to8(int v, int max) {
        if (max == 255) return v;
        return (int) (((long) v * 255 + max / 2) / max);
    }

    private static int onWhite(int c, int a, int amax) {
        if (a >= amax) return c;
        return (c * a + 255 * (amax - a) + amax / 2) / amax;
    }

    /** The EXIF orientation tag (1…8) of a file, 1 when absent or unreadable. */
    public static int exifOrientation(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Metadata md = ImageMetadataReader.readMetadata(in);
            ExifIFD0Directory dir = md.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (dir != null && dir.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int o = dir.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return o >= 1 && o <= 8 ? o : 1;
            }
        } catch (Exception | NoClassDefFoundError e) {
            return 1;
        }
        return 1;
    }

    /** Turns stored pixels upright for an EXIF orientation (1 = as stored … 8 = rotate 90° clockwise to view). */
    public static RgbImage applyExifOrientation(RgbImage img, int orientation) {
        if (orientation <= 1 || orientation > 8) return img;
        int w = img.width(), h = img.height();
        boolean swap = orientation >= 5;
        int ow = swap ? h : w, oh = swap ? w : h;
        RgbImage out = RgbImage.blank(ow, oh);
        byte[] src = img.rgb(), dst = out.rgb();
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx, sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; } // 8
                }
                int s = (sy * w + sx) * 3, d = (y * ow + x) * 3;
                dst[d] = src[s];
                dst[d + 1] = src[s + 1];
                dst[d + 2] = src[s + 2];
            }
        }
        return out;
    }

    /**
     * A PNG held in memory (a session's pictures): the size is read from its IHDR chunk first, and anything that is no
     * PNG, or a picture over {@link #DEFAULT_MAX_PIXELS}, is refused before a pixel is decoded (the decoder allocates the
     * whole image up front).
     */
    public static BufferedImage decodePng(byte[] png, String name) throws ImageFileException {
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
        if (png.length < 33 || !java.util.Arrays.equals(png, 0, 8, signature, 0, 8)
                || java.nio.ByteBuffer.wrap(png).getInt(12) != 0x49484452) { // "IHDR", always the first chunk
            throw new ImageFileException(name + ": not a PNG picture");
        }
        long w = java.nio.ByteBuffer.wrap(png).getInt(16) & 0xffffffffL;
        long h = java.nio.ByteBuffer.wrap(png).getInt(20) & 0xffffffffL;
        if (w == 0 || h == 0 || w * h > DEFAULT_MAX_PIXELS) {
            throw new ImageFileException(name + ": a PNG of " + w + "x" + h + " pixels, larger than this app reads ("
                    + DEFAULT_MAX_PIXELS / 1_000_000 + " megapixels)");
        }
        try {
            BufferedImage bi = ImageIO.read(new java.io.ByteArrayInputStream(png));
            if (bi == null) throw new ImageFileException(name + ": not a PNG picture");
            return bi;
        } catch (IOException | RuntimeException e) {
            throw new ImageFileException(name + ": corrupt PNG (" + oneLine(e) + ")", e);
        }
    }

    /**
     * A decoded image as Pillow holds it, for code that must resample exactly as Pillow does (CLIP's preprocessing of the
     * golden sets' PNGs): the alpha channel kept beside the un-composited colours (dropped for palette images, which
     * Pillow resizes by their indices) and the palette flag set. Grey becomes R = G = B; 16-bit samples keep their high
     * byte (as Pillow reads 16-bit RGB PNGs), fewer than 8 bits are scaled. Unlike {@link #read}: no compositing, no EXIF,
     * no size limit — the caller decoded the image.
     */
    public static RgbImage withAlpha(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        ColorModel cm = img.getColorModel();
        boolean indexed = cm instanceof IndexColorModel;
        byte[] alpha = cm.hasAlpha() && !indexed ? new byte[w * h] : null;
        Raster r = img.getRaster();
        int bands = r.getNumBands();
        boolean direct = !indexed && (bands == 1 || bands == 2 || bands == 3 || bands == 4)
                && cm.getColorSpace().isCS_sRGB() == (bands >= 3) && cm.getComponentSize().length == bands;
        if (direct) {
            // read stored sample values: avoids Java's colour conversion of grey images (linear-grey gamma)
            int bits = cm.getComponentSize(0);
            int[] s = new int[bands];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    r.getPixel(x, y, s);
                    int o = (y * w + x) * 3;
                    if (bands <= 2) {
                        byte v = (byte) highByte(s[0], bits);
                        rgb[o] = v;
                        rgb[o + 1] = v;
                        rgb[o + 2] = v;
                    } else {
                        rgb[o] = (byte) highByte(s[0], bits);
                        rgb[o + 1] = (byte) highByte(s[1], bits);
                        rgb[o + 2] = (byte) highByte(s[2], bits);
                    }
                    if (alpha != null) alpha[y * w + x] = (byte) highByte(s[bands - 1], cm.getComponentSize(bands - 1));
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y);
                    int o = (y * w + x) * 3;
                    rgb[o] = (byte) (argb >>> 16);
                    rgb[o + 1] = (byte) (argb >>> 8);
                    rgb[o + 2] = (byte) argb;
                    if (alpha != null) alpha[y * w + x] = (byte) (argb >>> 24);
                }
            }
        }
        return new RgbImage(w, h, rgb, alpha, indexed);
    }

    /** A sample of {@code bits} bits as 8 bits the way Pillow reads PNGs: the high byte of wider ones, scaled narrower. */
    private static int highByte(int v, int bits) {
        if (bits == 8) return v;
        if (bits > 8) return v >>> (bits - 8);
        int max = (1 << bits) - 1;
        return (int) Math.round(v * 255.0 / max);
    }

    /** Writes an RGB image as PNG (atomically replaced is up to the caller). */
    public static void writePng(RgbImage img, Path file) throws IOException {
        BufferedImage bi = toBufferedImage(img);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        if (!ImageIO.write(bi, "png", file.toFile())) throw new IOException("no PNG writer");
    }

    /**
     * The format an output file's name asks for: {@code "png"} for {@code .png}, {@code "jpeg"} for {@code .jpg} and
     * {@code .jpeg} (any case); anything else is refused with a one-line message.
     */
    public static String outputFormat(Path file) {
        Path n = file.getFileName();
        String name = (n == null ? file.toString() : n.toString()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) return "png";
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) return "jpeg";
        throw new IllegalArgumentException(file + ": write .png or .jpg/.jpeg");
    }

    /** Encodes as PNG or JPEG ({@link #outputFormat}; JPEG at quality 0.95, 4:2:0, what a photo editor saves). */
    public static void write(RgbImage img, String format, OutputStream os) throws IOException {
        BufferedImage bi = toBufferedImage(img);
        if (!"jpeg".equals(format)) {
            if (!ImageIO.write(bi, format, os)) throw new IOException("no " + format + " writer");
            return;
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
            writer.setOutput(ios);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(0.95f);
            writer.write(null, new IIOImage(bi, null, null), param);
        } finally {
            writer.dispose();
        }
    }

    /** A TYPE_3BYTE_BGR BufferedImage with the same pixels. */
    public static BufferedImage toBufferedImage(RgbImage img) {
        BufferedImage bi = new BufferedImage(img.width(), img.height(), BufferedImage.TYPE_3BYTE_BGR);
        byte[] dst = ((DataBufferByte) bi.getRaster().getDataBuffer()).getData();
        byte[] src = img.rgb();
        for (int i = 0; i < src.length; i += 3) {
            dst[i] = src[i + 2];
            dst[i + 1] = src[i + 1];
            dst[i + 2] = src[i];
        }
        return bi;
    }
}
