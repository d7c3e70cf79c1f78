package dev.styleclip.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the command line does with absurd input at its boundary: numbers that are not finite, control characters in
 * names, a message after a progress bar, library log lines. Each refusal is one line on stderr, exit 2, nothing written.
 */
class CliInputsTest {
    @TempDir
    Path dir;

    private void assertOneLineRefusal(CliRun r, String phrase, Path out) throws Exception {
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("error: ") && err.contains(phrase), err);
        assertFalse(err.contains("Exception") || err.contains("\tat "), "no Java names or traces: " + err);
        if (Files.exists(out)) {
            try (var files = Files.list(out)) {
                assertEquals(0, files.count(), "nothing written to " + out);
            }
        }
    }

    /** NaN and infinities are refused wherever a number is typed: options, X,Y pairs and lists, in any spelling Java parses. */
    @ParameterizedTest
    @ValueSource(strings = {"nan", "NaN", "Infinity", "-Infinity", "inf"})
    void numbersThatAreNotFiniteAreRefusedUpFront(String bad) throws Exception {
        Path out = dir.resolve("out");
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[]{"generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--trunc", bad, "--outdir", out.toString()});
        cases.add(new String[]{"generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--rotate", bad, "--outdir", out.toString()});
        cases.add(new String[]{"generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--translate", bad + ",0", "--outdir", out.toString()});
        cases.add(new String[]{"edit", "--demo", "stylegan3-t-256", "--prompt", "bald", "--l2", bad, "--out", out.toString()});
        cases.add(new String[]{"sweep", "--prompts", "bald", "--l2", "0.1," + bad, "--out", out.toString()});
        cases.add(new String[]{"apply-mapper", "--strength", bad});
        for (String[] args : cases) {
            CliRun r = CliRun.run(args);
            assertOneLineRefusal(r, "'" + bad + "' is not a finite number", out);
        }
    }

    /** A file name carrying terminal escape sequences reaches the terminal escaped, never raw. */
    @Test
    void controlCharactersInNamesAreEscaped() throws Exception {
        String evil = "face\u001b]0;owned\u0007\u001b[2J\u202e.pkl";
        CliRun r = CliRun.run("inspect", dir.resolve(evil).toString());
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().chars().noneMatch(c -> Character.isISOControl(c) && c != '\n'), "no control characters: " + r.err());
        assertFalse(r.err().contains("\u202e"), "no bidirectional override");
        assertTrue(r.err().contains("face\\u001b]0;owned\\u0007\\u001b[2J\\u202e.pkl"), r.err());
    }

    /** A message after a progress bar (redrawn with \r, never ended) starts on a line of its own. */
    @Test
    void aMessageAfterAProgressBarStartsOnItsOwnLine() {
        StringWriter sink = new StringWriter();
        TerminalLine err = new TerminalLine(sink);
        err.print("\r[####....] 1/2 seed 5");
        err.freshLine().println("error: the disk is full");
        err.freshLine().println("error: again");
        err.print("\r[#.] 1/2");
        err.println("memory: needs about 1 GiB");
        err.print("loading ");
        err.println("done");
        assertEquals("\r[####....] 1/2 seed 5\nerror: the disk is full\nerror: again\n\r[#.] 1/2\nmemory: needs about 1 GiB\n"
                + "loading done\n", sink.toString());
    }

    /**
     * The real process: a command's stderr carries what the user needs, not DJL's INFO lines; {@code --verbose} brings
     * them back.
     */
    @Test
    void libraryLogLinesOnlyWithVerbose() throws Exception {
        String quiet = stderrOf("models", "engine");
        assertFalse(quiet.contains("PtEngine") || quiet.contains("INFO"), quiet);
        String verbose = stderrOf("models", "engine", "--verbose");
        assertTrue(verbose.contains("PtEngine"), verbose);
    }

    /**
     * Output places are checked before any work: a file where a folder is wanted, a device, a folder where a file is
     * wanted. The networks are never loaded (their notice never appears).
     */
    @Test
    void badOutputPlacesAreRefusedBeforeAnyWork() throws Exception {
        Path file = Files.writeString(dir.resolve("taken.txt"), "x");
        CliRun r = CliRun.run("generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--outdir", file.toString());
        assertOneLineRefusal(r, file.toAbsolutePath() + ": is not a folder", dir.resolve("none"));
        r = CliRun.run("edit", "--demo", "stylegan3-t-256", "--prompt", "bald", "--steps", "1", "--out", "/dev/null");
        assertOneLineRefusal(r, "/dev/null: is not a folder", dir.resolve("none"));
        assertFalse(r.out().contains("demo network"), "nothing loaded: " + r.out());
        r = CliRun.run("invert", "--demo", "stylegan3-t-256", dir.resolve("missing.png").toString(), "--out", dir.toString());
        assertOneLineRefusal(r, "is a folder; a file name is needed", dir.resolve("none"));
    }

    /** A file in a place the app manages, with the wrong JSON shape, is named and refused, never a cast exception. */
    @Test
    void aCheckpointOfTheWrongShapeIsRefusedByName() throws Exception {
        Path out = Files.createDirectories(dir.resolve("mapper"));
        Files.writeString(out.resolve("checkpoint.json"), "[1, 2, 3]");
        CliRun r = CliRun.run("train-mapper", "--demo", "stylegan3-t-256", "--prompt", "bald", "--out", out.toString());
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().strip().equals("error: " + out.resolve("checkpoint.json")
                + ": is not a mapper checkpoint (a JSON object is expected)"), r.err());
    }

    /**
     * The real process under a file-size limit (what a full disk does to a write, without needing one): the write
     * fails midway, the message is one line that says why, and no partial file is left behind.
     */
    @Test
    void aWriteCutShortByTheSystemIsOneLineAndLeavesNothing() throws Exception {
        dev.styleclip.runtime.Engines.pytorch(); // libtorch unpacked into the shared cache now, not under the limit
        Path out = dir.resolve("limited");
        String cmd = "ulimit -f 16; exec " + String.join(" ", java()) + " generate --demo stylegan3-t-256 --seeds 1"
                + " --outdir " + out;
        Child c = child(List.of("bash", "-c", cmd));
        assertEquals(Cli.EXIT_BAD_INPUT, c.code, c.err);
        String last = c.err.strip().substring(c.err.strip().lastIndexOf('\n') + 1);
        assertTrue(last.startsWith("error: ") && last.contains("seed0001.png: cannot be written: the file would pass"
                + " this system's file-size limit"), c.err);
        assertFalse(c.err.contains("Exception") || c.err.contains("\tat "), c.err);
        try (var files = Files.list(out)) {
            assertEquals(0, files.count(), "no partial file left");
        }
    }

    private record Child(int code, String err) {
    }

    private static List<String> java() {
        // no hsperfdata file: the JVM's own mapped file would count against a file-size limit
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), "dev.styleclip.Main");
    }

    private Child child(List<String> cmd) throws Exception {
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(err.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "child finished");
        return new Child(p.exitValue(), Files.readString(err));
    }

    private String stderrOf(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(java());
        cmd.addAll(List.of(args));
        Child c = child(cmd);
        assertEquals(0, c.code, c.err);
        return c.err;
    }
}
