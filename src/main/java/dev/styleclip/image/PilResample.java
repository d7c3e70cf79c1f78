package dev.styleclip.image;

/**
 * Pillow's resampling on 8-bit RGB pixels, reproduced from its documented behaviour (Pillow 9.x {@code Resample.c},
 * {@code Geometry.c}):
 * <ul>
 *   <li>{@link #resizeLanczos}: separable convolution resize (horizontal pass, rounded to uint8, then vertical),
 *       Lanczos-3 kernel stretched by the scale factor when reducing, source centre {@code (i + 0.5)·scale}, weights
 *       normalised per output pixel and quantised to 22-bit fixed point.</li>
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

    /** Pillow's separable resampling filters used here: the kernel and its support (before scaling). */
    private enum Filter {
        BILINEAR(1.0), LANCZOS(3.0);

        final double support;

        Filter(double support) {
            this.support = support;
        }

        double weight(double x) {
            return this == BILINEAR ? triangle(x) : lanczos(x);
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

    /** Pillow {@code img.resize((w, h), Image.LANCZOS)} for 8-bit RGB. */
    public static RgbImage resizeLanczos(RgbImage in, int outW, int outH) {
        return resize(in, outW, outH, Filter.LANCZOS);
    }

    /**
     * Pillow {@code img.resize((w, h), Image.BILINEAR)} for 8-bit RGB (a triangle filter whose support grows with the
     * reduction factor).
     */
    public static RgbImage resizeBilinear(RgbImage in, int outW, int outH) {
        return resize(in, outW, outH, Filter.BILINEAR);
    }

    /**
     * Pillow's two-pass resize: weights normalised and quantised to 22-bit fixed point, the horizontal pass rounded to
     * uint8 before the vertical one.
     */
    private static RgbImage resize(RgbImage in, int outW, int outH, Filter filter) {
        RgbImage img = in;
        if (outW != img.width()) {
            Coeffs c = precompute(img.width(), outW, filter);
            RgbImage tmp = RgbImage.blank(outW, img.height());
            byte[] src = img.rgb(), dst = tmp.rgb();
            int iw = img.width();
            for (int y = 0; y < img.height(); y++) {
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1];
                    long s0 = 1L << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                    int kb = xx * c.ksize;
                    for (int x = 0; x < xmax; x++) {
                        int p = (y * iw + x + xmin) * 3;
                        long w = c.kk[kb + x];
                        s0 += (src[p] & 0xff) * w;
                        s1 += (src[p + 1] & 0xff) * w;
                        s2 += (src[p + 2] & 0xff) * w;
                    }
                    int o = (y * outW + xx) * 3;
                    dst[o] = (byte) clip8(s0);
                    dst[o + 1] = (byte) clip8(s1);
                    dst[o + 2] = (byte) clip8(s2);
                }
            }
            img = tmp;
        }
        if (outH != img.height()) {
            Coeffs c = precompute(img.height(), outH, filter);
            RgbImage tmp = RgbImage.blank(img.width(), outH);
            byte[] src = img.rgb(), dst = tmp.rgb();
            int w0 = img.width();
            for (int yy = 0; yy < outH; yy++) {
                int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1];
                int kb = yy * c.ksize;
                for (int xx = 0; xx < w0; xx++) {
                    long s0 = 1L << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
                    for (int y = 0; y < ymax; y++) {
                        int p = ((y + ymin) * w0 + xx) * 3;
                        long w = c.kk[kb + y];
                        s0 += (src[p] & 0xff) * w;
                        s1 += (src[p + 1] & 0xff) * w;
                        s2 += (src[p + 2] & 0xff) * w;
                    }
                    int o = (yy * w0 + xx) * 3;
                    dst[o] = (byte) clip8(s0);
                    dst[o + 1] = (byte) clip8(s1);
                    dst[o + 2] = (byte) clip8(s2);
                }
            }
            img = tmp;
        }
        return img == in ? new RgbImage(in.width(), in.height(), in.rgb().clone()) : img;
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
