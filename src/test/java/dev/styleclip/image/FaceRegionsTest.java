package dev.styleclip.image;

import org.junit.jupiter.api.Test;

import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Region masks from landmarks: names, polygons, grow/shrink, feathering, unions, the border, the map into aligned faces. */
class FaceRegionsTest {
    static final GoldenFace FACE = GoldenFace.load("grace_hopper_f0");
    static final double[][] LM = FACE.landmarks();
    static final int W = FACE.photo().width();
    static final int H = FACE.photo().height();

    @Test
    void regionNamesParseAndAnUnknownNameGetsOneMessage() {
        assertEquals(EnumSet.of(FaceRegion.MOUTH, FaceRegion.EYES), FaceRegion.parse("mouth, EYES,mouth"));
        assertEquals(EnumSet.allOf(FaceRegion.class), FaceRegion.parse("mouth,eyes,brows,nose,face,background"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FaceRegion.parse("mouth,hair"));
        assertEquals("unknown face region 'hair' (choose from mouth, eyes, brows, nose, face, background)", e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FaceRegion.parse(" , ")).getMessage().startsWith("no face region"));
    }

    @Test
    void aHardMaskIsExactlyThePixelCentresInsideThePolygons() {
        for (FaceRegion r : List.of(FaceRegion.MOUTH, FaceRegion.EYES, FaceRegion.BROWS, FaceRegion.NOSE, FaceRegion.FACE)) {
            List<double[][]> polys = FaceRegions.polygons(LM, r);
            AlphaMask m = FaceRegions.mask(LM, W, H, EnumSet.of(r), 0, 0);
            int inside = 0;
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    if (nearAnEdge(polys, x, y, 1e-6)) continue; // on the line: either answer is right
                    boolean expected = insideAny(polys, x, y);
                    assertEquals(expected ? 1f : 0f, m.at(x, y), r + " at " + x + "," + y);
                    if (expected) inside++;
                }
            }
            assertTrue(inside > 50, r + " covers " + inside + " pixels");
        }
    }

    @Test
    void eachRegionCoversItsPartOfTheFace() {
        double[] eye = mean(36, 42), mouth = mean(60, 68), brow = LM[19], noseTip = LM[30], centre = mean(0, 68);
        double[] browMid = mean(17, 27);
        double up = LM[33][1] - browMid[1]; // a frontal face: up is −y
        double[] forehead = {browMid[0], browMid[1] - 0.5 * up};
        double[] aboveHead = {browMid[0], browMid[1] - 1.5 * up};
        assertEquals(1f, at(FaceRegion.EYES, eye));
        assertEquals(0f, at(FaceRegion.EYES, mouth));
        assertEquals(1f, at(FaceRegion.MOUTH, mouth));
        assertEquals(0f, at(FaceRegion.MOUTH, noseTip));
        assertEquals(1f, at(FaceRegion.BROWS, new double[]{brow[0], brow[1] + 2}));
        assertEquals(0f, at(FaceRegion.BROWS, eye));
        assertEquals(1f, at(FaceRegion.NOSE, noseTip));
        assertEquals(0f, at(FaceRegion.NOSE, eye));
        for (double[] p : new double[][]{eye, mouth, noseTip, centre, forehead}) {
            assertEquals(1f, at(FaceRegion.FACE, p));
            assertEquals(0f, at(FaceRegion.BACKGROUND, p));
        }
        assertEquals(0f, at(FaceRegion.FACE, aboveHead), "the hair is not face");
        assertEquals(1f, at(FaceRegion.BACKGROUND, aboveHead));
        assertEquals(1f, at(FaceRegion.BACKGROUND, new double[]{2, 2}));
    }

    @Test
    void backgroundIsTheOutsideOfTheFace() {
        AlphaMask face = FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.FACE), 0, 0);
        AlphaMask bg = FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.BACKGROUND), 0, 0);
        for (int i = 0; i < face.alpha().length; i++) assertEquals(1f - face.alpha()[i], bg.alpha()[i], "pixel " + i);
        // growing the background shrinks the face, pixel for pixel
        AlphaMask faceIn = FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.FACE), -4, 0);
        AlphaMask bgOut = FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.BACKGROUND), 4, 0);
        for (int i = 0; i < faceIn.alpha().length; i++) assertEquals(1f - faceIn.alpha()[i], bgOut.alpha()[i], "pixel " + i);
    }

    @Test
    void aUnionIsItsPartsTogether() {
        Set<FaceRegion> parts = EnumSet.of(FaceRegion.MOUTH, FaceRegion.EYES, FaceRegion.NOSE);
        for (double grow : new double[]{0, 5}) {
            AlphaMask union = FaceRegions.mask(LM, W, H, parts, grow, 0);
            float[] max = new float[W * H];
            for (FaceRegion r : parts) {
                float[] a = FaceRegions.mask(LM, W, H, EnumSet.of(r), grow, 0).alpha();
                for (int i = 0; i < max.length; i++) max[i] = Math.max(max[i], a[i]);
            }
            for (int i = 0; i < max.length; i++) assertEquals(max[i], union.alpha()[i], "grow " + grow + " pixel " + i);
        }
        // feathered: outside the union as its closest part, inside at least as strong as any part
        AlphaMask union = FaceRegions.mask(LM, W, H, parts, 3, 8);
        for (FaceRegion r : parts) {
            float[] a = FaceRegions.mask(LM, W, H, EnumSet.of(r), 3, 8).alpha();
            for (int i = 0; i < a.length; i++) assertTrue(union.alpha()[i] >= a[i], r + " pixel " + i);
        }
    }

    @Test
    void growingAndShrinkingAreMonotoneAndMoveTheEdgeByTheirPixels() {
        double[][] mouth = FaceRegions.polygons(LM, FaceRegion.MOUTH).get(0);
        float[] previous = null;
        long previousArea = -1;
        for (double grow : new double[]{-4, -2, 0, 2, 4, 8}) {
            for (double feather : new double[]{0, 6}) {
                float[] a = FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.MOUTH), grow, feather).alpha();
                if (feather > 0) continue;
                for (int y = 0; y < H; y++) {
                    for (int x = 0; x < W; x++) {
                        double d = signedDistance(mouth, x, y);
                        if (d <= grow - 1) assertEquals(1f, a[y * W + x], "grow " + grow + ": " + x + "," + y + " at " + d);
                        if (d >= grow + 1) assertEquals(0f, a[y * W + x], "grow " + grow + ": " + x + "," + y + " at " + d);
                    }
                }
                long area = 0;
                for (float v : a) area += (long) v;
                if (previous != null) {
                    for (int i = 0; i < a.length; i++) assertTrue(a[i] >= previous[i], "monotone at pixel " + i);
                    assertTrue(area > previousArea, "area grows: " + previousArea + " → " + area);
                }
                previous = a;
                previousArea = area;
            }
        }
    }

    @Test
    void featherIsARampOfItsWidthCentredOnTheEdge() {
        double feather = 12;
        double[][] hull = FaceRegions.polygons(LM, FaceRegion.FACE).get(0);
        AlphaMask m = FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.FACE), 0, feather);
        int between = 0;
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                float a = m.at(x, y);
                assertTrue(a >= 0 && a <= 1, "alpha " + a);
                double d = signedDistance(hull, x, y);
                if (d <= -feather / 2 - 1) assertEquals(1f, a, x + "," + y);
                if (d >= feather / 2 + 1) assertEquals(0f, a, x + "," + y);
                if (Math.abs(d) < 0.5) assertTrue(a > 0.3 && a < 0.7, "on the edge " + a);
                if (a > 0 && a < 1) between++;
            }
        }
        assertTrue(between > 100, between + " pixels on the ramp");
        assertThrows(IllegalArgumentException.class, () -> FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.FACE), 0, -1));
        assertThrows(IllegalArgumentException.class, () -> FaceRegions.mask(LM, W, H, EnumSet.of(FaceRegion.FACE), Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> FaceRegions.mask(new double[5][2], W, H, EnumSet.of(FaceRegion.FACE), 0, 0));
    }

    @Test
    void theImageBorderIsNoEdge() {
        // the face moved so that its left third lies beyond the left border
        double shift = -(LM[0][0] + (LM[16][0] - LM[0][0]) / 3);
        double[][] moved = new double[68][];
        for (int i = 0; i < 68; i++) moved[i] = new double[]{LM[i][0] + shift, LM[i][1]};
        double feather = 10;
        double[][] hull = FaceRegions.polygons(moved, FaceRegion.FACE).get(0);
        AlphaMask m = FaceRegions.mask(moved, W, H, EnumSet.of(FaceRegion.FACE), 0, feather);
        int deepAtBorder = 0;
        for (int y = 0; y < H; y++) {
            if (signedDistance(hull, 0, y) <= -feather / 2 - 1) {
                assertEquals(1f, m.at(0, y), "row " + y);
                deepAtBorder++;
            }
        }
        assertTrue(deepAtBorder > 50, deepAtBorder + " rows");
    }

    @Test
    void landmarksMapIntoTheAlignedFaceWhereTheAlignmentTakesThem() {
        GoldenFace tilted = GoldenFace.load("tilted_059_f0"); // strong roll, square partly outside the photo
        for (int size : new int[]{1024, 128}) { // 128: the photo is shrunk first (a quad of 637 px)
            FfhqAlign.Quad quad = tilted.quad();
            QuadMap map = QuadMap.of(quad, size);
            double[][] back = map.pointsToPhoto(map.pointsToAligned(tilted.landmarks(), size), size);
            for (int i = 0; i < 68; i++) {
                assertEquals(tilted.landmarks()[i][0], back[i][0], 1e-9);
                assertEquals(tilted.landmarks()[i][1], back[i][1], 1e-9);
            }
            // a dot painted at a landmark (on a flat grey picture of the photo's size, so only the dot moves the
            // centroid) is found by the alignment where the map says
            RgbImage grey = RgbImage.blank(tilted.photo().width(), tilted.photo().height());
            java.util.Arrays.fill(grey.rgb(), (byte) 128);
            RgbImage plain = FfhqAlign.align(grey, quad, size).image();
            for (int k : new int[]{8, 30, 36, 54}) {
                double[] p = tilted.landmarks()[k];
                RgbImage marked = new RgbImage(grey.width(), grey.height(), grey.rgb().clone());
                int r = 8;
                for (int y = (int) p[1] - r - 1; y <= (int) p[1] + r + 1; y++) {
                    for (int x = (int) p[0] - r - 1; x <= (int) p[0] + r + 1; x++) {
                        if (Math.hypot(x - p[0], y - p[1]) <= r) {
                            marked.set(x, y, 0, 255);
                            marked.set(x, y, 1, 0);
                            marked.set(x, y, 2, 255);
                        }
                    }
                }
                RgbImage dotted = FfhqAlign.align(marked, quad, size).image();
                double sw = 0, sx = 0, sy = 0;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        double d = 0;
                        for (int c = 0; c < 3; c++) d += Math.abs(dotted.get(x, y, c) - plain.get(x, y, c));
                        sw += d;
                        sx += d * x;
                        sy += d * y;
                    }
                }
                double[] expected = map.pointsToAligned(new double[][]{p}, size)[0];
                double tol = 0.02 * r * size / map.side() + 0.1; // the dot's own pixel grid, seen through the alignment
                assertEquals(expected[0], sx / sw, tol, "landmark " + k + " x at " + size);
                assertEquals(expected[1], sy / sw, tol, "landmark " + k + " y at " + size);
            }
        }
    }

    @Test
    void theTemplateFitsRealFaces() {
        for (String name : GoldenFace.names()) {
            GoldenFace f = GoldenFace.load(name);
            QuadMap map = QuadMap.of(f.quad());
            double[][] t = FaceRegions.template(map);
            double sum = 0;
            for (int i = 0; i < 68; i++) {
                double d = Math.hypot(t[i][0] - f.landmarks()[i][0], t[i][1] - f.landmarks()[i][1]) / map.side();
                assertTrue(d < 0.11, name + " landmark " + i + " off by " + d + " of the square");
                sum += d;
            }
            assertTrue(sum / 68 < 0.05, name + ": landmarks off by " + sum / 68 + " of the square on average");
        }
    }

    // ------------------------------------------------------------------ helpers

    static float at(FaceRegion r, double[] p) {
        return FaceRegions.mask(LM, W, H, EnumSet.of(r), 0, 0).at((int) Math.round(p[0]), (int) Math.round(p[1]));
    }

    static double[] mean(int from, int to) {
        double x = 0, y = 0;
        for (int i = from; i < to; i++) {
            x += LM[i][0];
            y += LM[i][1];
        }
        return new double[]{x / (to - from), y / (to - from)};
    }

    static Path2D path(double[][] poly) {
        Path2D.Double p = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        p.moveTo(poly[0][0], poly[0][1]);
        for (int i = 1; i < poly.length; i++) p.lineTo(poly[i][0], poly[i][1]);
        p.closePath();
        return p;
    }

    static double edgeDistance(double[][] poly, double x, double y) {
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0, j = poly.length - 1; i < poly.length; j = i++) {
            best = Math.min(best, Line2D.ptSegDist(poly[j][0], poly[j][1], poly[i][0], poly[i][1], x, y));
        }
        return best;
    }

    static boolean insideAny(List<double[][]> polys, double x, double y) {
        return polys.stream().anyMatch(p -> path(p).contains(x, y));
    }

    static boolean nearAnEdge(List<double[][]> polys, double x, double y, double eps) {
        return polys.stream().anyMatch(p -> edgeDistance(p, x, y) < eps);
    }

    /** Distance from a pixel centre to the polygon's outline, negative inside (an independent reference). */
    static double signedDistance(double[][] poly, double x, double y) {
        double d = edgeDistance(poly, x, y);
        return path(poly).contains(x, y) ? -d : d;
    }
}
