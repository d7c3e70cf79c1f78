package dev.styleclip.model.stylegan3;

import ai.djl.ndarray.NDArray;

import java.awt.image.BufferedImage;

/** Generator output → pixels, as gen_images.py: {@code (x * 127.5 + 128).clamp(0, 255).to(uint8)}. */
public final class GeneratorImages {
    private GeneratorImages() {
    }

    /** One raw value → 0…255 (float32 arithmetic, clamp, truncation toward zero). */
    public static int toByte(float x) {
        float v = x * 127.5f + 128f;
        if (!(v >= 0f)) v = 0f;
        if (v > 255f) v = 255f;
        return (int) v;
    }

    /** Sample {@code index} of img [N, 3, H, W] as an RGB image. */
    public static BufferedImage toImage(NDArray img, int index) {
        long[] s = img.getShape().getShape();
        if (s.length != 4 || (s[1] != 3 && s[1] != 1)) throw new IllegalArgumentException("expected [N, 3, H, W], got " + img.getShape());
        int c = (int) s[1], h = (int) s[2], w = (int) s[3];
        float[] v = img.get(index).toFloatArray();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = y * w + x;
                int r = toByte(v[i]);
                int g = c == 3 ? toByte(v[plane + i]) : r;
                int b = c == 3 ? toByte(v[2 * plane + i]) : r;
                out.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return out;
    }
}
