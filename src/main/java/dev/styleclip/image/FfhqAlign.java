package dev.styleclip.image;

import java.util.Arrays;

/**
 * FFHQ face alignment (the FFHQ dataset tool's {@code recreate_aligned_images}, in the form used by
 * stylegan3-editing): from eye centres and outer mouth corners, an oriented square quad around the face; the image
 * is optionally shrunk (Pillow LANCZOS), cropped, padded (reflect + blur + median fade) and then sampled into the
 * output square with Pillow's QUAD/BILINEAR transform, and finally reduced with LANCZOS when the output is smaller
 * than the transform size. Written on pixel arrays with Pillow/numpy/scipy semantics (see {@link PilResample}).
 * <p>
 * Variants: {@link Variant#FFHQ} (the original rule, default) scales the quad by
 * {@code max(2·|eye_to_eye|, 1.8·|eye_to_mouth|)}; {@link Variant#SG3E} (stylegan3-editing's default) by
 * {@code 2·|eye_to_eye|}.
 */
public final class FfhqAlign {
    /** Size of the QUAD transform (stylegan3-editing's default; larger outputs transform at their own size). */
    public static final int TRANSFORM_SIZE = 1024;

    public enum Variant {
        FFHQ, SG3E;

        public static Variant parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "ffhq" -> FFHQ;
                case "sg3e" -> SG3E;
                default -> throw new IllegalArgumentException("unknown alignment variant '" + s + "' (ffhq or sg3e)");
            };
        }
    }

    /** The oriented crop: every intermediate vector of the rule, {@code quad} = TL, BL, BR, TR corners. */
    public record Quad(double[] eyeLeft, double[] eyeRight, double[] eyeAvg, double[] eyeToEye, double[] mouthLeft,
                       double[] mouthRight, double[] mouthAvg, double[] eyeToMouth, double scaleEyeToEyeX2,
                       double scaleEyeToMouthX18, double[] x, double[] y, double[] c, double[][] quad, double qsize) {

        /**
         * The same face points with another crop (centre {@code c}, half-axes {@code x} and {@code y}), corners and size
         * following from it: what a clip's smoothed track of crops keeps of each frame's detection.
         */
        public Quad withCrop(double[] c, double[] x, double[] y) {
            return new Quad(eyeLeft, eyeRight, eyeAvg, eyeToEye, mouthLeft, mouthRight, mouthAvg, eyeToMouth, scaleEyeToEyeX2,
                    scaleEyeToMouthX18, x.clone(), y.clone(), c.clone(), corners(c, x, y), Math.hypot(x[0], x[1]) * 2);
        }
    }

    /** The crop's corners TL, BL, BR, TR: {@code c − x − y, c − x + y, c + x + y, c + x − y}. */
    private static double[][] corners(double[] c, double[] x, double[] y) {
        return new double[][]{
                {c[0] - x[0] - y[0], c[1] - x[1] - y[1]},
                {c[0] - x[0] + y[0], c[1] - x[1] + y[1]},
                {c[0] + x[0] + y[0], c[1] + x[1] + y[1]},
                {c[0] + x[0] - y[0], c[1] + x[1] - y[1]}};
    }

    /** What the image stage did (integers and booleans as the golden {@code outputs} record them). */
    public record Plan(int shrink, int[] shrinkResizeTo, double[][] quadAfterShrink, double qsizeAfterShrink, int border,
                       int[] cropBoxLtrb, boolean cropApplied, int[] sizeAfterCrop, double[][] quadAfterCrop,
                       int[] padLtrbNeeded, boolean padApplied, int[] padLtrb, double blurSigma, float[] medianRgb,
                       int[] sizeAfterPad, double[][] quadFinal, double[] transformData, boolean resizedToOutput) {
    }

    public record Result(RgbImage image, Quad quad, Plan plan) {
    }

    private FfhqAlign() {
    }

    // ------------------------------------------------------------------ quad

    /** The quad from 68 landmarks (eyes = means of 36–41 and 42–47, mouth = points 48 and 54). */
    public static Quad quadFromLandmarks(double[][] lm, Variant variant) {
        if (lm.length < 55) throw new IllegalArgumentException("need 68 landmarks, got " + lm.length);
        return quadFromPoints(mean(lm, 36, 42), mean(lm, 42, 48), lm[48].clone(), lm[54].clone(), variant);
    }

    /** The quad from four points: eye centres (left, right in the image) and outer mouth corners (left, right). */
    public static Quad quadFromPoints(double[] eyeLeft, double[] eyeRight, double[] mouthLeft, double[] mouthRight, Variant variant) {
        double[] eyeAvg = {(eyeLeft[0] + eyeRight[0]) * 0.5, (eyeLeft[1] + eyeRight[1]) * 0.5};
        double[] eyeToEye = {eyeRight[0] - eyeLeft[0], eyeRight[1] - eyeLeft[1]};
        double[] mouthAvg = {(mouthLeft[0] + mouthRight[0]) * 0.5, (mouthLeft[1] + mouthRight[1]) * 0.5};
        double[] eyeToMouth = {mouthAvg[0] - eyeAvg[0], mouthAvg[1] - eyeAvg[1]};
        // x = eye_to_eye − flipud(eye_to_mouth)·[−1, 1]
        double[] x = {eyeToEye[0] - eyeToMouth[1] * -1, eyeToEye[1] - eyeToMouth[0]};
        double n = Math.hypot(x[0], x[1]);
        if (!(n > 0) || !Double.isFinite(n)) throw new IllegalArgumentException("degenerate face points (eyes and mouth coincide)");
        x[0] /= n;
        x[1] /= n;
        double sEye = Math.hypot(eyeToEye[0], eyeToEye[1]) * 2.0;
        double sMouth = Math.hypot(eyeToMouth[0], eyeToMouth[1]) * 1.8;
        double s = variant == Variant.SG3E ? sEye : Math.max(sEye, sMouth);
        x[0] *= s;
        x[1] *= s;
        double[] y = {x[1] * -1, x[0]};
        double[] c = {eyeAvg[0] + eyeToMouth[0] * 0.1, eyeAvg[1] + eyeToMouth[1] * 0.1};
        double[][] quad = corners(c, x, y);
        double qsize = Math.hypot(x[0], x[1]) * 2;
        return new Quad(eyeLeft.clone(), eyeRight.clone(), eyeAvg, eyeToEye, mouthLeft.clone(), mouthRight.clone(), mouthAvg,
                eyeToMouth, sEye, sMouth, x, y, c, quad, qsize);
    }

    /** The centre of points {@code from} (inclusive) to {@code to} (exclusive): an eye's, the brows'. */
    static double[] mean(double[][] p, int from, int to) {
        double sx = 0, sy = 0;
        for (int i = from; i < to; i++) {
            sx += p[i][0];
            sy += p[i][1];
        }
        return new double[]{sx / (to - from), sy / (to - from)};
    }

    // ------------------------------------------------------------------ image

    /** Aligns to {@code outputSize × outputSize} (transform at max(1024, outputSize), then LANCZOS down if smaller). */
    public static Result align(RgbImage img, Quad q, int outputSize) {
        return align(img, q, outputSize, Math.max(TRANSFORM_SIZE, outputSize));
    }

    public static Result align(RgbImage img, Quad q, int outputSize, int transformSize) {
        if (outputSize <= 0 || transformSize <= 0) throw new IllegalArgumentException("output size must be positive");
        double[][] quad = copy(q.quad());
        double qsize = q.qsize();

        // Shrink.
        int shrink = (int) Math.floor(qsize / outputSize * 0.5);
        int[] rsize = null;
        if (shrink > 1) {
            rsize = new int[]{(int) Math.rint((double) img.width() / shrink), (int) Math.rint((double) img.height() / shrink)};
            img = PilResample.resizeLanczos(img, Math.max(1, rsize[0]), Math.max(1, rsize[1]));
            for (double[] p : quad) {
                p[0] /= shrink;
                p[1] /= shrink;
            }
            qsize /= shrink;
        }
        double[][] quadAfterShrink = copy(quad);

        // Crop.
        int border = Math.max((int) Math.rint(qsize * 0.1), 3);
        int[] crop = {
                Math.max(floorMin(quad, 0) - border, 0), Math.max(floorMin(quad, 1) - border, 0),
                Math.min(ceilMax(quad, 0) + border, img.width()), Math.min(ceilMax(quad, 1) + border, img.height())};
        boolean cropApplied = false;
        if (crop[2] - crop[0] < img.width() || crop[3] - crop[1] < img.height()) {
            img = pilCrop(img, crop[0], crop[1], crop[2], crop[3]);
            for (double[] p : quad) {
                p[0] -= crop[0];
                p[1] -= crop[1];
            }
            cropApplied = true;
        }
        int[] sizeAfterCrop = {img.width(), img.height()};
        double[][] quadAfterCrop = copy(quad);

        // Pad.
        int[] pad = {
                Math.max(-floorMin(quad, 0) + border, 0), Math.max(-floorMin(quad, 1) + border, 0),
                Math.max(ceilMax(quad, 0) - img.width() + border, 0), Math.max(ceilMax(quad, 1) - img.height() + border, 0)};
        int[] padNeeded = pad.clone();
        boolean padApplied = false;
        float[] median = null;
        double blur = qsize * 0.02;
        int[] padFinal = null;
        if (Arrays.stream(pad).max().getAsInt() > border - 4) {
            int minPad = (int) Math.rint(qsize * 0.3);
            for (int i = 0; i < 4; i++) pad[i] = Math.max(pad[i], minPad);
            median = new float[3];
            img = padBlur(img, pad, blur, median);
            for (double[] p : quad) {
                p[0] += pad[0];
                p[1] += pad[1];
            }
            padApplied = true;
            padFinal = pad.clone();
        }
        int[] sizeAfterPad = {img.width(), img.height()};

        // Transform.
        double[] data = new double[8];
        for (int i = 0; i < 4; i++) {
            data[2 * i] = quad[i][0] + 0.5;
            data[2 * i + 1] = quad[i][1] + 0.5;
        }
        RgbImage out = PilResample.quadTransformBilinear(img, transformSize, transformSize, data);
        boolean resized = false;
        if (outputSize < transformSize) {
            out = PilResample.resizeLanczos(out, outputSize, outputSize);
            resized = true;
        }
        Plan plan = new Plan(shrink, rsize, quadAfterShrink, qsize, border, crop, cropApplied, sizeAfterCrop, quadAfterCrop,
                padNeeded, padApplied, padFinal, blur, median, sizeAfterPad, copy(quad), data, resized);
        return new Result(out, q, plan);
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    private static int floorMin(double[][] q, int axis) {
        double m = Double.POSITIVE_INFINITY;
        for (double[] p : q) m = Math.min(m, p[axis]);
        return (int) Math.floor(m);
    }

    private static int ceilMax(double[][] q, int axis) {
        double m = Double.NEGATIVE_INFINITY;
        for (double[] p : q) m = Math.max(m, p[axis]);
        return (int) Math.ceil(m);
    }

    /** PIL crop (l, t, r, b); areas outside the image are black (never the case here: the box is clamped). */
    static RgbImage pilCrop(RgbImage img, int l, int t, int r, int b) {
        int w = r - l, h = b - t;
        RgbImage out = RgbImage.blank(w, h);
        for (int y = 0; y < h; y++) {
            int sy = t + y;
            if (sy < 0 || sy >= img.height()) continue;
            for (int x = 0; x < w; x++) {
                int sx = l + x;
                if (sx < 0 || sx >= img.width()) continue;
                int s = (sy * img.width() + sx) * 3, d = (y * w + x) * 3;
                out.rgb()[d] = img.rgb()[s];
                out.rgb()[d + 1] = img.rgb()[s + 1];
                out.rgb()[d + 2] = img.rgb()[s + 2];
            }
        }
        return out;
    }

    /** numpy 'reflect' index (mirror without repeating the edge). */
    private static int reflect(int i, int n) {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i = Math.floorMod(i, period);
        return i < n ? i : period - i;
    }

    /** scipy.ndimage 'reflect' index (half-sample symmetric: the edge pixel repeated). */
    private static int symmetric(int i, int n) {
        int period = 2 * n;
        i = Math.floorMod(i, period);
        return i < n ? i : period - 1 - i;
    }

    /** The FFHQ pad step on float32 pixels: reflect pad, blur towards the borders, fade to the median colour. */
    static RgbImage padBlur(RgbImage img, int[] pad, double sigma, float[] medianOut) {
        int iw = img.width(), ih = img.height();
        int w = iw + pad[0] + pad[2], h = ih + pad[1] + pad[3];
        float[] a = new float[w * h * 3];
        byte[] src = img.rgb();
        for (int y = 0; y < h; y++) {
            int sy = reflect(y - pad[1], ih);
            for (int x = 0; x < w; x++) {
                int sx = reflect(x - pad[0], iw);
                int s = (sy * iw + sx) * 3, d = (y * w + x) * 3;
                a[d] = src[s] & 0xff;
                a[d + 1] = src[s + 1] & 0xff;
                a[d + 2] = src[s + 2] & 0xff;
            }
        }
        float[] blurred = gaussian(a, w, h, sigma);
        float[] mask = new float[w * h];
        for (int y = 0; y < h; y++) {
            float my = 1.0f - Math.min((float) y / pad[1], (float) (h - 1 - y) / pad[3]);
            for (int x = 0; x < w; x++) {
                float mx = 1.0f - Math.min((float) x / pad[0], (float) (w - 1 - x) / pad[2]);
                mask[y * w + x] = Math.max(mx, my);
            }
        }
        for (int i = 0; i < w * h; i++) {
            float m = Math.min(Math.max(mask[i] * 3.0f + 1.0f, 0f), 1f);
            for (int c = 0; c < 3; c++) {
                int k = i * 3 + c;
                a[k] += (blurred[k] - a[k]) * m;
            }
        }
        float[] med = new float[3];
        float[] ch = new float[w * h];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < w * h; i++) ch[i] = a[i * 3 + c];
            med[c] = median(ch);
        }
        if (medianOut != null) System.arraycopy(med, 0, medianOut, 0, 3);
        RgbImage out = RgbImage.blank(w, h);
        byte[] dst = out.rgb();
        for (int i = 0; i < w * h; i++) {
            float m = Math.min(Math.max(mask[i], 0f), 1f);
            for (int c = 0; c < 3; c++) {
                int k = i * 3 + c;
                float v = a[k] + (med[c] - a[k]) * m;
                double r = Math.rint(v);
                dst[k] = (byte) (int) Math.min(Math.max(r, 0), 255);
            }
        }
        return out;
    }

    /** numpy median of float32 values (mean of the two middle values for even counts, in float32). */
    private static float median(float[] v) {
        float[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        if (n % 2 == 1) return s[n / 2];
        return (s[n / 2 - 1] + s[n / 2]) / 2f;
    }

    /**
     * scipy.ndimage.gaussian_filter(img, [σ, σ, 0]) on an H×W×3 float32 array: separable, axis 0 then axis 1, each
     * pass accumulated in float64 (symmetric kernel: centre, then pairs from the outermost in) and stored as float32,
     * mode 'reflect', radius int(4σ + 0.5).
     */
    static float[] gaussian(float[] a, int w, int h, double sigma) {
        int r = (int) (4.0 * sigma + 0.5);
        double[] k = new double[r + 1];
        double sum = 0;
        double s2 = sigma * sigma;
        double[] full = new double[2 * r + 1];
        for (int i = -r; i <= r; i++) {
            full[i + r] = Math.exp(-0.5 / s2 * ((double) i * i));
            sum += full[i + r];
        }
        for (int i = 0; i <= r; i++) k[i] = full[i + r] / sum;
        float[] tmp = new float[a.length];
        double[] line = new double[Math.max(w, h) + 2 * r];
        // axis 0 (rows, y)
        for (int x = 0; x < w; x++) {
            for (int c = 0; c < 3; c++) {
                for (int i = -r; i < h + r; i++) line[i + r] = a[(symmetric(i, h) * w + x) * 3 + c];
                for (int y = 0; y < h; y++) {
                    int ci = y + r;
                    double t = line[ci] * k[0];
                    for (int j = r; j >= 1; j--) t += (line[ci - j] + line[ci + j]) * k[j];
                    tmp[(y * w + x) * 3 + c] = (float) t;
                }
            }
        }
        float[] out = new float[a.length];
        for (int y = 0; y < h; y++) {
            for (int c = 0; c < 3; c++) {
                for (int i = -r; i < w + r; i++) line[i + r] = tmp[(y * w + symmetric(i, w)) * 3 + c];
                for (int x = 0; x < w; x++) {
                    int ci = x + r;
                    double t = line[ci] * k[0];
                    for (int j = r; j >= 1; j--) t += (line[ci - j] + line[ci + j]) * k[j];
                    out[(y * w + x) * 3 + c] = (float) t;
                }
            }
        }
        return out;
    }
}
