package dev.styleclip.model.face;

import dev.styleclip.image.RgbImage;

/**
 * face-api's {@code NetInput.toBatchTensor(size, isCenter)} on the tensor path: crop (exact integer rectangle),
 * zero-pad to a square (detectors: all padding at the end; crops: {@code diff − round(diff/2)} before,
 * {@code round(diff/2)} after), and resize with {@code tf.image.resizeBilinear(alignCorners=false,
 * halfPixelCenters=false)}, i.e. the legacy mapping {@code src = dst · in/out}. Output: NHWC float32, values 0…255.
 */
public final class FaceApiInput {
    private FaceApiInput() {
    }

    /** The whole image. */
    public static float[] toBatch(RgbImage img, int size, boolean center) {
        return toBatch(img, 0, 0, img.width(), img.height(), size, center);
    }

    /** The crop {@code [x, x+w) × [y, y+h)} (inside the image). */
    public static float[] toBatch(RgbImage img, int x, int y, int w, int h, int size, boolean center) {
        if (x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > img.width() || y + h > img.height()) {
            throw new IllegalArgumentException("crop " + x + "," + y + " " + w + "x" + h + " outside " + img.width() + "x" + img.height());
        }
        int side = Math.max(w, h);
        int diff = Math.abs(w - h);
        int before = 0;
        if (center) {
            int append = (diff + 1) / 2; // Math.round(diff / 2), half up
            before = diff - append;
        }
        int left = w < h ? before : 0;
        int top = h < w ? before : 0;
        byte[] rgb = img.rgb();
        int iw = img.width();
        float[] out = new float[size * size * 3];
        if (side == size) {
            for (int r = 0; r < size; r++) {
                int sy = r - top;
                if (sy < 0 || sy >= h) continue;
                for (int c = 0; c < size; c++) {
                    int sx = c - left;
                    if (sx < 0 || sx >= w) continue;
                    int s = ((y + sy) * iw + x + sx) * 3, d = (r * size + c) * 3;
                    out[d] = rgb[s] & 0xff;
                    out[d + 1] = rgb[s + 1] & 0xff;
                    out[d + 2] = rgb[s + 2] & 0xff;
                }
            }
            return out;
        }
        double ratio = (double) side / size;
        int[] c0 = new int[size], c1 = new int[size];
        double[] fx = new double[size];
        for (int c = 0; c < size; c++) {
            double src = c * ratio;
            c0[c] = (int) Math.floor(src);
            c1[c] = Math.min((int) Math.ceil(src), side - 1);
            fx[c] = src - c0[c];
        }
        for (int r = 0; r < size; r++) {
            double srcY = r * ratio;
            int r0 = (int) Math.floor(srcY);
            int r1 = Math.min((int) Math.ceil(srcY), side - 1);
            double fy = srcY - r0;
            int y0 = r0 - top, y1 = r1 - top;
            boolean in0 = y0 >= 0 && y0 < h, in1 = y1 >= 0 && y1 < h;
            for (int c = 0; c < size; c++) {
                int x0 = c0[c] - left, x1 = c1[c] - left;
                boolean ix0 = x0 >= 0 && x0 < w, ix1 = x1 >= 0 && x1 < w;
                int d = (r * size + c) * 3;
                for (int ch = 0; ch < 3; ch++) {
                    double a = in0 && ix0 ? rgb[((y + y0) * iw + x + x0) * 3 + ch] & 0xff : 0;
                    double b = in0 && ix1 ? rgb[((y + y0) * iw + x + x1) * 3 + ch] & 0xff : 0;
                    double cc = in1 && ix0 ? rgb[((y + y1) * iw + x + x0) * 3 + ch] & 0xff : 0;
                    double dd = in1 && ix1 ? rgb[((y + y1) * iw + x + x1) * 3 + ch] & 0xff : 0;
                    double topV = a + (b - a) * fx[c];
                    double bottom = cc + (dd - cc) * fx[c];
                    out[d + ch] = (float) (topV + (bottom - topV) * fy);
                }
            }
        }
        return out;
    }

    /** face-api's {@code computeReshapedDimensions}: the image extent inside the padded square, {width, height}. */
    public static int[] reshapedDimensions(int width, int height, int size) {
        double s = (double) size / Math.max(width, height);
        return new int[]{(int) Math.round(width * s), (int) Math.round(height * s)};
    }
}
