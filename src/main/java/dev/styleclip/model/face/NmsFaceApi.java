package dev.styleclip.model.face;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The two non-maximum suppressions of face-api, reproduced with their exact tie and threshold rules. */
public final class NmsFaceApi {
    private NmsFaceApi() {
    }

    /**
     * SSD ({@code ssdMobilenetv1/nonMaxSuppression.ts}): candidates with score &gt; {@code scoreThreshold}, sorted by
     * score descending (stable); each is compared with the selected boxes (latest first) and dropped if an IoU
     * exceeds {@code iouThreshold}; at most {@code maxOutput} kept. Boxes are (ymin, xmin, ymax, xmax), 4 per box.
     *
     * @return the kept box indices in selection order
     */
    public static List<Integer> ssd(float[] boxes, float[] scores, int maxOutput, double iouThreshold, double scoreThreshold) {
        List<Integer> candidates = ssdCandidates(scores, scoreThreshold);
        int outputSize = Math.min(maxOutput, scores.length);
        List<Integer> selected = new ArrayList<>();
        for (int c : candidates) {
            if (selected.size() >= outputSize) break;
            boolean keep = true;
            for (int j = selected.size() - 1; j >= 0; j--) {
                double iou = ssdIou(boxes, c, selected.get(j));
                if (iou == 0.0) continue;
                if (iou > iouThreshold) {
                    keep = false;
                    break;
                }
            }
            if (keep) selected.add(c);
        }
        return selected;
    }

    /** Indices with score &gt; threshold, by score descending (ties by index). */
    public static List<Integer> ssdCandidates(float[] scores, double scoreThreshold) {
        List<Integer> candidates = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) if (scores[i] > scoreThreshold) candidates.add(i);
        candidates.sort(Comparator.comparingDouble((Integer i) -> -(double) scores[i]));
        return candidates;
    }

    static double ssdIou(float[] b, int i, int j) {
        double yminI = Math.min(b[i * 4], b[i * 4 + 2]), xminI = Math.min(b[i * 4 + 1], b[i * 4 + 3]);
        double ymaxI = Math.max(b[i * 4], b[i * 4 + 2]), xmaxI = Math.max(b[i * 4 + 1], b[i * 4 + 3]);
        double yminJ = Math.min(b[j * 4], b[j * 4 + 2]), xminJ = Math.min(b[j * 4 + 1], b[j * 4 + 3]);
        double ymaxJ = Math.max(b[j * 4], b[j * 4 + 2]), xmaxJ = Math.max(b[j * 4 + 1], b[j * 4 + 3]);
        double areaI = (ymaxI - yminI) * (xmaxI - xminI);
        double areaJ = (ymaxJ - yminJ) * (xmaxJ - xminJ);
        if (areaI <= 0 || areaJ <= 0) return 0.0;
        double iy0 = Math.max(yminI, yminJ), ix0 = Math.max(xminI, xminJ);
        double iy1 = Math.min(ymaxI, ymaxJ), ix1 = Math.min(xmaxI, xmaxJ);
        double inter = Math.max(iy1 - iy0, 0.0) * Math.max(ix1 - ix0, 0.0);
        return inter / (areaI + areaJ - inter);
    }

    /**
     * Tiny detector ({@code ops/nonMaxSuppression.ts}, IoU): sort ascending by score (stable), repeatedly pop the
     * last (best) and drop the remaining boxes whose IoU with it is &gt; {@code iouThreshold}. Boxes are
     * {x, y, width, height}.
     *
     * @return picked indices, best first
     */
    public static List<Integer> tiny(double[][] boxes, double[] scores, double iouThreshold) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) order.add(i);
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]));
        List<Integer> pick = new ArrayList<>();
        while (!order.isEmpty()) {
            int curr = order.remove(order.size() - 1);
            pick.add(curr);
            List<Integer> keep = new ArrayList<>();
            for (int idx : order) if (iou(boxes[curr], boxes[idx]) <= iouThreshold) keep.add(idx);
            order = keep;
        }
        return pick;
    }

    /** face-api's {@code iou(box1, box2, isIOU = true)} on {x, y, width, height} boxes. */
    static double iou(double[] a, double[] b) {
        double aRight = a[0] + a[2], aBottom = a[1] + a[3];
        double bRight = b[0] + b[2], bBottom = b[1] + b[3];
        double width = Math.max(0.0, Math.min(aRight, bRight) - Math.max(a[0], b[0]));
        double height = Math.max(0.0, Math.min(aBottom, bBottom) - Math.max(a[1], b[1]));
        double inter = width * height;
        return inter / (a[2] * a[3] + b[2] * b[3] - inter);
    }
}
