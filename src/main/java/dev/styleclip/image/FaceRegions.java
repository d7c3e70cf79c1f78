package dev.styleclip.image;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Masks of the parts of a face ({@link FaceRegion}), drawn from its 68 landmarks (iBUG order, pixel-index coordinates of
 * whatever image they belong to: a photo, or an aligned or generated face after {@link QuadMap#pointsToAligned}).
 *
 * <p>A mask is made in three steps: the regions' polygons are filled (pixel centres inside, even–odd rule) and joined;
 * the signed distance of every pixel to the edge of that union is computed ({@link Distance}: negative inside, exact
 * Euclidean distances between pixel centres); the mask is then read off the distance: {@code grow} pixels moves the
 * edge outwards (negative: inwards), and {@code feather} pixels spreads it into a smooth ramp from 1 to 0 centred on
 * the moved edge. One distance field gives every grow and feather setting, and the ramp is the same width all round
 * the edge whatever its shape, which a blur of a binary mask is not (it eats into thin parts such as the eyes).
 *
 * <p>The image border is not an edge: polygons that run off the picture are filled beyond it, so a face cut by the
 * border keeps its full strength up to the border.
 */
public final class FaceRegions {
    /** How many landmarks a face has (iBUG 68). */
    public static final int LANDMARKS = 68;

    /**
     * The FFHQ mean face, for faces given by four clicked points: the 68 landmarks (x, y pairs) in the unit square of the
     * FFHQ alignment ({@link QuadMap}). Measured here: the mean of face-api's landmarks of the seven human faces of the
     * golden faces set (frontal, rolled, small and large) after their FFHQ alignment, averaged with its mirror image so
     * it is left–right symmetric. Its points lie 0.017 of the square's side from those faces' on average (0.039 for the
     * most turned face), 0.10 at worst (that face's jaw line).
     */
    private static final double[] TEMPLATE = {
        0.2258, 0.4899, 0.2312, 0.5624, 0.2437, 0.6315, 0.2581, 0.6928, 0.2830, 0.7577, 0.3193, 0.8087,
        0.3626, 0.8410, 0.4179, 0.8723, 0.5000, 0.8907, 0.5821, 0.8723, 0.6374, 0.8410, 0.6807, 0.8087,
        0.7170, 0.7577, 0.7419, 0.6928, 0.7563, 0.6315, 0.7688, 0.5624, 0.7742, 0.4899, 0.2804, 0.4125,
        0.3120, 0.3857, 0.3545, 0.3779, 0.3945, 0.3826, 0.4299, 0.3956, 0.5701, 0.3956, 0.6055, 0.3826,
        0.6455, 0.3779, 0.6880, 0.3857, 0.7196, 0.4125, 0.5000, 0.4799, 0.5000, 0.5296, 0.5000, 0.5758,
        0.5000, 0.6189, 0.4544, 0.6484, 0.4746, 0.6550, 0.5000, 0.6610, 0.5254, 0.6550, 0.5456, 0.6484,
        0.3332, 0.4723, 0.3576, 0.4588, 0.3936, 0.4587, 0.4258, 0.4780, 0.3967, 0.4874, 0.3595, 0.4875,
        0.5742, 0.4780, 0.6064, 0.4587, 0.6424, 0.4588, 0.6668, 0.4723, 0.6405, 0.4875, 0.6033, 0.4874,
        0.3983, 0.7359, 0.4347, 0.7213, 0.4777, 0.7080, 0.5000, 0.7134, 0.5223, 0.7080, 0.5653, 0.7213,
        0.6017, 0.7359, 0.5655, 0.7637, 0.5322, 0.7773, 0.5000, 0.7814, 0.4678, 0.7773, 0.4345, 0.7637,
        0.4056, 0.7357, 0.4688, 0.7322, 0.5000, 0.7320, 0.5312, 0.7322, 0.5944, 0.7357, 0.5302, 0.7461,
        0.5000, 0.7487, 0.4698, 0.7461,
    };

    /**
     * How far above the brows the face reaches, as a share of the face's middle third (brow line to the base of the
     * nose, landmark 33, measured along the face's vertical). Faces are roughly three equal thirds (hairline–brows,
     * brows–nose base, nose base–chin); 0.8 of a third covers the forehead and stops short of a typical hairline, so
     * hair stays in {@link FaceRegion#BACKGROUND}.
     */
    private static final double FOREHEAD = 0.8;

    private FaceRegions() {
    }

    /** The FFHQ mean face's 68 landmarks placed in a photo by the square of its alignment (pixel-index coordinates). */
    public static double[][] template(QuadMap map) {
        double[][] out = new double[LANDMARKS][];
        for (int i = 0; i < LANDMARKS; i++) {
            double[] p = map.toPhoto(TEMPLATE[2 * i], TEMPLATE[2 * i + 1]);
            out[i] = new double[]{p[0] - 0.5, p[1] - 0.5};
        }
        return out;
    }

    /**
     * The polygons of one region (closed; each point an x, y pair). {@link FaceRegion#BACKGROUND} has none of its own: it
     * is the outside of {@link FaceRegion#FACE}'s.
     */
    public static List<double[][]> polygons(double[][] lm, FaceRegion region) {
        check(lm);
        Frame f = new Frame(lm);
        return switch (region) {
            case MOUTH -> List.<double[][]>of(range(lm, 48, 60)); // the outer lip line; the inner one (60–67) lies within it
            case EYES -> List.of(range(lm, 36, 42), range(lm, 42, 48));
            case BROWS -> List.of(brow(lm, 17, f), brow(lm, 22, f));
            case NOSE -> List.<double[][]>of(nose(lm, f));
            case FACE, BACKGROUND -> List.<double[][]>of(faceHull(lm, f));
        };
    }

    /** The mask of the union of {@code regions} in a {@code width × height} image, grown and feathered (pixels). */
    public static AlphaMask mask(double[][] lm, int width, int height, Set<FaceRegion> regions, double grow, double feather) {
        return distance(lm, width, height, regions, Distance.reachFor(grow, feather)).mask(grow, feather);
    }

    /**
     * The signed distance to the edge of the union of {@code regions}, known exactly up to {@code reach} pixels from the
     * edge (farther pixels only need to know their side).
     */
    public static Distance distance(double[][] lm, int width, int height, Set<FaceRegion> regions, double reach) {
        if (regions.isEmpty()) throw new IllegalArgumentException("no face region given");
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
        if (!(reach >= 0) || reach > 1e6) throw new IllegalArgumentException("reach must be between 0 and 1e6 pixels, got " + reach);
        List<double[][]> inside = new ArrayList<>();
        for (FaceRegion r : regions) if (r != FaceRegion.BACKGROUND) inside.addAll(polygons(lm, r));
        double[][] hull = polygons(lm, FaceRegion.FACE).get(0);
        boolean background = regions.contains(FaceRegion.BACKGROUND);

        // The part of the plane where edges can matter: the polygons' bounds plus the reach, the photo plus the reach
        int margin = (int) Math.ceil(reach) + 2;
        double[] b = bounds(background ? concat(inside, hull) : inside);
        int x0 = Math.max((int) Math.floor(b[0]) - margin, -margin), y0 = Math.max((int) Math.floor(b[1]) - margin, -margin);
        int x1 = Math.min((int) Math.ceil(b[2]) + margin + 1, width + margin), y1 = Math.min((int) Math.ceil(b[3]) + margin + 1, height + margin);
        if (x0 >= x1 || y0 >= y1) return new Distance(width, height, 0, 0, 0, 0, new float[0], background, reach);
        int w = x1 - x0, h = y1 - y0;
        if ((long) w * h > Integer.MAX_VALUE / 2) throw new IllegalArgumentException("face regions too large: " + w + "x" + h + " pixels");

        boolean[] in = new boolean[w * h];
        for (double[][] poly : inside) fill(poly, x0, y0, w, h, in, true);
        if (background) {
            boolean[] face = new boolean[w * h];
            fill(hull, x0, y0, w, h, face, true);
            for (int i = 0; i < in.length; i++) in[i] |= !face[i];
        }
        float[] toOutside = squaredDistances(in, w, h, false);
        float[] toInside = squaredDistances(in, w, h, true);
        float[] sd = new float[w * h];
        for (int i = 0; i < sd.length; i++) {
            // the edge lies half-way between a pixel centre inside and its neighbour outside
            sd[i] = in[i] ? (float) -(Math.sqrt(toOutside[i]) - 0.5) : (float) (Math.sqrt(toInside[i]) - 0.5);
        }
        return new Distance(width, height, x0, y0, w, h, sd, background, reach);
    }

    /**
     * A signed distance field: for every pixel of a {@code width × height} image, its distance to the nearest edge of a
     * region, negative inside. Exact within {@code reach} pixels of an edge; beyond it, only the side is known.
     */
    public static final class Distance {
        private final int width;
        private final int height;
        private final int x0;
        private final int y0;
        private final int w;
        private final int h;
        private final float[] sd;
        private final boolean insideBeyond;
        private final double reach;

        Distance(int width, int height, int x0, int y0, int w, int h, float[] sd, boolean insideBeyond, double reach) {
            this.width = width;
            this.height = height;
            this.x0 = x0;
            this.y0 = y0;
            this.w = w;
            this.h = h;
            this.sd = sd;
            this.insideBeyond = insideBeyond;
            this.reach = reach;
        }

        /** The reach a mask with this grow and feather needs. */
        public static double reachFor(double grow, double feather) {
            if (!Double.isFinite(grow) || Math.abs(grow) > 1e5) throw new IllegalArgumentException("grow must be a finite number of pixels, got " + grow);
            if (!(feather >= 0) || feather > 1e5) throw new IllegalArgumentException("feather must be 0 or more pixels, got " + feather);
            return Math.abs(grow) + feather / 2 + 1;
        }

        /** Signed distance of pixel (x, y) to the edge, pixels (±infinity beyond the reach). */
        public double at(int x, int y) {
            int rx = x - x0, ry = y - y0;
            if (rx < 0 || ry < 0 || rx >= w || ry >= h) return insideBeyond ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
            return sd[ry * w + rx];
        }

        /**
         * The mask: the edge moved out by {@code grow} pixels (in when negative), then a ramp {@code feather} pixels wide
         * centred on it; {@code feather} 0 is a hard edge.
         */
        public AlphaMask mask(double grow, double feather) {
            checkReach(grow, feather);
            float[] alpha = new float[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) alpha[y * width + x] = (float) alpha(x, y, grow, feather);
            }
            return new AlphaMask(width, height, alpha);
        }

        /** One pixel of {@link #mask} (for callers that need a few pixels of a large photo, not a whole mask). */
        public double alpha(int x, int y, double grow, double feather) {
            double level = at(x, y) - grow;
            if (feather <= 0) return level < 0 ? 1 : 0;
            double t = Math.min(1, Math.max(0, 0.5 - level / feather));
            return t * t * (3 - 2 * t); // smoothstep: no visible kink where the ramp meets the flat parts
        }

        /** Fails when this field cannot answer for that grow and feather. */
        public void checkReach(double grow, double feather) {
            if (reachFor(grow, feather) > reach + 1e-9) {
                throw new IllegalArgumentException("grow " + grow + " and feather " + feather + " reach beyond the distances known (" + reach + " px)");
            }
        }
    }

    // ------------------------------------------------------------------ polygons

    /** The face's own directions: across (left eye → right eye), up (mouth → eyes), and the eye distance. */
    private static final class Frame {
        final double[] across;
        final double[] up;
        final double eyeDistance;

        Frame(double[][] lm) {
            double[] eyeL = FfhqAlign.mean(lm, 36, 42), eyeR = FfhqAlign.mean(lm, 42, 48);
            double[] mouth = {(lm[48][0] + lm[54][0]) / 2, (lm[48][1] + lm[54][1]) / 2};
            eyeDistance = Math.hypot(eyeR[0] - eyeL[0], eyeR[1] - eyeL[1]);
            across = unit(eyeR[0] - eyeL[0], eyeR[1] - eyeL[1]);
            up = unit((eyeL[0] + eyeR[0]) / 2 - mouth[0], (eyeL[1] + eyeR[1]) / 2 - mouth[1]);
            if (!(eyeDistance > 0)) throw new IllegalArgumentException("degenerate landmarks (the eyes coincide)");
        }
    }

    /** Jaw and brows, the brows repeated higher up to take in the forehead (see {@link #FOREHEAD}). */
    private static double[][] faceHull(double[][] lm, Frame f) {
        double[] brows = FfhqAlign.mean(lm, 17, 27);
        double third = (brows[0] - lm[33][0]) * f.up[0] + (brows[1] - lm[33][1]) * f.up[1];
        double lift = FOREHEAD * (third > 0 ? third : f.eyeDistance);
        List<double[]> pts = new ArrayList<>();
        for (int i = 0; i < 27; i++) pts.add(lm[i]);
        for (int i = 17; i < 27; i++) pts.add(new double[]{lm[i][0] + f.up[0] * lift, lm[i][1] + f.up[1] * lift});
        return convexHull(pts);
    }

    /**
     * A brow as a band: iBUG's five brow points follow the brow's upper edge, so the band reaches a little above them
     * and well below (a fifth of the eye distance in all), short of the eyelids.
     */
    private static double[][] brow(double[][] lm, int from, Frame f) {
        double above = 0.04 * f.eyeDistance, below = 0.16 * f.eyeDistance;
        double[][] poly = new double[10][];
        for (int i = 0; i < 5; i++) {
            double[] p = lm[from + i];
            poly[i] = new double[]{p[0] + f.up[0] * above, p[1] + f.up[1] * above};
            poly[9 - i] = new double[]{p[0] - f.up[0] * below, p[1] - f.up[1] * below};
        }
        return poly;
    }

    /**
     * The nose: the hull of the bridge (27–30) and the nostrils (31–35). The bridge points lie on the ridge, a line, so
     * the bridge is widened to half the nostrils' width.
     */
    private static double[][] nose(double[][] lm, Frame f) {
        double half = Math.hypot(lm[35][0] - lm[31][0], lm[35][1] - lm[31][1]) / 4;
        List<double[]> pts = new ArrayList<>();
        for (int i = 27; i < 36; i++) pts.add(lm[i]);
        for (int i : new int[]{27, 30}) {
            pts.add(new double[]{lm[i][0] + f.across[0] * half, lm[i][1] + f.across[1] * half});
            pts.add(new double[]{lm[i][0] - f.across[0] * half, lm[i][1] - f.across[1] * half});
        }
        return convexHull(pts);
    }

    /** Andrew's monotone chain: the hull's corners in order (collinear points dropped). */
    static double[][] convexHull(List<double[]> points) {
        double[][] p = points.toArray(new double[0][]);
        Arrays.sort(p, (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        int n = p.length;
        if (n < 3) return p;
        double[][] hull = new double[2 * n][];
        int k = 0;
        for (double[] q : p) {
            while (k >= 2 && cross(hull[k - 2], hull[k - 1], q) <= 0) k--;
            hull[k++] = q;
        }
        for (int i = n - 2, lower = k + 1; i >= 0; i--) {
            while (k >= lower && cross(hull[k - 2], hull[k - 1], p[i]) <= 0) k--;
            hull[k++] = p[i];
        }
        return Arrays.copyOf(hull, k - 1);
    }

    private static double cross(double[] o, double[] a, double[] b) {
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    }

    private static double[][] range(double[][] lm, int from, int to) {
        double[][] out = new double[to - from][];
        for (int i = from; i < to; i++) out[i - from] = lm[i].clone();
        return out;
    }

    private static double[] unit(double x, double y) {
        double n = Math.hypot(x, y);
        return n > 0 ? new double[]{x / n, y / n} : new double[]{0, 0};
    }

    private static void check(double[][] lm) {
        if (lm == null || lm.length != LANDMARKS) {
            throw new IllegalArgumentException("need " + LANDMARKS + " landmarks, got " + (lm == null ? 0 : lm.length));
        }
        for (double[] p : lm) {
            if (p == null || p.length != 2 || !Double.isFinite(p[0]) || !Double.isFinite(p[1]) || Math.abs(p[0]) > 1e7 || Math.abs(p[1]) > 1e7) {
                throw new IllegalArgumentException("landmarks must be finite x, y pairs within the image's reach");
            }
        }
    }

    private static List<double[][]> concat(List<double[][]> a, double[][] b) {
        List<double[][]> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    private static double[] bounds(List<double[][]> polys) {
        double[] b = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double[][] poly : polys) {
            for (double[] p : poly) {
                b[0] = Math.min(b[0], p[0]);
                b[1] = Math.min(b[1], p[1]);
                b[2] = Math.max(b[2], p[0]);
                b[3] = Math.max(b[3], p[1]);
            }
        }
        return b;
    }

    // ------------------------------------------------------------------ raster

    /**
     * Sets {@code value} on the pixels of the {@code w × h} window at (x0, y0) whose centres (pixel-index coordinates:
     * the centre of pixel i is i) lie inside the polygon (even–odd rule; scan lines through the centres).
     */
    static void fill(double[][] poly, int x0, int y0, int w, int h, boolean[] out, boolean value) {
        int n = poly.length;
        double[] xs = new double[n];
        for (int ry = 0; ry < h; ry++) {
            double y = y0 + ry;
            int k = 0;
            for (int i = 0, j = n - 1; i < n; j = i++) {
                double ya = poly[i][1], yb = poly[j][1];
                if ((ya <= y) != (yb <= y)) xs[k++] = poly[i][0] + (y - ya) / (yb - ya) * (poly[j][0] - poly[i][0]);
            }
            Arrays.sort(xs, 0, k);
            for (int c = 0; c + 1 < k; c += 2) {
                int from = Math.max((int) Math.ceil(xs[c]) - x0, 0), to = Math.min((int) Math.floor(xs[c + 1]) - x0, w - 1);
                for (int rx = from; rx <= to; rx++) out[ry * w + rx] = value;
            }
        }
    }

    /**
     * Squared Euclidean distance from every pixel to the nearest pixel whose {@code in} value is {@code target}
     * (Felzenszwalb and Huttenlocher's two-pass lower envelope of parabolas; exact). Infinite-like (1e20) when there is
     * none.
     */
    static float[] squaredDistances(boolean[] in, int w, int h, boolean target) {
        final double inf = 1e20;
        double[] grid = new double[w * h];
        for (int i = 0; i < grid.length; i++) grid[i] = in[i] == target ? 0 : inf;
        int n = Math.max(w, h);
        double[] f = new double[n], d = new double[n], z = new double[n + 1];
        int[] v = new int[n];
        for (int x = 0; x < w; x++) {
            for (int y = 0; y < h; y++) f[y] = grid[y * w + x];
            lowerEnvelope(f, h, d, v, z);
            for (int y = 0; y < h; y++) grid[y * w + x] = d[y];
        }
        float[] out = new float[w * h];
        for (int y = 0; y < h; y++) {
            System.arraycopy(grid, y * w, f, 0, w);
            lowerEnvelope(f, w, d, v, z);
            for (int x = 0; x < w; x++) out[y * w + x] = (float) Math.min(d[x], inf);
        }
        return out;
    }

    /** Where the parabolas rooted at q and p (q > p) cross. */
    private static double intersection(double[] f, int q, int p) {
        return ((f[q] + (double) q * q) - (f[p] + (double) p * p)) / (2.0 * (q - p));
    }

    /** One dimension: d[q] = min over p of (q − p)² + f[p]. */
    private static void lowerEnvelope(double[] f, int n, double[] d, int[] v, double[] z) {
        int k = -1;
        for (int q = 0; q < n; q++) {
            if (f[q] >= 1e20) continue;
            if (k < 0) {
                v[0] = q;
                z[0] = Double.NEGATIVE_INFINITY;
                z[1] = Double.POSITIVE_INFINITY;
                k = 0;
                continue;
            }
            double s = intersection(f, q, v[k]);
            while (s <= z[k]) { // z[0] is −∞: k stays ≥ 0
                k--;
                s = intersection(f, q, v[k]);
            }
            k++;
            v[k] = q;
            z[k] = s;
            z[k + 1] = Double.POSITIVE_INFINITY;
        }
        if (k < 0) {
            Arrays.fill(d, 0, n, 1e20);
            return;
        }
        int j = 0;
        for (int q = 0; q < n; q++) {
            while (z[j + 1] < q) j++;
            int p = v[j];
            d[q] = (double) (q - p) * (q - p) + f[p];
        }
    }
}
