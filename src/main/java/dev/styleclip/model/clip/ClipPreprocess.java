package dev.styleclip.model.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.PilResample;
import dev.styleclip.image.RgbImage;

import java.util.List;

/**
 * CLIP's photo preprocessing ({@code clip.load(...)[1]}): resize the shorter side to R with PIL's bicubic filter,
 * centre crop R×R (offsets rounded half-to-even like Python's {@code round}), scale to [0, 1] and normalise with CLIP's
 * mean/std, all in float32 exactly as torchvision does. The resize is PIL 9's integer two-pass algorithm
 * ({@link PilResample#resizeBicubic}), so the result is bit-identical to Pillow's.
 */
public final class ClipPreprocess {

    /** CLIP's normalisation mean (RGB). */
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    /** CLIP's normalisation standard deviation (RGB). */
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};
    /** {@link #MEAN} as the exact decimals (float64 pipelines: torchvision makes them in the tensor's dtype). */
    public static final double[] MEAN64 = {0.48145466, 0.4578275, 0.40821073};
    /** {@link #STD} as the exact decimals. */
    public static final double[] STD64 = {0.26862954, 0.26130258, 0.27577711};

    private ClipPreprocess() {
    }

    /** The size {@code Resize(R)} gives: shorter side R, longer side {@code int(R * long / short)}. */
    public static int[] resizedSize(int width, int height, int r) {
        int shortSide = Math.min(width, height);
        int longSide = Math.max(width, height);
        int newLong = (int) ((double) ((long) r * longSide) / shortSide);
        return width <= height ? new int[]{r, newLong} : new int[]{newLong, r};
    }

    /** The {@code CenterCrop(R)} offsets {left, top} of a resized image: {@code int(round((size - R) / 2.0))}. */
    public static int[] cropOffsets(int width, int height, int r) {
        return new int[]{(int) Math.rint((width - r) / 2.0), (int) Math.rint((height - r) / 2.0)};
    }

    /**
     * Resize (shorter side to R) and centre crop to R×R: the uint8 RGB image CLIP normalises. As Pillow does it: bicubic
     * for RGB and grey images, bicubic on alpha-premultiplied values for images with alpha (fully transparent pixels
     * become black; alpha is then dropped), nearest neighbour for palette images; no resampling when the size is
     * already right.
     */
    public static RgbImage resizeAndCrop(RgbImage img, int r) {
        int[] size = resizedSize(img.width(), img.height(), r);
        return crop(PilResample.resizeBicubic(img, size[0], size[1]), r);
    }

    /** Centre crop to R×R (the image must be at least R on both sides); the result is plain RGB. */
    public static RgbImage crop(RgbImage img, int r) {
        if (img.width() < r || img.height() < r) {
            throw new IllegalArgumentException("image " + img.width() + "x" + img.height() + " is smaller than the crop " + r);
        }
        int[] off = cropOffsets(img.width(), img.height(), r);
        return img.plain().crop(off[0], off[1], r, r);
    }

    /** ToTensor + Normalize of an RGB image: float32 CHW, {@code (u8 / 255 - mean) / std}. */
    public static float[] normalizedChw(RgbImage img) {
        int n = img.width() * img.height();
        float[] out = new float[3 * n];
        byte[] rgb = img.rgb();
        for (int c = 0; c < 3; c++) {
            float mean = MEAN[c];
            float std = STD[c];
            for (int i = 0; i < n; i++) {
                float v = (float) (rgb[3 * i + c] & 0xff) / 255f;
                out[c * n + i] = (v - mean) / std;
            }
        }
        return out;
    }

    /** The full preprocessing of one photo: float32 [3, R, R]. */
    public static float[] preprocess(RgbImage img, int r) {
        return normalizedChw(resizeAndCrop(img, r));
    }

    /** The full preprocessing of several photos as one batch [N, 3, R, R] in the manager. */
    public static NDArray pixelValues(List<RgbImage> images, int r, NDManager manager) {
        float[] all = new float[images.size() * 3 * r * r];
        for (int i = 0; i < images.size(); i++) {
            float[] one = preprocess(images.get(i), r);
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return manager.create(all, new Shape(images.size(), 3, r, r));
    }
}
