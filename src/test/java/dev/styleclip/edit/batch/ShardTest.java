package dev.styleclip.edit.batch;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The partition and the ways a shard is named: {@code --shard I/N} and the schedulers' environments (maps given here). */
class ShardTest {

    @Test
    void theHashIsSha256OfTheUtf8RelativePathSoItIsTheSameEverywhere() {
        // expected values from an independent SHA-256 (Python's hashlib): first 8 bytes, big-endian, unsigned, mod N
        assertEquals(0, Shard.of("alice.png", 3));
        assertEquals(2, Shard.of("bob.npz", 3));
        assertEquals(1, Shard.of("photos/carol.jpg", 3));
        assertEquals(1, Shard.of("photos\\carol.jpg", 3), "a Windows separator is the same path");
        assertEquals(6, Shard.of("é.npz", 7));
        assertEquals(404, Shard.of("alice.png", 1000));
        assertEquals("photos/carol.jpg", Shard.relative(Path.of("/data/in"), Path.of("/data/in/photos/carol.jpg")));
    }

    @Test
    void everyInputIsInExactlyOneShardRoughlyBalancedAndAddingFilesMovesNone() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2000; i++) names.add(String.format("img_%05d.png", i));
        int n = 4;
        Map<String, Integer> before = new HashMap<>();
        int[] sizes = new int[n];
        for (String name : names) {
            int owners = 0;
            for (int k = 0; k < n; k++) {
                if (new Shard(k, n).holds(Path.of("/in"), Path.of("/in", name))) owners++;
            }
            assertEquals(1, owners, name);
            before.put(name, Shard.of(name, n));
            sizes[Shard.of(name, n)]++;
        }
        for (int size : sizes) assertTrue(size > 400 && size < 600, "2000 inputs in 4 shards: " + java.util.Arrays.toString(sizes));
        // a thousand more files, some sorting before the old ones: each old one stays where it was
        for (int i = 0; i < 1000; i++) names.add(String.format("a_new_%04d.npz", i));
        for (Map.Entry<String, Integer> e : before.entrySet()) assertEquals(e.getValue(), Shard.of(e.getKey(), n), e.getKey());
        // select keeps the order given and the union of the shards is the whole list
        List<Path> paths = names.stream().map(s -> Path.of("/in", s)).toList();
        List<Path> union = new ArrayList<>();
        for (int k = 0; k < n; k++) union.addAll(new Shard(k, n).select(Path.of("/in"), paths));
        assertEquals(paths.size(), union.size());
        assertEquals(new java.util.HashSet<>(paths), new java.util.HashSet<>(union));
        assertEquals(paths, Shard.ALL.select(Path.of("/in"), paths));
    }

    @Test
    void shardIsWrittenOneBasedAndBadOnesGetOneMessage() {
        assertEquals(new Shard(0, 3), Shard.parse("1/3"));
        assertEquals(new Shard(2, 3), Shard.parse(" 3 / 3 "));
        assertEquals("3/3", Shard.parse("3/3").toString());
        for (String bad : new String[]{"0/0", "5/4", "x", "0/3", "1/0", "-1/3", "1/x", "1/3/5", "", "2"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
            assertEquals("--shard '" + bad + "': give I/N, shard I (1 to N) of N shards, e.g. 1/4", e.getMessage());
        }
    }

    @Test
    void slurmArraysFromZeroFromOneAndWithAStep() {
        assertEquals(Optional.empty(), Shard.fromEnvironment(Map.of("HOME", "/x"), null));
        assertEquals(Optional.of(new Shard(0, 4)), Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "0",
                "SLURM_ARRAY_TASK_MIN", "0", "SLURM_ARRAY_TASK_COUNT", "4"), null));
        // --array=1-4: ids 1..4 are shards 1/4..4/4
        assertEquals(Optional.of(new Shard(3, 4)), Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "4",
                "SLURM_ARRAY_TASK_MIN", "1", "SLURM_ARRAY_TASK_COUNT", "4"), null));
        // --array=10-16:3: ids 10, 13, 16
        assertEquals(Optional.of(new Shard(1, 3)), Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "13",
                "SLURM_ARRAY_TASK_MIN", "10", "SLURM_ARRAY_TASK_STEP", "3", "SLURM_ARRAY_TASK_COUNT", "3"), null));
        // without MIN (an old Slurm): ids from 0
        assertEquals(Optional.of(new Shard(2, 3)), Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "2",
                "SLURM_ARRAY_TASK_COUNT", "3"), null));
        // a Slurm array wins over a stray Kubernetes index
        assertEquals(Optional.of(new Shard(1, 2)), Shard.fromEnvironment(Map.of("SLURM_ARRAY_TASK_ID", "1",
                "SLURM_ARRAY_TASK_COUNT", "2", "JOB_COMPLETION_INDEX", "0"), 2));

        assertRefused("SLURM_ARRAY_TASK_COUNT is not", Map.of("SLURM_ARRAY_TASK_ID", "1"), null);
        assertRefused("is not a whole number", Map.of("SLURM_ARRAY_TASK_ID", "one", "SLURM_ARRAY_TASK_COUNT", "2"), null);
        // --array=1,5,9 (a list): id 5 - 1 = 4 is past 3 tasks; refused rather than leaving inputs to no shard
        assertRefused("not a range of 3 tasks", Map.of("SLURM_ARRAY_TASK_ID", "5", "SLURM_ARRAY_TASK_MIN", "1",
                "SLURM_ARRAY_TASK_COUNT", "3"), null);
        assertRefused("contradicts SLURM_ARRAY_TASK_COUNT=2", Map.of("SLURM_ARRAY_TASK_ID", "0", "SLURM_ARRAY_TASK_COUNT", "2"), 3);
    }

    @Test
    void kubernetesIndexedJobsWithTheCountGivenOrInTheEnvironment() {
        assertEquals(Optional.of(new Shard(0, 5)), Shard.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "0"), 5));
        assertEquals(Optional.of(new Shard(4, 5)), Shard.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "4",
                "STYLECLIP_SHARD_COUNT", "5"), null));
        assertEquals(Optional.of(new Shard(1, 2)), Shard.fromEnvironment(Map.of("JOB_COMPLETION_INDEX", "1",
                "STYLECLIP_SHARD_COUNT", "5"), 2), "the option over the variable");
        assertRefused("give --shard-count N or set STYLECLIP_SHARD_COUNT", Map.of("JOB_COMPLETION_INDEX", "1"), null);
        assertRefused("JOB_COMPLETION_INDEX=5 is no shard of 5 (0 to 4)", Map.of("JOB_COMPLETION_INDEX", "5"), 5);
        assertRefused("is not a whole number", Map.of("JOB_COMPLETION_INDEX", "0", "STYLECLIP_SHARD_COUNT", "many"), null);
        assertRefused("must be 1 or more, not 0", Map.of("JOB_COMPLETION_INDEX", "0", "STYLECLIP_SHARD_COUNT", "0"), null);
    }

    private static void assertRefused(String part, Map<String, String> env, Integer count) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shard.fromEnvironment(env, count));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
