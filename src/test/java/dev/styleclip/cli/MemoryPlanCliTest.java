package dev.styleclip.cli;

import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory plan from the command line: {@code --memory-budget} too small refuses the job before anything runs (exit 2,
 * one line naming the need and the budget, nothing written); {@code --demo} builds a published architecture; every
 * command that runs the generator says what plan it uses.
 */
class MemoryPlanCliTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void aBudgetTooSmallIsRefusedUpFrontWithOneLine(@TempDir Path tmp) throws Exception {
        Path outdir = tmp.resolve("out");
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "generate", "--demo", "stylegan3-r-1024", "--seeds", "0", "--memory-budget", "300M",
                "--outdir", outdir.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, code, err.toString());
        String e = err.toString().strip();
        assertEquals(1, e.lines().count(), e);
        assertTrue(e.contains("generation with the 1024x1024 generator needs about"), e);
        assertTrue(e.contains("the memory budget is 300 MiB"), e);
        assertFalse(Files.exists(outdir.resolve("seed0000.png")), "nothing computed, nothing written");
    }

    @Test
    void anEditIsRefusedToo(@TempDir Path tmp) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "edit", "--generator", Golden.set("stylegan3").resolve("models/sg3t-32.pkl").toString(),
                "--seed", "1", "--prompt", "a smile", "--steps", "1", "--memory-budget", "10M", "--out", tmp.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, code, err.toString());
        assertTrue(err.toString().contains("latent optimisation with the 32x32 generator needs about"), err.toString());
        assertTrue(err.toString().contains("the memory budget is 10 MiB"), err.toString());
    }

    @Test
    void demoArchitecturesAndThePlanLine(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = run(out, err, "generate", "--demo", "stylegan3-t-256", "--seeds", "3", "--outdir", tmp.toString());
        assertEquals(0, code, err.toString());
        assertTrue(out.toString().contains("demo network (random weights, stylegan3-t 256x256 architecture)"), out.toString());
        assertTrue(err.toString().contains("memory: needs about"), err.toString());
        BufferedImage img = ImageIO.read(tmp.resolve("seed0003.png").toFile());
        assertEquals(256, img.getWidth());

        StringWriter err2 = new StringWriter();
        assertEquals(Cli.EXIT_BAD_INPUT, run(new StringWriter(), err2, "generate", "--demo", "stylegan3-x-999", "--seeds", "0",
                "--outdir", tmp.toString()));
        assertTrue(err2.toString().contains("unknown demo architecture 'stylegan3-x-999'"), err2.toString());
        StringWriter err3 = new StringWriter();
        assertEquals(Cli.EXIT_BAD_INPUT, run(new StringWriter(), err3, "generate", "--demo", "stylegan3-t-256", "--generator",
                tmp.resolve("x.pkl").toString(), "--seeds", "0", "--outdir", tmp.toString()));
        assertTrue(err3.toString().contains("not both"), err3.toString());
        StringWriter err4 = new StringWriter();
        assertEquals(Cli.EXIT_BAD_INPUT, run(new StringWriter(), err4, "generate", "--memory-budget", "lots", "--seeds", "0",
                "--outdir", tmp.toString()));
        assertTrue(err4.toString().contains("'lots' is not a memory size"), err4.toString());
    }
}
