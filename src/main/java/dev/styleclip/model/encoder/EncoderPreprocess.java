package dev.styleclip.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.RgbImage;

import java.util.List;

/**
 * The encoders' {@code transform_inference}: Pillow {@code resize((S, S), BILINEAR)} on the 8-bit RGB photo (separable
 * triangle filter whose support grows with the reduction factor, weights normalised and quantised to 22-bit fixed point,
 * horizontal pass rounded to uint8 before the vertical one), then {@code v / 255} and {@code Normalize(0.5, 0.5)} →
 * [-1, 1], CHW. The photo must already be an FFHQ-aligned face.
 */
public final class EncoderPreprocess {
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private EncoderPreprocess() {
    }

    private static double triangle(double x) {
        if (x < 0) x = -x;
        return x < 1 ? 1 - x : 0;
    }

    private record Coeffs(int ksize, int[] bounds, int[] kk) {
    }

    private static Coeffs precompute(int inSize, int outSize) {
        double scale = (double) inSize / outSize;
        double filterscale = Math.max(scale, 1.0);
        double support = 1.0 * filterscale;
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
                double w = triangle((x + xmin - center + 0.5) * ss);
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

    /** Pillow {@code img.resize((w, h), Image.BILINEAR)} for 8-bit RGB. */
    public static RgbImage resizeBilinear(RgbImage in, int outW, int outH) {
        RgbImage img = in;
        if (outW != img.width()) {
            Coeffs c = precompute(img.width(), outW);
            RgbImage tmp = RgbImage.blank(outW, img.height());
            byte[] src = img.rgb(), dst = tmp.rgb();
            int iw = img.width();
            for (int y = 0; y < img.height(); y++) {
                for (int xx = 0; xx < outW; xx++) {
                    int xmin = c.bounds[xx * 2], xmax = c.bounds[xx * 2 + 1];
                    long[] acc = {1L << (PRECISION_BITS - 1), 1L << (PRECISION_BITS - 1), 1L << (PRECISION_BITS - 1)};
                    for (int x = 0; x < xmax; x++) {
                        int p = (y * iw + x + xmin) * 3;
                        long w = c.kk[xx * c.ksize + x];
                        for (int ch = 0; ch < 3; ch++) acc[ch] += (src[p + ch] & 0xff) * w;
                    }
                    int o = (y * outW + xx) * 3;
                    for (int ch = 0; ch < 3; ch++) dst[o + ch] = (byte) clip8(acc[ch]);
                }
            }
            img = tmp;
        }
        if (outH != img.height()) {
            Coeffs c = precompute(img.height(), outH);
            RgbImage tmp = RgbImage.blank(img.width(), outH);
            byte[] src = img.rgb(), dst = tmp.rgb();
            int w0 = img.width();
            for (int yy = 0; yy < outH; yy++) {
                int ymin = c.bounds[yy * 2], ymax = c.bounds[yy * 2 + 1];
                for (int xx = 0; xx < w0; xx++) {
                    long[] acc = {1L << (PRECISION_BITS - 1), 1L << (PRECISION_BITS - 1), 1L << (PRECISION_BITS - 1)};
                    for (int y = 0; y < ymax; y++) {
                        int p = ((y + ymin) * w0 + xx) * 3;
                        long w = c.kk[yy * c.ksize + y];
                        for (int ch = 0; ch < 3; ch++) acc[ch] += (src[p + ch] & 0xff) * w;
                    }
                    int o = (yy * w0 + xx) * 3;
                    for (int ch = 0; ch < 3; ch++) dst[o + ch] = (byte) clip8(acc[ch]);
                }
            }
            img = tmp;
        }
        return img == in ? new RgbImage(in.width(), in.height(), in.rgb().clone()) : img;
    }

    /** An 8-bit RGB image as {@code [3, H, W]} floats in [-1, 1] ({@code (v / 255 - 0.5) / 0.5}). */
    public static float[] toChw(RgbImage img) {
        int w = img.width(), h = img.height(), plane = w * h;
        float[] out = new float[3 * plane];
        byte[] rgb = img.rgb();
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) out[c * plane + i] = ((rgb[i * 3 + c] & 0xff) / 255f - 0.5f) / 0.5f;
        }
        return out;
    }

    /** Photos → encoder input {@code [N, 3, S, S]} in [-1, 1]. */
    public static NDArray input(List<RgbImage> photos, int size, NDManager m) {
        float[] all = new float[photos.size() * 3 * size * size];
        for (int i = 0; i < photos.size(); i++) {
            float[] one = toChw(resizeBilinear(photos.get(i), size, size));
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return m.create(all, new Shape(photos.size(), 3, size, size));
    }
}
