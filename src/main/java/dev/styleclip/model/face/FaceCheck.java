package dev.styleclip.model.face;

import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFileException;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * face-api's second opinion on an edit, next to the ArcFace score: the largest face of each picture (SSD detector, 68
 * landmarks), its 128-D descriptor, expression and age/gender, and the Euclidean descriptor distance of the two faces
 * ("still the same person?": face-api's FaceMatcher calls faces within {@value #SAME_PERSON_DISTANCE} the same).
 */
public final class FaceCheck {
    /** face-api's default FaceMatcher threshold on the descriptor distance. */
    public static final double SAME_PERSON_DISTANCE = 0.6;

    private FaceCheck() {
    }

    /** What face-api says about one face. */
    public record FaceInfo(double score, float[] descriptor, String expression, double expressionProbability, double age,
                           String gender, double genderProbability) {

        public String describe() {
            return String.format(Locale.ROOT, "%s %.0f%%, %.0f y, %s %.0f%%", expression, 100 * expressionProbability, age, gender,
                    100 * genderProbability);
        }

        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("detection_score", score);
            m.put("expression", expression);
            m.put("expression_probability", expressionProbability);
            m.put("age", age);
            m.put("gender", gender);
            m.put("gender_probability", genderProbability);
            return m;
        }
    }

    /** Both faces (null where no face was found) and their descriptor distance (NaN unless both were found). */
    public record Result(FaceInfo a, FaceInfo b, double distance) {
        public boolean samePerson() {
            return distance < SAME_PERSON_DISTANCE;
        }

        /** One line: "same person (distance 0.31); before: …; after: …" or why not. */
        public String describe(String nameA, String nameB) {
            StringBuilder s = new StringBuilder();
            if (a == null || b == null) {
                s.append("no face found in ").append(a == null && b == null ? "either picture" : a == null ? nameA : nameB);
            } else {
                s.append(String.format(Locale.ROOT, "%s (descriptor distance %.3f, threshold %.1f)",
                        samePerson() ? "same person" : "not the same person", distance, SAME_PERSON_DISTANCE));
            }
            if (a != null) s.append("; ").append(nameA).append(": ").append(a.describe());
            if (b != null) s.append("; ").append(nameB).append(": ").append(b.describe());
            return s.toString();
        }

        public Map<String, Object> asMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("descriptor_distance", Double.isNaN(distance) ? null : distance);
            m.put("same_person", Double.isNaN(distance) ? null : samePerson());
            m.put("threshold", SAME_PERSON_DISTANCE);
            m.put("a", a == null ? null : a.asMap());
            m.put("b", b == null ? null : b.asMap());
            return m;
        }
    }

    /** The largest face of a picture with its attributes, or null when the detector finds none. */
    public static FaceInfo largestFace(FaceApi api, RgbImage img) throws ModelFileException {
        FaceApi.Face best = null;
        for (FaceApi.Face f : api.detectAllFaces(img, FaceApi.Detector.SSD, true)) {
            if (best == null || f.detection().box().area() > best.detection().box().area()) best = f;
        }
        if (best == null) return null;
        FaceApi.Expression ex = best.expression();
        int k = 0;
        for (int i = 1; i < ex.probabilities().length; i++) if (ex.probabilities()[i] > ex.probabilities()[k]) k = i;
        FaceApi.AgeGender ag = best.ageGender();
        return new FaceInfo(best.detection().score(), best.descriptor().values(), ex.dominant(), ex.probabilities()[k], ag.age(),
                ag.gender(), ag.genderProbability());
    }

    public static Result compare(FaceApi api, RgbImage a, RgbImage b) throws ModelFileException {
        FaceInfo fa = largestFace(api, a), fb = largestFace(api, b);
        return new Result(fa, fb, fa == null || fb == null ? Double.NaN : distance(fa.descriptor(), fb.descriptor()));
    }

    /** Euclidean distance of two descriptors (face-api's euclideanDistance). */
    public static double distance(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("descriptors of " + a.length + " and " + b.length + " values");
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }
}
