package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareCommandTest {


    private static Path image(Path dir, String name, int w, int h, int shift) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.setRGB(x, y, ((x * 7 + y + shift) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | ((x ^ y) & 0xff));
        Path p = dir.resolve(name);
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    @Test
    void comparesWithDemoNetworksAndLabelsThem(@TempDir Path dir) throws Exception {
        Path a = image(dir, "a.png", 256, 256, 0);
        Path b = image(dir, "b.png", 200, 220, 30);
        CliRun r = CliRun.run("compare", "--json", "--lpips-size", "64", a.toString(), b.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        double cos = n.path("identity").path("cosine").asDouble();
        assertTrue(cos > -1.0001 && cos < 1.0001, r.out());
        assertTrue(n.path("identity").path("network").asText().contains("demo network"), r.out());
        assertTrue(n.path("lpips").path("distance").asDouble() > 0, r.out());
        assertTrue(n.path("lpips").path("network").asText().contains("demo network"), r.out());
        assertEquals("64x64", n.path("lpips").path("size").asText());
    }

    @Test
    void faceApiSaysWhetherItIsStillTheSamePerson(@TempDir Path dir) throws Exception {
        Path grace = AlignCommandTest.photo("grace_hopper");
        // the same photo, scaled to 90 %: the same person
        BufferedImage src = ImageIO.read(grace.toFile());
        int w = src.getWidth() * 9 / 10, h = src.getHeight() * 9 / 10;
        BufferedImage small = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = small.createGraphics();
        g.setRenderingHint(java.awt.RenderingHints.KEY_INTERPOLATION, java.awt.RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        Path scaled = dir.resolve("grace-small.png");
        ImageIO.write(small, "png", scaled.toFile());

        CliRun same = CliRun.run("compare", "--json", grace.toString(), scaled.toString());
        assertEquals(0, same.code(), same.err());
        JsonNode f = new ObjectMapper().readTree(same.out()).path("face_api");
        assertTrue(f.path("same_person").asBoolean(), same.out());
        assertTrue(f.path("descriptor_distance").asDouble() < 0.6, same.out());
        assertTrue(f.path("a").path("age").asDouble() > 0, same.out());
        assertTrue(f.path("a").path("gender").isTextual() && f.path("a").path("expression").isTextual(), same.out());

        CliRun other = CliRun.run("compare", grace.toString(), AlignCommandTest.photo("douglass").toString());
        assertEquals(0, other.code(), other.err());
        assertTrue(other.out().contains("face-api:        not the same person (descriptor distance"), other.out());

        CliRun none = CliRun.run("compare", grace.toString(), image(dir, "pattern.png", 128, 128, 0).toString());
        assertEquals(0, none.code(), none.err());
        assertTrue(none.out().contains("no face found in B; A: "), none.out());

        CliRun skipped = CliRun.run("compare", "--no-face-api", grace.toString(), scaled.toString());
        assertFalse(skipped.out().contains("face-api"), skipped.out());
    }

    @Test
    void missingFilesAreNamedInOneLineWithExitCode2(@TempDir Path dir) throws Exception {
        Path a = image(dir, "a.png", 64, 64, 0);
        CliRun r = CliRun.run("compare", a.toString(), a.toString(), "--id", dir.resolve("model_ir_se50.pth").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("model_ir_se50.pth") && r.err().trim().lines().count() == 1, r.err());
        CliRun r2 = CliRun.run("compare", a.toString(), dir.resolve("nope.png").toString());
        assertEquals(2, r2.code());
        assertTrue(r2.err().contains("nope.png"), r2.err());
        CliRun r3 = CliRun.run("compare", a.toString(), a.toString(), "--lpips-vgg", dir.resolve("vgg16-397923af.pth").toString());
        assertEquals(2, r3.code());
        assertTrue(r3.err().contains("vgg16-397923af.pth"), r3.err());
    }

    @Test
    void resizeAveragesWhenShrinkingAndKeepsConstants() {
        double[][] m = CompareCommand.resampleMatrix(6, 4);
        for (double[] row : m) {
            double s = 0;
            for (double v : row) s += v;
            assertEquals(1.0, s, 1e-12);
        }
        double[][] up = CompareCommand.resampleMatrix(4, 10);
        for (double[] row : up) {
            double s = 0;
            for (double v : row) s += v;
            assertEquals(1.0, s, 1e-12);
        }
    }
}
