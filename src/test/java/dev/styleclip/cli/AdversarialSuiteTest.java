package dev.styleclip.cli;

import dev.styleclip.image.HostileImages;
import dev.styleclip.io.HostileInputs;
import dev.styleclip.io.Npz;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The adversarial suite: every hostile input the tests build ({@link HostileInputs}, {@link HostileImages}, absurd
 * numbers, output places the system refuses) fed to every command that reads it, through the real CLI. Each case
 * asserts the promise of {@code docs/security.md}: exit code 2, exactly one line on stderr that says why (the input's
 * own reason), no Java exception name or trace, no code run (marker file), nothing written where the output was to go,
 * nothing installed; the bombs also within a small heap, in a real child process.
 */
class AdversarialSuiteTest {
    @TempDir
    Path tmp;

    private int n;

    /** A fresh folder per case, so what a case leaves behind is its own. */
    private Path caseDir() throws Exception {
        return Files.createDirectories(tmp.resolve("case" + n++));
    }

    private static void assertRefusal(CliRun r, String reason, String what) {
        String err = r.err().strip();
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), what + ": " + r.err());
        assertFalse(err.contains("\n"), what + ": one line, got: " + err);
        assertTrue(err.startsWith("error: "), what + ": " + err);
        assertTrue(Pattern.compile(reason).matcher(err).find(), what + ": the reason /" + reason + "/ in: " + err);
        assertFalse(err.contains("Exception") || err.contains("Error:") || err.contains("\tat "), what + ": no Java names: " + err);
    }

    private static void assertEmpty(Path folder, String what) throws Exception {
        if (!Files.exists(folder)) return;
        try (Stream<Path> s = Files.walk(folder)) {
            List<Path> left = s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            assertEquals(List.of(), left, what + ": nothing may be left in " + folder);
        }
    }

    /** Every reader, through {@code inspect}: the hostile file is refused with its own reason, nothing runs. */
    @TestFactory
    Stream<DynamicTest> inspectRefusesEveryHostileModelFile() {
        return HostileInputs.modelFiles().stream().map(in -> DynamicTest.dynamicTest(in.name(), () -> {
            Path d = caseDir();
            Path f = in.build().write(d);
            CliRun r = CliRun.run("inspect", f.toString());
            assertRefusal(r, in.reason(), in.name());
            assertTrue(r.err().contains(f.getFileName().toString()), "names the file: " + r.err());
            assertFalse(Files.exists(HostileInputs.marker(d)), "no payload ran");
        }));
    }

    /** Installing: every hostile file is refused before it lands; the user's file stays where it was. */
    @TestFactory
    Stream<DynamicTest> modelsImportLandsNoHostileFile() {
        return HostileInputs.modelFiles().stream().filter(in -> !in.bomb()).map(in -> DynamicTest.dynamicTest(in.name(), () -> {
            Path d = caseDir();
            Path f = in.build().write(d);
            Path models = d.resolve("models");
            CliRun r = CliRun.run("models", "import", f.toString(), "--as", "ir-se50", "--dir", models.toString());
            assertRefusal(r, "refused|not a model file|empty|no such", in.name());
            assertTrue(Files.exists(f), "the user's file stays");
            assertEmpty(models, in.name());
            assertFalse(Files.exists(HostileInputs.marker(d)), "no payload ran");
        }));
    }

    /** A generator command given a hostile network file: refused before anything is written. */
    @TestFactory
    Stream<DynamicTest> generateRefusesEveryHostileNetwork() {
        return HostileInputs.modelFiles().stream().filter(in -> !in.bomb()).map(in -> DynamicTest.dynamicTest(in.name(), () -> {
            Path d = caseDir();
            Path f = in.build().write(d);
            Path out = d.resolve("out");
            CliRun r = CliRun.run("generate", "--generator", f.toString(), "--seeds", "1", "--outdir", out.toString());
            assertRefusal(r, in.reason() + "|is not a StyleGAN|holds no G_ema|not a network pickle|StyleGAN", in.name());
            assertEmpty(out, in.name());
            assertFalse(Files.exists(HostileInputs.marker(d)), "no payload ran");
        }));
    }

    /**
     * The bombs in a real child process with a 256 MiB heap: each is refused by its own reason, not by running out of
     * memory (a reader that inflated or expanded them would need gigabytes).
     */
    @Test
    void bombsAreRefusedWithinASmallHeap() throws Exception {
        List<String> failures = new ArrayList<>();
        for (HostileInputs.Input in : HostileInputs.modelFiles()) {
            if (!in.bomb()) continue;
            Path d = caseDir();
            Path f = in.build().write(d);
            Child c = child(d, "-Xmx256m", "inspect", f.toString());
            String err = c.err.strip();
            if (c.code != Cli.EXIT_BAD_INPUT || err.contains("\n") || !Pattern.compile(in.reason()).matcher(err).find()) {
                failures.add(in.name() + " -> exit " + c.code + ": " + err);
            }
        }
        Path d = caseDir();
        Child c = child(d, "-Xmx256m", "score", "--image", HostileImages.webpBomb(d).toString(), "--prompt", "a face");
        if (c.code != Cli.EXIT_BAD_INPUT || !c.err.contains("a WebP of 16000x16000 pixels is larger")) {
            failures.add("WebP bomb -> exit " + c.code + ": " + c.err.strip());
        }
        assertEquals(List.of(), failures);
    }

    /** Every hostile photo, through a command that reads photos. */
    @TestFactory
    Stream<DynamicTest> scoreRefusesEveryHostilePhoto() {
        return HostileImages.all().stream().map(in -> DynamicTest.dynamicTest(in.name(), () -> {
            Path f = in.build().write(caseDir());
            assertRefusal(CliRun.run("score", "--image", f.toString(), "--prompt", "a face"), in.reason(), in.name());
        }));
    }

    /** The same photos through {@code compare}, which reads two (the hostile one second, after a good one). */
    @TestFactory
    Stream<DynamicTest> compareRefusesEveryHostilePhoto() {
        return HostileImages.all().stream().map(in -> DynamicTest.dynamicTest(in.name(), () -> {
            Path d = caseDir();
            Path good = Files.write(d.resolve("good.png"), HostileImages.png(64, 64));
            Path f = in.build().write(d);
            assertRefusal(CliRun.run("compare", good.toString(), f.toString(), "--no-face-api"), in.reason(), in.name());
        }));
    }

    /** Latents that are not numbers, or not latents, are refused before an optimisation starts. */
    @TestFactory
    Stream<DynamicTest> editRefusesHostileLatents() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        float[] nan = new float[16 * 512];
        nan[7] = Float.NaN;
        float[] inf = new float[16 * 512];
        inf[3] = Float.NEGATIVE_INFINITY;
        Object[][] cases = {
                {"latent holding NaN", Npz.npyBytes(Npz.Array.of(nan, 1, 16, 512)), "NaN|not finite|non-finite"},
                {"latent holding -Infinity", Npz.npyBytes(Npz.Array.of(inf, 1, 16, 512)), "NaN|not finite|non-finite|Inf"},
                {"npy claiming 2^96 elements", HostileInputs.npy("{'descr': '<f4', 'fortran_order': False, "
                        + "'shape': (4294967296, 4294967296, 4294967296), }", new byte[16]), "elements|too large|overflow"},
                {"text named .npy", "not numpy".getBytes(), "not an \\.npz or \\.npy"},
        };
        for (Object[] c : cases) {
            tests.add(DynamicTest.dynamicTest((String) c[0], () -> {
                Path d = caseDir();
                Path f = Files.write(d.resolve("w.npy"), (byte[]) c[1]);
                Path out = d.resolve("out");
                CliRun r = CliRun.run("edit", "--demo", "stylegan3-t-256", "--latent", f.toString(), "--prompt", "bald",
                        "--steps", "1", "--out", out.toString());
                assertRefusal(r, (String) c[2], (String) c[0]);
                assertFalse(r.out().contains("step 1"), "no step ran: " + r.out());
                assertEmpty(out, (String) c[0]);
            }));
        }
        return tests.stream();
    }

    /** Numbers that are not numbers, or would size memory absurdly: refused up front, before a network loads. */
    @TestFactory
    Stream<DynamicTest> absurdNumbersAreRefusedUpFront() {
        String[][] cases = {
                {"'nan' is not a finite number", "generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--trunc", "nan"},
                {"'inf' is not a finite number", "generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--rotate", "inf"},
                {"'nan' is not a finite number", "generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--translate", "nan,0"},
                {"100,000|100000", "generate", "--demo", "stylegan3-t-256", "--seeds", "0-99999999"},
                {"1024", "compare", "a.png", "b.png", "--lpips-size", "1000000"},
                {"100,000|100000", "invert", "--demo", "stylegan3-t-256", "x.png", "--w-avg-samples", "2147483647"},
                {"'1e400' is not a finite number", "edit", "--demo", "stylegan3-t-256", "--prompt", "bald", "--l2", "1e400"},
                {"'NaN' is not a finite number", "apply-mapper", "--strength", "NaN"},
        };
        return Stream.of(cases).map(c -> DynamicTest.dynamicTest(String.join(" ", c).substring(c[0].length() + 1), () -> {
            Path out = caseDir().resolve("out");
            List<String> args = new ArrayList<>(List.of(c).subList(1, c.length));
            args.add(c[1].equals("edit") || c[1].equals("invert") ? "--out" : "--outdir");
            args.add(c[1].equals("invert") ? out.resolve("w.npz").toString() : out.toString());
            if (c[1].equals("compare") || c[1].equals("apply-mapper")) args.subList(args.size() - 2, args.size()).clear();
            CliRun r = CliRun.run(args.toArray(String[]::new));
            assertRefusal(r, c[0], String.join(" ", args));
            assertFalse(r.out().contains("demo network"), "refused before a network loads: " + r.out());
            assertEmpty(out, String.join(" ", args));
        }));
    }

    /**
     * Output places the system refuses, for real: a folder under sysfs (no file may be created there, not even by root,
     * which the tests run as here), a device where a folder is wanted. One line before any work.
     */
    @Test
    void outputPlacesTheSystemRefusesAreOneLineBeforeAnyWork() throws Exception {
        Path readOnly = Path.of("/sys/kernel/styleclip-out");
        CliRun r = CliRun.run("generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--outdir", readOnly.toString());
        assertRefusal(r, "styleclip-out: cannot be created|permission|read-only|not permitted", "read-only outdir");
        assertFalse(r.out().contains("demo network"), r.out());
        r = CliRun.run("edit", "--demo", "stylegan3-t-256", "--prompt", "bald", "--steps", "1", "--out",
                readOnly.resolve("edit").toString());
        assertRefusal(r, "cannot be created|permission|read-only|not permitted", "read-only out");
        r = CliRun.run("invert", "--demo", "stylegan3-t-256", "x.png", "--out", readOnly.resolve("w.npz").toString());
        assertRefusal(r, "cannot|permission|read-only|not permitted", "read-only file");
        r = CliRun.run("generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--outdir", "/dev/full");
        assertRefusal(r, "/dev/full: is not a folder", "device as outdir");
    }

    private record Child(int code, String err) {
    }

    private static Child child(Path d, String heap, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), heap,
                "-cp", System.getProperty("java.class.path"), "dev.styleclip.Main"));
        cmd.addAll(List.of(args));
        Path err = d.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
        return new Child(p.exitValue(), Files.readString(err));
    }
}
