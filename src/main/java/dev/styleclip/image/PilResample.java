package dev.styleclip.image;

/**
 * Pillow's resampling on 8-bit RGB pixels, reproduced from its documented behaviour (Pillow 9.x {@code Resample.c},
 * {@code Geometry.c}); the app's one place for it (FFHQ alignment, the encoders' and the projector's input, CLIP's
 * {@code Resize}):
 * <ul>
 *   <li>{@link #resizeLanczos}, {@link #resizeBilinear}, {@link #resizeBicubic}: separable convolution resize
 *       (horizontal pass, rounded to uint8, then vertical), the kernel (Lanczos-3, triangle, Keys cubic) stretched by
 *       the scale factor when reducing, source centre {@code (i + 0.5)·scale}, weights normalised per output pixel and
 *       quantised to 22-bit fixed point. {@link #resizeBicubic} also follows Pillow's image modes (palette images
 *       nearest, alpha premultiplied), which CLIP's golden PNGs exercise.</li>
 *   <li>{@link #resizeNearest}: Pillow's NEAREST resize.</li>
 *   <li>{@link #quadTransformBilinear}: {@code Image.transform(size, QUAD, data, BILINEAR)}, output pixel centres
 *       mapped by the bilinear quad map, bilinear sampling with clamped neighbours, black outside, truncation to
 *       uint8.</li>
 * </ul>
 */
public final class PilResample {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResample() {
    }

    private static double sinc(double x) {
        if (x == 0.0) return 1.0;
        x = x * Math.PI;
        return Math.sin(x) / x;
    }

    private static double lanczos(double x) {
        if (-3.0 <= x && x < 3.0) return sinc(x) * sinc(x / 3);
        return 0.0;
    }

    private static double triangle(double x) {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }

    /** Keys' cubic convolution kernel with a = −0.5, evaluated as Pillow does. */
    private static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    /** Pillow's separable resampling filters used here: the kernel and its support (before scaling). */
    private enum Filter {
        BILINEAR(1.0), BICUBIC(2.0), LANCZOS(3.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            return switch (this) {
                case BILINEAR -> triangle(x);
                case BICUBIC -> bicubic(x);
                default -> lanczos(x);
            };
        }
    }

    /** Fixed-point coefficients: bounds[2·o] = first source index, bounds[2·o+1] = count; kk[o·ksize + k]. */
    private record Coeffs(int ksize, int[] bounds, int[] kk) {
    }

    private static Coeffs precompute(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = filter.support * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ww = 0.0;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? k[x] / ww : k[x];
                kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    private static int clip8(long in) {
        if (in >= (1L << PRECISION_BITS << 8)) return 255;
        if (in <= 0) return 0;
        return (int) (in >> PRECISION_BITS);
    }

    /** Pillow {@code img.resize((w, h), Image.LANCZOS)} for 8-bit RGB (alpha and palette flag ignored). */
    public static RgbImage resizeLanczos(RgbImage in, int outW, int outH) {
        return resizeRgb(in, outW, outH, Filter.LANCZOS);
    }

    /**
     * Pillow {@code img.resize((w, h), Image.BILINEAR)} for 8-bit RGB (a triangle filter whose support grows with the
     * reduction factor; alpha and palette flag ignored).
     */
    public static RgbImage resizeBilinear(RgbImage in, int outW, int outH) {
        return resizeRgb(in, outW, outH, Filter.BILINEAR);
    }

    /**
     * Pillow {@code img.resize((w, h), Image.BICUBIC).convert("RGB")} for the image as Pillow would hold it (CLIP's
     * {@code Resize}): the size unchanged gives a copy; a palette image ({@link RgbImage#indexed}) is resized by
     * {@link #resizeNearest} (Pillow resizes "P" images nearest whatever the filter); an image with alpha is resized
     * alpha-premultiplied ("RGBA" → "RGBa", all four channels, back to "RGBA": fully transparent pixels become black);
     * else the RGB channels with the Keys cubic kernel (a = −0.5). The result is plain RGB (alpha dropped).
     */
    public static RgbImage resizeBicubic(RgbImage in, int outW, int outH) {
        if (outW <= 0 || outH <= 0) throw new IllegalArgumentException("target size must be positive: " + outW + "x" + outH);
        if (outW == in.width() && outH == in.height()) return new RgbImage(outW, outH, in.rgb().clone());
        if (in.indexed()) return resizeNearest(in, outW, outH);
        if (in.hasAlpha()) return resizePremultiplied(in, outW, outH, Filter.BICUBIC);
        return resizeRgb(in, outW, outH, Filter.BICUBIC);
    }

    /** Pillow's NEAREST resize: source index {@code floor((i + 0.5) · in / out)} on each axis; the result is plain RGB. */
    public static RgbImage resizeNearest(RgbImage in, int outW, int outH) {
        int w = in.width();
        int h = in.height();
        double sx = (double) w / outW;
        double sy = (double) h / outH;
        RgbImage out = RgbImage.blank(outW, outH);
        byte[] src = in.rgb(), dst = out.rgb();
        for (int y = 0; y < outH; y++) {
            int yi = Math.min(h - 1, (int) ((y + 0.5) * sy));
            for (int x = 0; x < outW; x++) {
                int xi = Math.min(w - 1, (int) ((x + 0.5) * sx));
                System.arraycopy(src, (yi * w + xi) * 3, dst, (y * outW + x) * 3, 3);
            }
        }
        return out;
    }

    private static RgbImage resizeRgb(RgbImage in, int outW, int outH, Filter filter) {
        byte[] out = resample(in.rgb(), 3, in.width(), in.height(), outW, outH, filter);
        return new RgbImage(outW, outH, out == in.rgb() ? out.clone() : out);
    }

    /**
     * Pillow's resize of an "RGBA" image: premultiply ({@code ImagingConvert} RGBA → RGBa, {@code MULDIV255}), resample
     * the four channels, divide by alpha again (RGBa → RGBA, alpha 0 and 255 left as they are); the RGB part is returned.
     */
    private static RgbImage resizePremultiplied(RgbImage in, int outW, int outH, Filter filter) {
        int n = in.width() * in.height();
        byte[] rgb = in.rgb(), a = in.alpha();
        byte[] rgba = new byte[n * 4];
        for (int i = 0; i < n; i++) {
            int al = a[i] & 0xff;
            for (int c = 0; c < 3; c++) {
                int tmp = (rgb[i * 3 + c] & 0xff) * al + 128;
                rgba[i * 4 + c] = (byte) (((tmp >> 8) + tmp) >> 8);
            }
            rgba[i * 4 + 3] = (byte) al;
        }
        byte[] res = resample(rgba, 4, in.width(), in.height(), outW, outH, filter);
        RgbImage out = RgbImage.blank(outW, outH);
        byte[] dst = out.rgb();
        for (int i = 0; i < outW * outH; i++) {
            int al = res[i * 4 + 3] & 0xff;
            for (int c = 0; c < 3; c++) {
                int v = res[i * 4 + c] & 0xff;
                dst[i * 3 + c] = (byte) (al != 0 && al != 255 ? Math.min(255, (255 * v) / al) : v);
            }
        }
        return out;
    }

    /**
     * Pillow's two-pass resize of 3 (RGB) or 4 (RGBa) interleaved 8-bit channels: weights normalised and quantised to 22-bit
     * fixed point, the horizontal pass (only when the width changes) rounded to uint8 before the vertical one (only when
     * the height changes). Returns {@code src} itself when neither changes.
     */
    private static byte[] resample(byte[] src, int channels, int w, int h, int outW, int outH, Filter filter) {
        if (channels != 3 && channels != 4) throw new IllegalArgumentException("3 or 4 channels, not " + channels);
        boolean alpha = channels == 4;
        byte[] cur = src;
        if (outW != w) {
            Coeffs c = precompute(w, outW, filter);
            byte[] dst = new byte[Math.multiplyExact(Math.multiplyExact(outW, h), channels)];
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1];
                    long s0 = 1L << (PRECISION_BITS - 1), s1 = s0, s2 = s0, s3 = s0;
                    int kb = xx * c.ksize;
                    for (int x = 0; x < xmax; x++) {
                        int p = (y * w + x + xmin) * channels;
                        long k = c.kk[kb + x];
                        s0 += (cur[p] & 0xff) * k;
                        s1 += (cur[p + 1] & 0xff) * k;
                        s2 += (cur[p + 2] & 0xff) * k;
                        if (alpha) s3 += (cur[p + 3] & 0xff) * k;
                    }
                    put(dst, (y * outW + xx) * channels, alpha, s0, s1, s2, s3);
                }
            }
            cur = dst;
        }
        if (outH != h) {
            Coeffs c = precompute(h, outH, filter);
            byte[] dst = new byte[Math.multiplyExact(Math.multiplyExact(outW, outH), channels)];
            for (int yy = 0; yy < outH; yy++) {
                int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1];
                int kb = yy * c.ksize;
                for (int xx = 0; xx < outW; xx++) {
                    long s0 = 1L << (PRECISION_BITS - 1), s1 = s0, s2 = s0, s3 = s0;
                    for (int y = 0; y < ymax; y++) {
                        int p = ((y + ymin) * outW + xx) * channels;
                        long k = c.kk[kb + y];
                        s0 += (cur[p] & 0xff) * k;
                        s1 += (cur[p + 1] & 0xff) * k;
                        s2 += (cur[p + 2] & 0xff) * k;
                        if (alpha) s3 += (cur[p + 3] & 0xff) * k;
                    }
                    put(dst, (yy * outW + xx) * channels, alpha, s0, s1, s2, s3);
                }
            }
            cur = dst;
        }
        return cur;
    }

    private static void put(byte[] dst, int o, boolean alpha, long s0, long s1, long s2, long s3) {
        dst[o] = (byte) clip8(s0);
        dst[o + 1] = (byte) clip8(s1);
        dst[o + 2] = (byte) clip8(s2);
        if (alpha) dst[o + 3] = (byte) clip8(s3);
    }

    /**
     * Pillow {@code img.transform((size, size), Image.QUAD, data, Image.BILINEAR)}: {@code data} = the source corners
     * NW, SW, SE, NE (x, y each) of the output square.
     */
    public static RgbImage quadTransformBilinear(RgbImage in, int outW, int outH, double[] data) {
        double x0 = data[0], y0 = data[1];
        double swx = data[2], swy = data[3], sex = data[4], sey = data[5], nex = data[6], ney = data[7];
        double as = 1.0 / outW, at = 1.0 / outH;
        double a0 = x0, a1 = (nex - x0) * as, a2 = (swx - x0) * at, a3 = (sex - swx - nex + x0) * as * at;
        double a4 = y0, a5 = (ney - y0) * as, a6 = (swy - y0) * at, a7 = (sey - swy - ney + y0) * as * at;
        RgbImage out = RgbImage.blank(outW, outH);
        byte[] src = in.rgb(), dst = out.rgb();
        int w = in.width(), h = in.height();
        for (int y = 0; y < outH; y++) {
            double yin0 = y + 0.5;
            for (int x = 0; x < outW; x++) {
                double xin0 = x + 0.5;
                double xin = a0 + a1 * xin0 + a2 * yin0 + a3 * xin0 * yin0;
                double yin = a4 + a5 * xin0 + a6 * yin0 + a7 * xin0 * yin0;
                if (xin < 0.0 || xin >= w || yin < 0.0 || yin >= h) continue; // black
                xin -= 0.5;
                yin -= 0.5;
                int xi = (int) Math.floor(xin), yi = (int) Math.floor(yin);
                double dx = xin - xi, dy = yin - yi;
                int r0 = yi < 0 ? 0 : Math.min(yi, h - 1);
                boolean hasR1 = yi + 1 >= 0 && yi + 1 < h;
                int cx0 = xi < 0 ? 0 : Math.min(xi, w - 1);
                int cx1 = xi + 1 < 0 ? 0 : Math.min(xi + 1, w - 1);
                int o = (y * outW + x) * 3;
                for (int b = 0; b < 3; b++) {
                    double p00 = src[(r0 * w + cx0) * 3 + b] & 0xff, p01 = src[(r0 * w + cx1) * 3 + b] & 0xff;
                    double v1 = p00 + (p01 - p00) * dx;
                    double v2;
                    if (hasR1) {
                        double p10 = src[((yi + 1) * w + cx0) * 3 + b] & 0xff, p11 = src[((yi + 1) * w + cx1) * 3 + b] & 0xff;
                        v2 = p10 + (p11 - p10) * dx;
                    } else {
                        v2 = v1;
                    }
                    v1 = v1 + (v2 - v1) * dy;
                    dst[o + b] = (byte) (int) v1;
                }
            }
        }
        return out;
    }
}
