package dev.styleclip.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FFHQ alignment against {@code golden/faces/align/} (README §8): golden landmarks in, every vector ±0.01 px, every
 * integer and boolean exact, images within the MAE bounds of §8.4. Iterates every {@code align} entry of every case.
 */
class AlignGoldenTest {
    static final String SET = "faces";
    static final double VEC_TOL = 0.01;

    static double[] d(JsonNode a) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asDouble();
        return r;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    static double[] flat(double[][] q) {
        double[] r = new double[q.length * 2];
        for (int i = 0; i < q.length; i++) {
            r[2 * i] = q[i][0];
            r[2 * i + 1] = q[i][1];
        }
        return r;
    }

    static double[] flat(JsonNode q) {
        double[] r = new double[q.size() * 2];
        for (int i = 0; i < q.size(); i++) {
            r[2 * i] = q.get(i).get(0).asDouble();
            r[2 * i + 1] = q.get(i).get(1).asDouble();
        }
        return r;
    }

    static void vec(double[] actual, JsonNode expected, String what) {
        Golden.assertAllClose(actual, d(expected), VEC_TOL, 0, what);
    }

    @TestFactory
    List<DynamicNode> align() throws Exception {
        Path dir = Golden.set(SET);
        ObjectMapper json = new ObjectMapper();
        List<DynamicNode> out = new ArrayList<>();
        int entries = 0;
        for (JsonNode c : Golden.cases(SET)) {
            for (JsonNode a : c.path("align")) {
                entries++;
                JsonNode spec = json.readTree(dir.resolve(a.get("json").asText()).toFile());
                String name = a.get("json").asText();
                List<DynamicNode> tests = new ArrayList<>();
                Iterator<Map.Entry<String, JsonNode>> vs = spec.get("variants").fields();
                while (vs.hasNext()) {
                    Map.Entry<String, JsonNode> ve = vs.next();
                    String vname = ve.getKey();
                    JsonNode v = ve.getValue();
                    tests.add(DynamicTest.dynamicTest(vname + " quad", () -> checkQuad(spec, vname, v)));
                    Iterator<Map.Entry<String, JsonNode>> os = v.path("outputs").fields();
                    while (os.hasNext()) {
                        Map.Entry<String, JsonNode> oe = os.next();
                        tests.add(DynamicTest.dynamicTest(vname + " " + oe.getKey(), () -> checkOutput(dir, c, a, spec, vname, v, oe.getValue())));
                    }
                }
                out.add(DynamicContainer.dynamicContainer(name, tests));
            }
        }
        assertTrue(entries > 0, "no align entries in the manifest");
        return out;
    }

    static FfhqAlign.Quad quad(JsonNode spec, String vname, JsonNode v) {
        double[][] lm = new double[spec.get("landmarks").size()][];
        for (int i = 0; i < lm.length; i++) lm[i] = d(spec.get("landmarks").get(i));
        FfhqAlign.Variant variant = FfhqAlign.Variant.parse(vname);
        assertEquals(variant == FfhqAlign.Variant.SG3E, v.get("eyes_distance_only").asBoolean(), "eyes_distance_only");
        return FfhqAlign.quadFromLandmarks(lm, variant);
    }

    static void checkQuad(JsonNode spec, String vname, JsonNode v) {
        FfhqAlign.Quad q = quad(spec, vname, v);
        vec(q.eyeLeft(), v.get("eye_left"), "eye_left");
        vec(q.eyeRight(), v.get("eye_right"), "eye_right");
        vec(q.eyeAvg(), v.get("eye_avg"), "eye_avg");
        vec(q.eyeToEye(), v.get("eye_to_eye"), "eye_to_eye");
        vec(q.mouthLeft(), v.get("mouth_left"), "mouth_left");
        vec(q.mouthRight(), v.get("mouth_right"), "mouth_right");
        vec(q.mouthAvg(), v.get("mouth_avg"), "mouth_avg");
        vec(q.eyeToMouth(), v.get("eye_to_mouth"), "eye_to_mouth");
        assertEquals(v.get("scale_eye_to_eye_x2").asDouble(), q.scaleEyeToEyeX2(), VEC_TOL, "scale_eye_to_eye_x2");
        assertEquals(v.get("scale_eye_to_mouth_x1_8").asDouble(), q.scaleEyeToMouthX18(), VEC_TOL, "scale_eye_to_mouth_x1_8");
        vec(q.x(), v.get("x"), "x");
        vec(q.y(), v.get("y"), "y");
        vec(q.c(), v.get("c"), "c");
        Golden.assertAllClose(flat(q.quad()), flat(v.get("quad")), VEC_TOL, 0, "quad");
        assertEquals(v.get("qsize").asDouble(), q.qsize(), VEC_TOL, "qsize");
        if (v.has("same_as")) {
            JsonNode other = spec.get("variants").get(v.get("same_as").asText());
            FfhqAlign.Quad oq = quad(spec, v.get("same_as").asText(), other);
            Golden.assertAllClose(flat(q.quad()), flat(oq.quad()), 1e-9, 0, "quad same as " + v.get("same_as").asText());
        }
    }

    static void checkOutput(Path dir, JsonNode c, JsonNode a, JsonNode spec, String vname, JsonNode v, JsonNode o) throws Exception {
        RgbImage img = Images.read(dir.resolve(spec.get("image_file").asText()));
        assertEquals(c.get("rgb_sha256").asText(), img.sha256(), "input image");
        if (o.has("input_size")) assertArrayEquals(ints(o.get("input_size")), new int[]{img.width(), img.height()}, "input_size");
        FfhqAlign.Quad q = quad(spec, vname, v);
        int size = o.get("output_size").asInt();
        int tsize = o.path("transform_size").asInt(spec.get("transform_size").asInt());
        FfhqAlign.Result r = FfhqAlign.align(img, q, size, tsize);
        FfhqAlign.Plan p = r.plan();
        assertEquals(o.get("shrink").asInt(), p.shrink(), "shrink");
        if (o.get("shrink_resize_to").isNull()) assertNull(p.shrinkResizeTo(), "shrink_resize_to");
        else assertArrayEquals(ints(o.get("shrink_resize_to")), p.shrinkResizeTo(), "shrink_resize_to");
        Golden.assertAllClose(flat(p.quadAfterShrink()), flat(o.get("quad_after_shrink")), VEC_TOL, 0, "quad_after_shrink");
        assertEquals(o.get("qsize_after_shrink").asDouble(), p.qsizeAfterShrink(), VEC_TOL, "qsize_after_shrink");
        assertEquals(o.get("border").asInt(), p.border(), "border");
        assertArrayEquals(ints(o.get("crop_box_ltrb")), p.cropBoxLtrb(), "crop_box_ltrb");
        assertEquals(o.get("crop_applied").asBoolean(), p.cropApplied(), "crop_applied");
        assertArrayEquals(ints(o.get("size_after_crop")), p.sizeAfterCrop(), "size_after_crop");
        Golden.assertAllClose(flat(p.quadAfterCrop()), flat(o.get("quad_after_crop")), VEC_TOL, 0, "quad_after_crop");
        assertArrayEquals(ints(o.get("pad_ltrb_needed")), p.padLtrbNeeded(), "pad_ltrb_needed");
        assertEquals(o.get("pad_applied").asBoolean(), p.padApplied(), "pad_applied");
        if (o.get("pad_ltrb").isNull()) assertNull(p.padLtrb(), "pad_ltrb");
        else assertArrayEquals(ints(o.get("pad_ltrb")), p.padLtrb(), "pad_ltrb");
        if (p.padApplied()) {
            assertEquals(o.get("blur_sigma").asDouble(), p.blurSigma(), VEC_TOL, "blur_sigma");
            assertNotNull(p.medianRgb(), "median");
            Golden.assertAllClose(new double[]{p.medianRgb()[0], p.medianRgb()[1], p.medianRgb()[2]}, d(o.get("median_rgb")), 0.5, 0, "median_rgb");
        }
        assertArrayEquals(ints(o.get("size_after_pad")), p.sizeAfterPad(), "size_after_pad");
        Golden.assertAllClose(flat(p.quadFinal()), flat(o.get("quad_final")), VEC_TOL, 0, "quad_final");
        Golden.assertAllClose(p.transformData(), d(o.get("transform_data")), VEC_TOL, 0, "transform_data");
        assertEquals(o.get("resized_to_output").asBoolean(), p.resizedToOutput(), "resized_to_output");

        String file = o.get("file").asText();
        String key = vname + "_" + size;
        assertEquals(file, a.get("images").path(key).asText(), "manifest image entry " + key);
        RgbImage ref = Images.read(dir.resolve(file));
        assertEquals(o.get("rgb_sha256").asText(), ref.sha256(), "reference image pixels");
        RgbImage got = r.image();
        assertEquals(size, got.width());
        assertEquals(size, got.height());
        double[] mae = new double[3];
        int differing = 0;
        for (int i = 0; i < got.rgb().length; i++) {
            int diff = Math.abs((got.rgb()[i] & 0xff) - (ref.rgb()[i] & 0xff));
            mae[i % 3] += diff;
            if (diff != 0) differing++;
        }
        boolean strict = p.shrink() <= 1 && !p.padApplied();
        double limit = strict ? 0.5 : 2.0;
        for (int ch = 0; ch < 3; ch++) {
            mae[ch] /= (double) size * size;
            assertTrue(mae[ch] <= limit, String.format("%s %s: MAE channel %d = %.4f/255 > %.1f/255", file, key, ch, mae[ch], limit));
        }
        System.err.printf("[align] %s: MAE %.5f %.5f %.5f /255 (limit %.1f), %d of %d values differ%n", file, mae[0], mae[1], mae[2],
                limit, differing, got.rgb().length);
    }
}
