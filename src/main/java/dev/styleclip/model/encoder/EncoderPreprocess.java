package dev.styleclip.model.encoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.PilResample;
import dev.styleclip.image.RgbImage;

import java.util.List;

/**
 * The encoders' {@code transform_inference}: Pillow {@code resize((S, S), BILINEAR)} on the 8-bit RGB photo
 * ({@link PilResample#resizeBilinear}: a separable triangle filter whose support grows with the reduction factor,
 * weights normalised and quantised to 22-bit fixed point, horizontal pass rounded to uint8 before the vertical one), then {@code v / 255} and {@code Normalize(0.5, 0.5)} →
 * [-1, 1], CHW. The photo must already be an FFHQ-aligned face.
 */
public final class EncoderPreprocess {
    private EncoderPreprocess() {
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
            float[] one = toChw(PilResample.resizeBilinear(photos.get(i), size, size));
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return m.create(all, new Shape(photos.size(), 3, size, size));
    }
}
