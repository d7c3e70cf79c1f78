package dev.styleclip.model.clip;

/**
 * Pillow's (9.x) {@code Image.resize(size, BICUBIC)} for 8-bit images, reimplemented from its documented algorithm:
 * separable, horizontal pass first (only when the width changes) into an 8-bit intermediate, then the vertical pass
 * (only when the height changes). Per axis the Keys cubic kernel (a = −0.5) is widened by the scale when downscaling
 * (antialiasing), normalised, converted to 22-bit fixed point and applied with integer accumulation, rounding and
 * clamping to 0..255 after each pass.
 */
public final class PilBicubic {
    private static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;

    private PilBicubic() {
    }

    /** Resizes an RGB image (each channel independently). */
    public static RgbImage resize(RgbImage img, int newWidth, int newHeight) {
        if (newWidth <= 0 || newHeight <= 0) throw new IllegalArgumentException("target size must be positive");
        if (newWidth == img.width() && newHeight == img.height()) return img;
        int[][] ch = new int[3][];
        for (int c = 0; c < 3; c++) ch[c] = resizePlane(img.channel(c), img.width(), img.height(), newWidth, newHeight);
        return RgbImage.fromChannels(newWidth, newHeight, ch[0], ch[1], ch[2]);
    }

    /**
     * Resizes an image with alpha as Pillow resizes RGBA: premultiply (RGBA → RGBa), resize all four channels, divide
     * by alpha again (RGBa → RGBA); the result is the RGB part (alpha dropped, as {@code convert("RGB")} does).
     */
    public static RgbImage resizePremultiplied(RgbImage img, int newWidth, int newHeight) {
        if (!img.hasAlpha()) return resize(img, newWidth, newHeight);
        int n = img.width() * img.height();
        int[] a = img.alpha();
        int[][] ch = new int[3][];
        for (int c = 0; c < 3; c++) {
            int[] v = img.channel(c);
            for (int i = 0; i < n; i++) {
                int tmp = v[i] * a[i] + 128;
                v[i] = ((tmp >> 8) + tmp) >> 8;
            }
            ch[c] = resizePlane(v, img.width(), img.height(), newWidth, newHeight);
        }
        int[] na = resizePlane(a, img.width(), img.height(), newWidth, newHeight);
        for (int c = 0; c < 3; c++) {
            int[] v = ch[c];
            for (int i = 0; i < v.length; i++) {
                int al = na[i];
                if (al != 0 && al != 255) v[i] = Math.min(255, (255 * v[i]) / al);
            }
        }
        return RgbImage.fromChannels(newWidth, newHeight, ch[0], ch[1], ch[2]);
    }

    /** Pillow's NEAREST resize (used for palette images): source index {@code floor((i + 0.5) · in / out)}. */
    public static RgbImage resizeNearest(RgbImage img, int newWidth, int newHeight) {
        int w = img.width();
        int h = img.height();
        double sx = (double) w / newWidth;
        double sy = (double) h / newHeight;
        int[] px = new int[newWidth * newHeight];
        for (int y = 0; y < newHeight; y++) {
            int yi = Math.min(h - 1, (int) ((y + 0.5) * sy));
            for (int x = 0; x < newWidth; x++) {
                int xi = Math.min(w - 1, (int) ((x + 0.5) * sx));
                px[y * newWidth + x] = img.pixels()[yi * w + xi];
            }
        }
        return new RgbImage(newWidth, newHeight, px);
    }

    /** Resizes one plane of 0..255 values (row-major). */
    public static int[] resizePlane(int[] in, int w, int h, int newW, int newH) {
        int[] cur = in;
        int curW = w;
        if (newW != w) {
            Coeffs cx = coeffs(w, newW);
            int[] out = new int[newW * h];
            for (int y = 0; y < h; y++) {
                int row = y * w;
                for (int x = 0; x < newW; x++) {
                    int lo = cx.bounds[2 * x];
                    int n = cx.bounds[2 * x + 1];
                    int off = x * cx.ksize;
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < n; j++) ss += cur[row + lo + j] * cx.k[off + j];
                    out[y * newW + x] = clip8(ss);
                }
            }
            cur = out;
            curW = newW;
        }
        if (newH != h) {
            Coeffs cy = coeffs(h, newH);
            int[] out = new int[curW * newH];
            for (int y = 0; y < newH; y++) {
                int lo = cy.bounds[2 * y];
                int n = cy.bounds[2 * y + 1];
                int off = y * cy.ksize;
                for (int x = 0; x < curW; x++) {
                    int ss = 1 << (PRECISION_BITS - 1);
                    for (int j = 0; j < n; j++) ss += cur[(lo + j) * curW + x] * cy.k[off + j];
                    out[y * curW + x] = clip8(ss);
                }
            }
            cur = out;
        }
        return cur == in ? in.clone() : cur;
    }

    private record Coeffs(int ksize, int[] bounds, int[] k) {
    }

    /** Fixed-point filter coefficients for one axis (Pillow's precompute_coeffs + normalize_coeffs_8bpc). */
    private static Coeffs coeffs(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = SUPPORT * filterscale;
        int ksize = (int) Math.ceil(support) * 2 + 1;
        int[] bounds = new int[outSize * 2];
        int[] kk = new int[outSize * ksize];
        double[] w = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterscale;
            int xmin = (int) (center - support + 0.5);
            if (xmin < 0) xmin = 0;
            int xmax = (int) (center + support + 0.5);
            if (xmax > inSize) xmax = inSize;
            xmax -= xmin;
            double ww = 0.0;
            for (int x = 0; x < xmax; x++) {
                double v = bicubic((x + xmin - center + 0.5) * ss);
                w[x] = v;
                ww += v;
            }
            for (int x = 0; x < xmax; x++) {
                double v = ww != 0.0 ? w[x] / ww : w[x];
                kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
            }
            bounds[2 * xx] = xmin;
            bounds[2 * xx + 1] = xmax;
        }
        return new Coeffs(ksize, bounds, kk);
    }

    /** Keys' cubic convolution kernel with a = −0.5, evaluated as Pillow does. */
    private static double bicubic(double x) {
        final double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static int clip8(int in) {
        if (in >= (1 << PRECISION_BITS << 8)) return 255;
        if (in <= 0) return 0;
        return in >> PRECISION_BITS;
    }
}
