package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip align} and {@code styleclip bench faces} on the golden photos. */
class AlignCommandTest {
    /** The public face photos shipped in test resources (not golden.root: these tests name files). */
    static final Path FACES = java.nio.file.Paths.get("src", "test", "resources", "golden", "faces").toAbsolutePath();

    @TempDir
    Path tmp;


    static Path photo(String name) {
        return FACES.resolve("images").resolve(name + ".png");
    }

    @Test
    void alignsTheLargestFaceAndListsAll() throws Exception {
        Path out = tmp.resolve("a.png");
        CliRun r = CliRun.run("align", photo("two_faces").toString(), "--out", out.toString(), "--size", "256");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("faces found: 2"), r.out());
        assertTrue(r.out().contains("1: score"), r.out());
        assertTrue(r.out().contains("2: score"), r.out());
        assertTrue(r.err().contains("detecting faces"), r.err());
        RgbImage img = Images.read(out);
        assertEquals(256, img.width());
        assertEquals(256, img.height());
        Path out2 = tmp.resolve("b.png");
        CliRun r2 = CliRun.run("align", photo("two_faces").toString(), "--out", out2.toString(), "--size", "128", "--face", "2",
                "--detector", "tiny", "--variant", "sg3e");
        assertEquals(0, r2.code(), r2.err());
        assertEquals(128, Images.read(out2).width());
        CliRun r3 = CliRun.run("align", photo("two_faces").toString(), "--out", tmp.resolve("c.png").toString(), "--face", "3");
        assertEquals(Cli.EXIT_BAD_INPUT, r3.code());
        assertTrue(r3.err().contains("out of range"), r3.err());
    }

    @Test
    void alignsFromFourPointsLikeTheGolden() throws Exception {
        Path set = FACES;
        JsonNode spec = new ObjectMapper().readTree(set.resolve("align/astronaut_f0.json").toFile());
        JsonNode v = spec.get("variants").get("ffhq");
        double[] el = {v.get("eye_left").get(0).asDouble(), v.get("eye_left").get(1).asDouble()};
        double[] er = {v.get("eye_right").get(0).asDouble(), v.get("eye_right").get(1).asDouble()};
        double[] ml = {v.get("mouth_left").get(0).asDouble(), v.get("mouth_left").get(1).asDouble()};
        double[] mr = {v.get("mouth_right").get(0).asDouble(), v.get("mouth_right").get(1).asDouble()};
        String pts = String.format(Locale.ROOT, "%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g,%.17g",
                el[0], el[1], er[0], er[1], ml[0], ml[1], mr[0], mr[1]);
        Path out = tmp.resolve("p.png");
        CliRun r = CliRun.run("align", photo("astronaut").toString(), "--out", out.toString(), "--size", "256", "--points", pts);
        assertEquals(0, r.code(), r.err());
        RgbImage got = Images.read(out);
        RgbImage ref = Images.read(set.resolve(v.get("outputs").get("256").get("file").asText()));
        long diff = 0;
        for (int i = 0; i < got.rgb().length; i++) diff += Math.abs((got.rgb()[i] & 0xff) - (ref.rgb()[i] & 0xff));
        assertTrue(diff / (double) got.rgb().length <= 0.5, "MAE vs golden " + diff / (double) got.rgb().length);
    }

    @Test
    void badInputExitsTwoWithOneLine() throws Exception {
        Path junk = Files.write(tmp.resolve("junk.jpg"), new byte[]{1, 2, 3, 4, 5});
        CliRun r = CliRun.run("align", junk.toString(), "--out", tmp.resolve("x.png").toString());
        assertEquals(Cli.EXIT_BAD_INPUT, r.code());
        String line = r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
        assertTrue(line.contains("junk.jpg"), r.err());

        RgbImage grey = RgbImage.blank(320, 240);
        java.util.Arrays.fill(grey.rgb(), (byte) 128);
        Path blank = tmp.resolve("blank.png");
        Images.writePng(grey, blank);
        CliRun nf = CliRun.run("align", blank.toString(), "--out", tmp.resolve("y.png").toString());
        assertEquals(Cli.EXIT_BAD_INPUT, nf.code(), nf.out() + nf.err());
        assertTrue(nf.err().contains("no face found — try a frontal photo"), nf.err());
        assertFalse(Files.exists(tmp.resolve("y.png")));

        CliRun bp = CliRun.run("align", photo("astronaut").toString(), "--out", tmp.resolve("z.png").toString(), "--points", "1,2,3");
        assertEquals(Cli.EXIT_BAD_INPUT, bp.code());
        assertTrue(bp.err().contains("--points"), bp.err());
    }

    @Test
    void benchFacesJson() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("photos"));
        Files.copy(photo("luciano"), dir.resolve("luciano.png"));
        CliRun r = CliRun.run("bench", "faces", "--iters", "1", "--json", "--photos", dir.toString(), "--size", "256");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertEquals("faces", n.get("bench").asText());
        assertEquals("cpu", n.get("device").asText());
        JsonNode p = n.get("photos").get(0);
        assertEquals(1, p.get("faces").asInt());
        assertTrue(p.get("detect_ms").get("median").asDouble() > 0);
        assertTrue(p.get("align_ms").get("min").asDouble() > 0);
        assertArrayEquals(new int[]{400, 400}, new int[]{p.get("width").asInt(), p.get("height").asInt()});
    }
}
