package dev.styleclip.image;

/**
 * Where an FFHQ-aligned square lies in its photo: the affine map between the square's unit coordinates
 * ({@code (s, t)} in [0, 1]², s to the right, t down) and the photo's continuous coordinates (pixel {@code (i, j)} covers
 * [i, i + 1) × [j, j + 1), its centre is {@code (i + 0.5, j + 0.5)}). The quad of {@link FfhqAlign} is always a square
 * ({@code c ± x ± y}), so three corners fix the map: {@code origin} (top left), {@code right} (top left → top right)
 * and {@code down} (top left → bottom left).
 *
 * <p>Landmarks and quads are in <em>pixel-index</em> coordinates (the centre of pixel {@code (i, j)} is {@code (i, j)}):
 * that is why the alignment transforms with {@code quad + 0.5}, and why {@link #pointsToAligned}/{@link #pointsToPhoto}
 * add and remove half a pixel on each side.
 */
public record QuadMap(double[] origin, double[] right, double[] down) {

    public QuadMap {
        double det = right[0] * down[1] - right[1] * down[0];
        if (!(Math.abs(det) > 0) || !Double.isFinite(det)) throw new IllegalArgumentException("degenerate face square");
    }

    /**
     * The square an alignment to {@code alignedSize} pixels sampled. When the photo was first shrunk by an integer
     * factor k (faces more than 4× the output size), the transform ran on the shrunk photo with {@code quad / k + 0.5},
     * which is {@code quad + k/2} in the photo: the map follows the alignment, not the ideal quad, so a paste lands where
     * the pixels came from.
     */
    public static QuadMap of(FfhqAlign.Quad quad, int alignedSize) {
        if (alignedSize <= 0) throw new IllegalArgumentException("aligned size must be positive, got " + alignedSize);
        int shrink = (int) Math.floor(quad.qsize() / alignedSize * 0.5);
        return of(quad, shrink > 1 ? shrink * 0.5 : 0.5);
    }

    /** The quad itself (an alignment that did not shrink the photo). */
    public static QuadMap of(FfhqAlign.Quad quad) {
        return of(quad, 0.5);
    }

    private static QuadMap of(FfhqAlign.Quad quad, double half) {
        double[][] q = quad.quad(); // TL, BL, BR, TR
        return new QuadMap(new double[]{q[0][0] + half, q[0][1] + half},
                new double[]{q[3][0] - q[0][0], q[3][1] - q[0][1]},
                new double[]{q[1][0] - q[0][0], q[1][1] - q[0][1]});
    }

    /** The square's side in photo pixels. */
    public double side() {
        return 0.5 * (Math.hypot(right[0], right[1]) + Math.hypot(down[0], down[1]));
    }

    /** Photo continuous coordinates of the unit point {@code (s, t)}. */
    public double[] toPhoto(double s, double t) {
        return new double[]{origin[0] + s * right[0] + t * down[0], origin[1] + s * right[1] + t * down[1]};
    }

    /** Unit coordinates {@code (s, t)} of the photo continuous point {@code (x, y)}. */
    public double[] toUnit(double x, double y) {
        double dx = x - origin[0], dy = y - origin[1];
        double det = right[0] * down[1] - right[1] * down[0];
        return new double[]{(dx * down[1] - dy * down[0]) / det, (right[0] * dy - right[1] * dx) / det};
    }

    /** Photo points (pixel-index coordinates, e.g. landmarks) as points of the aligned image of {@code size} pixels. */
    public double[][] pointsToAligned(double[][] photoPoints, int size) {
        double[][] out = new double[photoPoints.length][];
        for (int i = 0; i < out.length; i++) {
            double[] u = toUnit(photoPoints[i][0] + 0.5, photoPoints[i][1] + 0.5);
            out[i] = new double[]{u[0] * size - 0.5, u[1] * size - 0.5};
        }
        return out;
    }

    /** Points of the aligned image of {@code size} pixels (pixel-index coordinates) as photo points. */
    public double[][] pointsToPhoto(double[][] alignedPoints, int size) {
        double[][] out = new double[alignedPoints.length][];
        for (int i = 0; i < out.length; i++) {
            double[] p = toPhoto((alignedPoints[i][0] + 0.5) / size, (alignedPoints[i][1] + 0.5) / size);
            out[i] = new double[]{p[0] - 0.5, p[1] - 0.5};
        }
        return out;
    }

    /**
     * The pixels of a {@code width × height} photo whose centres may lie in the square: {x0, y0, x1, y1} (x1, y1
     * exclusive), empty (x0 ≥ x1 or y0 ≥ y1) when the square misses the photo.
     */
    public int[] photoBounds(int width, int height) {
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        for (int corner = 0; corner < 4; corner++) {
            double[] p = toPhoto(corner & 1, corner >> 1);
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        return new int[]{clamp((int) Math.floor(minX - 0.5), width), clamp((int) Math.floor(minY - 0.5), height),
                clamp((int) Math.ceil(maxX - 0.5) + 1, width), clamp((int) Math.ceil(maxY - 0.5) + 1, height)};
    }

    private static int clamp(int v, int n) {
        return Math.max(0, Math.min(v, n));
    }
}
