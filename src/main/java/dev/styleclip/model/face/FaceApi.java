package dev.styleclip.model.face;

import dev.styleclip.runtime.models.ModelCatalog;
import ai.djl.ndarray.NDManager;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The face-api pipeline ({@code detectAllFaces(img).withFaceLandmarks().withFaceExpressions().withAgeAndGender()
 * .withFaceDescriptors()}) on DJL, reproducing @vladmandic/face-api 1.7.15's tensor path: detection (SSD MobileNetV1 by
 * default, or the Tiny Face Detector), 68 landmarks from the clipped and floored detection box, the 20 %-padded
 * landmark bounding box ("aligned rect") for expression and age/gender, and dlib's alignment rectangle for the
 * 128-D descriptor. All coordinates are pixels of the original image.
 */
public final class FaceApi implements AutoCloseable {
    /** Which detector finds the faces. */
    public enum Detector {
        /** SSD MobileNetV1 (default: more accurate). */
        SSD,
        /** Tiny Face Detector (fast). */
        TINY;

        public static Detector parse(String s) {
            return switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "ssd", "ssd_mobilenetv1" -> SSD;
                case "tiny", "tiny_face_detector" -> TINY;
                default -> throw new IllegalArgumentException("unknown detector '" + s + "' (ssd or tiny)");
            };
        }
    }

    public static final double SSD_MIN_CONFIDENCE = 0.5;
    public static final int SSD_MAX_RESULTS = 100;
    public static final double SSD_IOU_THRESHOLD = 0.5;

    /** A float box {x, y, width, height}. */
    public record Box(double x, double y, double width, double height) {
        public double right() {
            return x + width;
        }

        public double bottom() {
            return y + height;
        }

        public double area() {
            return width * height;
        }

        /** face-api's {@code clipAtImageBorders}: clamp, then floor x, y, width, height separately. */
        public Rect clipAtImageBorders(int imgW, int imgH) {
            double cx = Math.max(x, 0), cy = Math.max(y, 0);
            double cw = Math.min(right() - cx, imgW - cx);
            double ch = Math.min(bottom() - cy, imgH - cy);
            return new Rect((int) Math.floor(cx), (int) Math.floor(cy), (int) Math.floor(cw), (int) Math.floor(ch));
        }
    }

    /** An integer rectangle (a crop). */
    public record Rect(int x, int y, int width, int height) {
        public boolean isEmpty() {
            return width <= 0 || height <= 0;
        }
    }

    /** A detection: score, box in pixels and relative to the image size. */
    public record Detection(double score, Box box, Box relativeBox, int imageWidth, int imageHeight) {
        static Detection ofRelative(double score, Box rel, int w, int h) {
            return new Detection(score, new Box(rel.x() * w, rel.y() * h, rel.width() * w, rel.height() * h), rel, w, h);
        }
    }

    /** A Tiny Face Detector candidate before NMS. */
    public record TinyCandidate(int row, int col, int anchor, double score, double left, double top, double right, double bottom) {
    }

    /** Landmarks and their intermediates. */
    public record Landmarks(Rect cropBox, float[] preprocessed, float[] rawFcOutput, float[] relativeToCrop,
                            double[][] unshifted, double shiftX, double shiftY, double[][] positions,
                            int roll, int pitch, int yaw) {
    }

    public record Expression(Rect cropBox, float[] preprocessed, float[] logits, float[] probabilities) {
        public String dominant() {
            int best = 0;
            for (int i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[best]) best = i;
            return best < ExpressionNet.LABELS.length ? ExpressionNet.LABELS[best] : String.valueOf(best);
        }
    }

    public record AgeGender(Rect cropBox, float[] preprocessed, float age, float[] genderLogits, float[] genderSoftmax,
                            String gender, double genderProbability) {
    }

    public record Descriptor(Rect dlibAlignRect, Rect cropBox, float[] preprocessed, float[] values) {
        public double l2Norm() {
            double s = 0;
            for (float v : values) s += (double) v * v;
            return Math.sqrt(s);
        }
    }

    /** One face with everything computed (attributes may be null when not requested). */
    public record Face(Detection detection, Landmarks landmarks, Detection alignedRect, Expression expression,
                       AgeGender ageGender, Descriptor descriptor) {
    }

    private final NDManager manager;
    private final Path dir;
    private SsdMobilenetV1 ssd;
    private TinyFaceDetector tiny;
    private Landmark68Net landmarkNet;
    private ExpressionNet expressionNet;
    private AgeGenderNet ageGenderNet;
    private FaceRecognitionNet recognitionNet;

    private FaceApi(Path dir, NDManager parent) {
        this.dir = dir;
        this.manager = parent.newSubManager();
    }

    /** Opens the face-api model folder; each net is loaded on first use (a missing file fails then, with its path). */
    public static FaceApi open(Path dir, NDManager manager) throws ModelFileException {
        FaceApiWeights.manifest(dir, SsdMobilenetV1.MODEL);
        FaceApiWeights.manifest(dir, Landmark68Net.MODEL);
        return new FaceApi(dir, manager);
    }

    /**
     * The model folder by the app's one rule, the model catalog's ({@link ModelCatalog#find}: installed in the models
     * folder, then {@code faceapi.dir}, {@code STYLECLIP_FACEAPI_DIR}, the cache); where there is none, the first place
     * looked, for the message that says so.
     */
    public static Path defaultDir() {
        return ModelCatalog.standard().faceApiDir()
                .orElse(ModelCatalog.faceApiFolders().get(0));
    }

    public synchronized SsdMobilenetV1 ssd() throws ModelFileException {
        if (ssd == null) ssd = SsdMobilenetV1.load(dir, manager);
        return ssd;
    }

    public synchronized TinyFaceDetector tiny() throws ModelFileException {
        if (tiny == null) tiny = TinyFaceDetector.load(dir, manager);
        return tiny;
    }

    public synchronized Landmark68Net landmarkNet() throws ModelFileException {
        if (landmarkNet == null) landmarkNet = Landmark68Net.load(dir, manager);
        return landmarkNet;
    }

    public synchronized ExpressionNet expressionNet() throws ModelFileException {
        if (expressionNet == null) expressionNet = ExpressionNet.load(dir, manager);
        return expressionNet;
    }

    public synchronized AgeGenderNet ageGenderNet() throws ModelFileException {
        if (ageGenderNet == null) ageGenderNet = AgeGenderNet.load(dir, manager);
        return ageGenderNet;
    }

    public synchronized FaceRecognitionNet recognitionNet() throws ModelFileException {
        if (recognitionNet == null) recognitionNet = FaceRecognitionNet.load(dir, manager);
        return recognitionNet;
    }

    // ---------------------------------------------------------------- detection

    /** SSD raw outputs for an image (preprocessing: pad at the end to a square, resize to 512). */
    public SsdMobilenetV1.Output ssdRaw(RgbImage img) throws ModelFileException {
        return ssd().forward(FaceApiInput.toBatch(img, SsdMobilenetV1.INPUT_SIZE, false), SsdMobilenetV1.INPUT_SIZE);
    }

    /** SSD detections from its raw outputs (NMS, clamping, un-padding). */
    public static List<Detection> ssdDetections(SsdMobilenetV1.Output out, int imgW, int imgH) {
        List<Integer> idx = NmsFaceApi.ssd(out.boxes(), out.scores(), SSD_MAX_RESULTS, SSD_IOU_THRESHOLD, SSD_MIN_CONFIDENCE);
        int[] reshaped = FaceApiInput.reshapedDimensions(imgW, imgH, SsdMobilenetV1.INPUT_SIZE);
        double padX = (double) SsdMobilenetV1.INPUT_SIZE / reshaped[0];
        double padY = (double) SsdMobilenetV1.INPUT_SIZE / reshaped[1];
        float[] b = out.boxes();
        List<Detection> dets = new ArrayList<>();
        for (int i : idx) {
            double top = Math.max(0, (double) b[i * 4]) * padY;
            double bottom = Math.min(1.0, (double) b[i * 4 + 2]) * padY;
            double left = Math.max(0, (double) b[i * 4 + 1]) * padX;
            double right = Math.min(1.0, (double) b[i * 4 + 3]) * padX;
            dets.add(Detection.ofRelative(out.scores()[i], new Box(left, top, right - left, bottom - top), imgW, imgH));
        }
        return dets;
    }

    /** Tiny detector raw output at an input size (416 by default; a multiple of 32). */
    public TinyFaceDetector.Output tinyRaw(RgbImage img, int inputSize) throws ModelFileException {
        return tiny().forward(FaceApiInput.toBatch(img, inputSize, false), inputSize);
    }

    /** Tiny detector candidates with score &gt; 0.5 (row, col, anchor order), boxes relative to the image. */
    public static List<TinyCandidate> tinyCandidates(TinyFaceDetector.Output out, int imgW, int imgH, int inputSize) {
        int[] reshaped = FaceApiInput.reshapedDimensions(imgW, imgH, inputSize);
        int blob = Math.max(reshaped[0], reshaped[1]);
        double cfX = (double) blob / reshaped[0];
        double cfY = (double) blob / reshaped[1];
        int cells = out.cells();
        int na = TinyFaceDetector.ANCHORS.length;
        float[] d = out.data();
        List<TinyCandidate> res = new ArrayList<>();
        for (int row = 0; row < cells; row++) {
            for (int col = 0; col < cells; col++) {
                for (int a = 0; a < na; a++) {
                    int base = (row * cells + col) * out.channels() + a * 5;
                    double score = FaceApiOps.sigmoid(d[base + 4]);
                    if (!(score > TinyFaceDetector.SCORE_THRESHOLD)) continue;
                    double ctX = ((col + FaceApiOps.sigmoid(d[base])) / cells) * cfX;
                    double ctY = ((row + FaceApiOps.sigmoid(d[base + 1])) / cells) * cfY;
                    double w = ((Math.exp(d[base + 2]) * TinyFaceDetector.ANCHORS[a][0]) / cells) * cfX;
                    double h = ((Math.exp(d[base + 3]) * TinyFaceDetector.ANCHORS[a][1]) / cells) * cfY;
                    double x = ctX - w / 2;
                    double y = ctY - h / 2;
                    res.add(new TinyCandidate(row, col, a, score, x, y, x + w, y + h));
                }
            }
        }
        return res;
    }

    /** Tiny detector detections after NMS (IoU on boxes × inputSize, &gt; 0.4 suppressed). */
    public static List<Detection> tinyDetections(List<TinyCandidate> cands, int imgW, int imgH, int inputSize) {
        double[][] boxes = new double[cands.size()][];
        double[] scores = new double[cands.size()];
        for (int i = 0; i < boxes.length; i++) {
            TinyCandidate c = cands.get(i);
            double w = c.right() - c.left(), h = c.bottom() - c.top();
            boxes[i] = new double[]{c.left() * inputSize, c.top() * inputSize, w * inputSize, h * inputSize};
            scores[i] = c.score();
        }
        List<Detection> dets = new ArrayList<>();
        for (int i : NmsFaceApi.tiny(boxes, scores, TinyFaceDetector.IOU_THRESHOLD)) {
            TinyCandidate c = cands.get(i);
            Box rel = new Box(c.left(), c.top(), c.right() - c.left(), c.bottom() - c.top());
            dets.add(Detection.ofRelative(c.score(), rel, imgW, imgH));
        }
        return dets;
    }

    /** Detections in face-api's order (descending score). */
    public List<Detection> detect(RgbImage img, Detector detector) throws ModelFileException {
        if (detector == Detector.TINY) {
            int size = TinyFaceDetector.DEFAULT_INPUT_SIZE;
            return tinyDetections(tinyCandidates(tinyRaw(img, size), img.width(), img.height(), size), img.width(), img.height(), size);
        }
        return ssdDetections(ssdRaw(img), img.width(), img.height());
    }

    // ---------------------------------------------------------------- per face

    /** The 68 landmarks of a detection (crop = the detection box clipped and floored; shift = the unfloored origin). */
    public Landmarks landmarks(RgbImage img, Box detectionBox) throws ModelFileException {
        Rect crop = detectionBox.clipAtImageBorders(img.width(), img.height());
        if (crop.isEmpty()) throw new IllegalArgumentException("empty landmark crop " + crop);
        int size = Landmark68Net.INPUT_SIZE;
        float[] pre = FaceApiInput.toBatch(img, crop.x(), crop.y(), crop.width(), crop.height(), size, true);
        float[] raw = landmarkNet().forward(pre, size);
        return landmarksFromRaw(crop, pre, raw, detectionBox.x(), detectionBox.y());
    }

    static Landmarks landmarksFromRaw(Rect crop, float[] pre, float[] raw, double shiftX, double shiftY) {
        int w = crop.width(), h = crop.height();
        int size = Landmark68Net.INPUT_SIZE;
        double s = (double) size / Math.max(h, w);
        double wt = w * s, ht = h * s;
        double padX = wt < ht ? Math.abs(wt - ht) / 2 : 0;
        double padY = ht < wt ? Math.abs(wt - ht) / 2 : 0;
        int n = raw.length / 2;
        float[] rel = new float[raw.length];
        double[][] unshifted = new double[n][2];
        double[][] positions = new double[n][2];
        for (int i = 0; i < n; i++) {
            rel[2 * i] = (raw[2 * i] * (float) size - (float) padX) / (float) wt;
            rel[2 * i + 1] = (raw[2 * i + 1] * (float) size - (float) padY) / (float) ht;
            unshifted[i][0] = rel[2 * i] * (double) w;
            unshifted[i][1] = rel[2 * i + 1] * (double) h;
            positions[i][0] = unshifted[i][0] + shiftX;
            positions[i][1] = unshifted[i][1] + shiftY;
        }
        int[] angle = n == 68 ? faceAngle(unshifted) : new int[3];
        return new Landmarks(crop, pre, raw, rel, unshifted, shiftX, shiftY, positions, angle[0], angle[1], angle[2]);
    }

    /** The three arguments face-api floors in {@code calculateFaceAngle} (roll, pitch, yaw before flooring). */
    static double[] faceAngleFloorArguments(double[][] p) {
        double dx = p[66][0] - p[27][0], dy = p[66][1] - p[27][1];
        double mag = Math.sqrt(dx * dx + dy * dy);
        double mx = (p[14][0] + p[2][0]) / 2, my = (p[14][1] + p[2][1]) / 2;
        return new double[]{90 - Math.toDegrees(Math.asin(dy / mag)),
                Math.toDegrees(Math.atan(Math.hypot(p[30][0] - mx, p[30][1] - my) / Math.hypot(p[14][0] - p[2][0], p[14][1] - p[2][1]))),
                p[14][0] - p[33][0], p[33][0] - p[2][0]};
    }

    /** face-api's {@code calculateFaceAngle}: {roll, pitch, yaw} as integers. */
    static int[] faceAngle(double[][] p) {
        double dx = p[66][0] - p[27][0], dy = p[66][1] - p[27][1];
        double mag = Math.sqrt(dx * dx + dy * dy);
        int roll = (int) (Math.floor(90 - Math.toDegrees(Math.asin(dy / mag))) * (dx < 0 ? -1 : 1));
        double mx = (p[14][0] + p[2][0]) / 2, my = (p[14][1] + p[2][1]) / 2;
        double d30 = Math.hypot(p[30][0] - mx, p[30][1] - my);
        double d142 = Math.hypot(p[14][0] - p[2][0], p[14][1] - p[2][1]);
        int pitch = (int) (Math.floor(Math.toDegrees(Math.atan(d30 / d142))) * (my - p[30][1] < 0 ? -1 : 1));
        int yaw = (int) (Math.floor(p[14][0] - p[33][0]) - Math.floor(p[33][0] - p[2][0]));
        return new int[]{roll, pitch, yaw};
    }

    /** The landmark bounding box padded by 20 % (face-api's {@code alignedRect}), as a detection with the same score. */
    public static Detection alignedRect(double[][] positions, double score, int imgW, int imgH) {
        double minX = Double.POSITIVE_INFINITY, minY = Double.POSITIVE_INFINITY, maxX = 0, maxY = 0;
        for (double[] p : positions) {
            if (p[0] < minX) minX = p[0];
            if (p[1] < minY) minY = p[1];
            if (p[0] > maxX) maxX = p[0];
            if (p[1] > maxY) maxY = p[1];
        }
        double bw = maxX - minX, bh = maxY - minY;
        double padX = bw * 0.2, padY = bh * 0.2;
        double x = minX - padX / 2, y = minY - padY / 2, w = bw + padX, h = bh + padY;
        double sx = 1.0 / imgW, sy = 1.0 / imgH;
        Box rel = new Box(x * sx, y * sy, w * sx, h * sy);
        return Detection.ofRelative(score, rel, imgW, imgH);
    }

    /** Expression probabilities for a face's aligned rect. */
    public Expression expression(RgbImage img, Box alignedBox) throws ModelFileException {
        Rect crop = alignedBox.clipAtImageBorders(img.width(), img.height());
        int size = ExpressionNet.INPUT_SIZE;
        float[] pre = FaceApiInput.toBatch(img, crop.x(), crop.y(), crop.width(), crop.height(), size, true);
        float[] logits = expressionNet().forward(pre, size);
        return new Expression(crop, pre, logits, FaceApiOps.softmax(logits));
    }

    /** Age and gender for a face's aligned rect. */
    public AgeGender ageGender(RgbImage img, Box alignedBox) throws ModelFileException {
        Rect crop = alignedBox.clipAtImageBorders(img.width(), img.height());
        int size = AgeGenderNet.INPUT_SIZE;
        float[] pre = FaceApiInput.toBatch(img, crop.x(), crop.y(), crop.width(), crop.height(), size, true);
        AgeGenderNet.Output o = ageGenderNet().forward(pre, size);
        float[] sm = FaceApiOps.softmax(o.genderLogits());
        double pMale = sm[0];
        boolean male = pMale > 0.5;
        return new AgeGender(crop, pre, o.age(), o.genderLogits(), sm, male ? "male" : "female", male ? pMale : 1 - pMale);
    }

    /** dlib's face alignment rectangle from the 68 positions (face-api {@code alignDlib}). */
    public static Rect dlibAlignRect(double[][] pos, int cropW, int cropH) {
        double[] le = center(pos, 36, 42), re = center(pos, 42, 48), mo = center(pos, 48, 68);
        double dl = Math.hypot(mo[0] - le[0], mo[1] - le[1]);
        double dr = Math.hypot(mo[0] - re[0], mo[1] - re[1]);
        double eyeToMouth = (dl + dr) / 2;
        int size = (int) Math.floor(eyeToMouth / 0.45);
        double refX = (le[0] + re[0] + mo[0]) / 3, refY = (le[1] + re[1] + mo[1]) / 3;
        int x = (int) Math.floor(Math.max(0, refX - 0.5 * size));
        int y = (int) Math.floor(Math.max(0, refY - 0.43 * size));
        return new Rect(x, y, Math.min(size, cropW + x), Math.min(size, cropH + y));
    }

    private static double[] center(double[][] pos, int from, int to) {
        double sx = 0, sy = 0;
        for (int i = from; i < to; i++) {
            sx += pos[i][0];
            sy += pos[i][1];
        }
        return new double[]{sx / (to - from), sy / (to - from)};
    }

    /** The 128-D descriptor of a face from its landmarks. */
    public Descriptor descriptor(RgbImage img, Landmarks lm) throws ModelFileException {
        return descriptor(img, lm.positions(), lm.cropBox().width(), lm.cropBox().height());
    }

    /** The descriptor from landmark positions and the size of the landmark crop they came from. */
    public Descriptor descriptor(RgbImage img, double[][] positions, int landmarkCropW, int landmarkCropH) throws ModelFileException {
        Rect dlib = dlibAlignRect(positions, landmarkCropW, landmarkCropH);
        Rect crop = new Box(dlib.x(), dlib.y(), dlib.width(), dlib.height()).clipAtImageBorders(img.width(), img.height());
        int size = FaceRecognitionNet.INPUT_SIZE;
        float[] pre = FaceApiInput.toBatch(img, crop.x(), crop.y(), crop.width(), crop.height(), size, true);
        return new Descriptor(dlib, crop, pre, recognitionNet().forward(pre, size));
    }

    /**
     * Everything for every face, in face-api's order (descending detection score). {@code attributes}: also
     * expression, age/gender and descriptor (else those are null).
     */
    public List<Face> detectAllFaces(RgbImage img, Detector detector, boolean attributes) throws ModelFileException {
        List<Face> faces = new ArrayList<>();
        for (Detection d : detect(img, detector)) {
            Rect crop = d.box().clipAtImageBorders(img.width(), img.height());
            if (crop.isEmpty()) continue;
            Landmarks lm = landmarks(img, d.box());
            Detection ar = alignedRect(lm.positions(), d.score(), img.width(), img.height());
            Expression ex = null;
            AgeGender ag = null;
            Descriptor de = null;
            if (attributes) {
                ex = expression(img, ar.box());
                ag = ageGender(img, ar.box());
                de = descriptor(img, lm);
            }
            faces.add(new Face(d, lm, ar, ex, ag, de));
        }
        return faces;
    }

    /** Faces with landmarks only, largest detection box first (what photo import wants). */
    public List<Face> findFaces(RgbImage img, Detector detector) throws ModelFileException {
        List<Face> faces = new ArrayList<>(detectAllFaces(img, detector, false));
        faces.sort(Comparator.comparingDouble((Face f) -> -f.detection().box().area()));
        return faces;
    }

    @Override
    public synchronized void close() {
        manager.close();
    }
}
