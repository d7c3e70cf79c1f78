package dev.styleclip.cli;

import dev.styleclip.golden.Golden;
import dev.styleclip.io.Npz;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip invert} on the golden tiny models, and its error handling. */
class InvertCommandTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static Path photo(Path dir) throws Exception {
        BufferedImage img = new BufferedImage(40, 48, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < 48; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, (x * 6) << 16 | (y * 5) << 8 | r.nextInt(256));
        Path p = dir.resolve("face.png");
        ImageIO.write(img, "png", p.toFile());
        return p;
    }

    private static Path sg3() {
        return Golden.set("stylegan3").resolve("models/sg3t-32.pkl");
    }

    private static Path psp() {
        return Golden.set("encoder").resolve("models/restyle_psp_tiny_a.pt");
    }

    @Test
    void projectionWritesTheLatentAndFrames(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("w.npz");
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = run(o, e, "invert", photo(tmp).toString(), "--generator", sg3().toString(), "--steps", "4",
                "--w-avg-samples", "100", "--out", out.toString(), "--save-video", tmp.resolve("frames").toString());
        assertEquals(0, code, e.toString());
        Npz.Array w = Npz.readLatent(out);
        assertArrayEquals(new long[]{1, 16, 32}, w.shape());
        try (var s = Files.list(tmp.resolve("frames"))) {
            assertEquals(4, s.count());
        }
        assertTrue(e.toString().contains("step 4/4"), e.toString());
        assertTrue(o.toString().contains("LPIPS: demo network"), o.toString());
    }

    @Test
    void encoderAndEncoderPlusProjection(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("w.npz");
        StringWriter o = new StringWriter(), e = new StringWriter();
        int code = run(o, e, "invert", photo(tmp).toString(), "--method", "encoder", "--encoder", psp().toString(),
                "--generator", sg3().toString(), "--iterations", "2", "--out", out.toString(),
                "--id-model", Golden.set("idloss").resolve("models/irse_tiny_a.pth").toString());
        assertEquals(0, code, e.toString());
        assertTrue(o.toString().contains("ID similarity"), o.toString());
        assertArrayEquals(new long[]{1, 16, 32}, Npz.readLatent(out).shape());
        assertTrue(e.toString().contains("iteration 2/2"), e.toString());
        Path out2 = tmp.resolve("w2.npz");
        code = run(o, e, "invert", photo(tmp).toString(), "--method", "encoder+projection", "--encoder", psp().toString(),
                "--generator", sg3().toString(), "--steps", "3", "--out", out2.toString());
        assertEquals(0, code, e.toString());
        assertArrayEquals(new long[]{1, 16, 32}, Npz.readLatent(out2).shape());
    }

    @Test
    void badInputExitsWithTwo(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("w.npz");
        Path text = tmp.resolve("notes.png");
        Files.writeString(text, "not an image");
        Path good = photo(tmp);
        String[][] cases = {
            {"invert", tmp.resolve("missing.png").toString(), "--out", out.toString()},
            {"invert", text.toString(), "--out", out.toString()},
            {"invert", good.toString(), "--method", "encoder", "--out", out.toString()},
            {"invert", good.toString(), "--method", "encoder", "--encoder", good.toString(), "--out", out.toString()},
            {"invert", good.toString(), "--method", "encoder", "--encoder", sg3().toString(), "--out", out.toString()},
            {"invert", good.toString(), "--method", "magic", "--out", out.toString()},
            {"invert", good.toString(), "--method", "encoder", "--encoder", psp().toString(), "--out", out.toString()},
            {"invert", good.toString(), "--steps", "0", "--out", out.toString()},
            {"invert", good.toString(), "--out", tmp.toString()},
            {"invert", good.toString(), "--out", out.toString(), "--save-video", good.toString()},
        };
        for (String[] args : cases) {
            StringWriter o = new StringWriter(), e = new StringWriter();
            int code = run(o, e, args);
            assertEquals(2, code, String.join(" ", args) + " -> " + e);
            String msg = e.toString().trim();
            assertTrue(msg.startsWith("error: ") && !msg.contains("\n"), msg);
        }
        assertTrue(!Files.exists(out));
    }
}
