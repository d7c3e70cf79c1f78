package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.batch.Shard;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code apply-recipe --shard I/N} as an array job runs it: three shards as three separate background processes of the
 * CLI (the test's class path, {@code dev.styleclip.Main}) over one folder of latents on the tiny golden generator, their
 * union against a single in-process run, a shard whose last input was lost (as when its task is killed before the
 * input's report is written) run again, and {@code --report}.
 */
class ApplyRecipeShardsCliTest {
    private static final int NUM_WS = 16, W_DIM = 32;
    private static final String GEN = Golden.set("stylegan3").resolve("models/sg3t-32.pkl").toString();

    private static float[] random(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    private static Path setUp(Path tmp) throws Exception {
        Path recipe = tmp.resolve("r/offset.json");
        RecipeFiles.write(recipe, new Recipe(null, List.of(
                new RecipeStep.LatentDelta("offset", NUM_WS, W_DIM, random(NUM_WS * W_DIM, 1, 0.5), 1.0, true, Map.of(), Map.of()))));
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (int i = 0; i < 7; i++) LatentFile.write(in.resolve("face" + i + ".npz"), new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 10 + i, 1)));
        return recipe;
    }

    private static String[] args(Path tmp, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("apply-recipe", tmp.resolve("r/offset.json").toString(), "--inputs",
                tmp.resolve("in").toString(), "--out", out.toString(), "--generator", GEN));
        a.addAll(Arrays.asList(more));
        return a.toArray(String[]::new);
    }

    /** The CLI in a process of its own, in the background, with no scheduler's variables from this test's environment. */
    private static Process start(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-cp", System.getProperty("java.class.path"), "dev.styleclip.Main"));
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SLURM_") || k.equals(Shard.K8S_INDEX) || k.equals(Shard.COUNT_VAR));
        return pb.start();
    }

    /** Each file of {@code dir} with the SHA-256 of its bytes. */
    private static Map<String, String> contents(Path dir) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                m.put(p.getFileName().toString(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
        }
        return m;
    }

    @Test
    void threeShardProcessesWriteWhatOneRunWritesAndTheReportSaysSo(@TempDir Path tmp) throws Exception {
        setUp(tmp);
        Path single = tmp.resolve("single"), sharded = tmp.resolve("sharded");
        CliRun one = CliRun.run(args(tmp, single));
        assertEquals(0, one.code(), one.out() + one.err());

        List<Process> shards = new ArrayList<>();
        for (int k = 1; k <= 3; k++) shards.add(start(tmp.resolve("shard" + k + ".log"), args(tmp, sharded, "--shard", k + "/3")));
        for (int k = 1; k <= 3; k++) {
            Process p = shards.get(k - 1);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), "shard " + k + " finished");
            String log = Files.readString(tmp.resolve("shard" + k + ".log"));
            assertEquals(0, p.exitValue(), log);
            assertTrue(log.contains("7 input(s), ") && log.contains(" in shard " + k + "/3"), log);
        }
        assertEquals(contents(single), contents(sharded), "the same files with the same bytes");

        CliRun report = CliRun.run(args(tmp, sharded, "--report", "--shard-count", "3"));
        assertEquals(0, report.code(), report.out() + report.err());
        assertTrue(report.out().startsWith("7 input(s): 7 done, 0 failed, 0 missing in 3 shards — complete"), report.out());
        for (int k = 1; k <= 3; k++) assertTrue(report.out().contains("  shard " + k + "/3: "), report.out());

        // a shard's task killed before its last input's report (written last) was written: that input is missing
        List<String> ofShard2;
        try (Stream<Path> s = Files.list(tmp.resolve("in"))) {
            ofShard2 = s.map(p -> p.getFileName().toString()).filter(n -> Shard.of(n, 3) == 1).sorted().toList();
        }
        assertFalse(ofShard2.isEmpty(), "shard 2/3 has inputs");
        String lost = ofShard2.get(ofShard2.size() - 1);
        String stem = lost.substring(0, lost.lastIndexOf('.'));
        Files.delete(sharded.resolve(stem + ".json"));
        Files.delete(sharded.resolve(stem + ".png"));
        report = CliRun.run(args(tmp, sharded, "--report", "--shard-count", "3"));
        assertEquals(1, report.code(), report.out());
        assertTrue(report.out().contains("6 done, 0 failed, 1 missing in 3 shards — not complete"), report.out());
        assertTrue(report.out().contains("missing:\n  " + lost + " (shard 2/3)"), report.out());
        CliRun json = CliRun.run(args(tmp, sharded, "--report", "--shard-count", "3", "--json"));
        assertEquals(1, json.code());
        JsonNode j = new ObjectMapper().readTree(json.out());
        assertFalse(j.path("complete").asBoolean());
        assertEquals(1, j.path("missing").asInt());
        assertEquals(1, j.path("per_shard").get(1).path("missing").asInt());
        assertEquals(3, j.path("per_shard").size());
        assertEquals(7, j.path("inputs").size());

        // the shard run again (a requeued task) does only what is missing; then all is as one run wrote it
        Process again = start(tmp.resolve("again.log"), args(tmp, sharded, "--shard", "2/3"));
        assertTrue(again.waitFor(300, TimeUnit.SECONDS));
        String log = Files.readString(tmp.resolve("again.log"));
        assertEquals(0, again.exitValue(), log);
        assertTrue(log.contains("1 edited, "), log);
        assertEquals(contents(single), contents(sharded));
        assertEquals(0, CliRun.run(args(tmp, sharded, "--report")).code());
    }

    @Test
    void badShardsAndReportOptionsExitTwoWithOneMessage(@TempDir Path tmp) throws Exception {
        setUp(tmp);
        Path out = tmp.resolve("out");
        for (String bad : new String[]{"0/0", "5/4", "x"}) {
            CliRun r = CliRun.run(args(tmp, out, "--shard", bad));
            assertEquals(2, r.code(), r.out() + r.err());
            assertEquals("error: --shard '" + bad + "': give I/N, shard I (1 to N) of N shards, e.g. 1/4", r.err().strip());
        }
        CliRun r = CliRun.run(args(tmp, out, "--shard", "1/3", "--shard-count", "4"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--shard 1/3 and --shard-count 4 disagree"), r.err());
        r = CliRun.run(args(tmp, out, "--json"));
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--json is for --report"), r.err());

        // nothing run yet: all missing, and the report writes nothing (not even the output folder)
        r = CliRun.run(args(tmp, out, "--report"));
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().startsWith("7 input(s): 0 done, 0 failed, 7 missing — not complete"), r.out());
        assertFalse(Files.exists(out));
    }
}
