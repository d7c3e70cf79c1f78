package dev.styleclip.video;

import dev.styleclip.image.FfhqAlign.Quad;

import java.util.ArrayList;
import java.util.List;

/**
 * A clip's alignment crops over time, made steady. Per-frame detection jitters by a pixel or two, which the aligned
 * face turns into a shaking picture; STIT smooths the crops' centres and axes with Gaussians over time, and so do
 * we ({@link #smooth}). A frame whose detection failed (motion blur, a hand before the face) is not dropped — the output
 * must keep every frame, in step with the sound — but given a crop interpolated from its nearest detected neighbours
 * ({@link #fillGaps}).
 */
public final class QuadTrack {
    private QuadTrack() {
    }

    /**
     * Every frame's crop: detected ones as they are, a missing one (null) interpolated linearly between the nearest
     * detected frames before and after it, and missing ones before the first or after the last detection copied from
     * it. Fails when no frame has a face.
     */
    public static List<Quad> fillGaps(List<Quad> detected) {
        int n = detected.size();
        List<Quad> out = new ArrayList<>(detected);
        int first = -1;
        for (int i = 0; i < n && first < 0; i++) if (detected.get(i) != null) first = i;
        if (first < 0) throw new IllegalArgumentException("no face was found in any of the " + n + " frames");
        for (int i = 0; i < first; i++) out.set(i, detected.get(first));
        int prev = first;
        for (int i = first + 1; i < n; i++) {
            if (detected.get(i) == null) continue;
            for (int g = prev + 1; g < i; g++) out.set(g, lerp(detected.get(prev), detected.get(i), (double) (g - prev) / (i - prev)));
            prev = i;
        }
        for (int i = prev + 1; i < n; i++) out.set(i, detected.get(prev));
        return out;
    }

    /**
     * The crops smoothed over time: centres with a Gaussian of {@code centreSigma} frames, the axes x and y (size and
     * turn) with one of {@code axesSigma} (STIT's {@code center_sigma} and {@code xy_sigma}; 0 leaves them). Every
     * frame must have a crop ({@link #fillGaps} first); each keeps its own face points.
     */
    public static List<Quad> smooth(List<Quad> quads, double centreSigma, double axesSigma) {
        int n = quads.size();
        double[][] c = new double[n][];
        double[][] xy = new double[n][];
        for (int i = 0; i < n; i++) {
            Quad q = quads.get(i);
            if (q == null) throw new IllegalArgumentException("frame " + i + " has no crop: fill the gaps first");
            c[i] = q.c();
            xy[i] = new double[]{q.x()[0], q.x()[1], q.y()[0], q.y()[1]};
        }
        double[][] cs = TemporalFilter.gaussian(centreSigma).apply(c);
        double[][] xys = TemporalFilter.gaussian(axesSigma).apply(xy);
        List<Quad> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(quads.get(i).withCrop(cs[i], new double[]{xys[i][0], xys[i][1]}, new double[]{xys[i][2], xys[i][3]}));
        }
        return out;
    }

    /** The crop a fraction {@code t} of the way from {@code a} to {@code b}: every point and vector moved linearly. */
    static Quad lerp(Quad a, Quad b, double t) {
        Quad points = new Quad(lerp(a.eyeLeft(), b.eyeLeft(), t), lerp(a.eyeRight(), b.eyeRight(), t),
                lerp(a.eyeAvg(), b.eyeAvg(), t), lerp(a.eyeToEye(), b.eyeToEye(), t), lerp(a.mouthLeft(), b.mouthLeft(), t),
                lerp(a.mouthRight(), b.mouthRight(), t), lerp(a.mouthAvg(), b.mouthAvg(), t),
                lerp(a.eyeToMouth(), b.eyeToMouth(), t), lerp(a.scaleEyeToEyeX2(), b.scaleEyeToEyeX2(), t),
                lerp(a.scaleEyeToMouthX18(), b.scaleEyeToMouthX18(), t), a.x(), a.y(), a.c(), a.quad(), a.qsize());
        return points.withCrop(lerp(a.c(), b.c(), t), lerp(a.x(), b.x(), t), lerp(a.y(), b.y(), t));
    }

    private static double[] lerp(double[] a, double[] b, double t) {
        return new double[]{lerp(a[0], b[0], t), lerp(a[1], b[1], t)};
    }

    private static double lerp(double a, double b, double t) {
        return a + (b - a) * t;
    }
}
