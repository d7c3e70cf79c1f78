package dev.styleclip.cli.common;

import dev.styleclip.edit.batch.Shard;
import picocli.CommandLine.Option;

import java.util.Map;
import java.util.Optional;

/**
 * {@code --shard I/N} and {@code --shard-count N} of the commands that split a folder over the tasks of a scheduler's
 * array (a picocli mixin). Without {@code --shard}, a Slurm array task's or a Kubernetes Indexed Job pod's environment
 * names the shard ({@link Shard#fromEnvironment}); without either, the command runs everything.
 */
public final class ShardOption {
    @Option(names = "--shard", paramLabel = "I/N", description = "run only shard I (1 to N) of N; default: from the scheduler's "
            + "environment (SLURM_ARRAY_TASK_ID with SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX with --shard-count), else everything")
    String shard;

    @Option(names = "--shard-count", paramLabel = "N", description = "the number of shards beside JOB_COMPLETION_INDEX "
            + "(default: $" + Shard.COUNT_VAR + "); with --report, how to group the inputs")
    Integer count;

    /** The shard to run given the process's environment ({@code env}: tests pass their own). */
    public Optional<Shard> shard(Map<String, String> env) {
        if (count != null && count < 1) throw new IllegalArgumentException("--shard-count must be 1 or more, not " + count);
        if (shard != null) {
            Shard s = Shard.parse(shard);
            if (count != null && count != s.count()) {
                throw new IllegalArgumentException("--shard " + shard + " and --shard-count " + count + " disagree");
            }
            return Optional.of(s);
        }
        return Shard.fromEnvironment(env, count);
    }

    /** The shard to run: as {@link #shard}, else all; a lone {@code --shard-count} names no shard, so it is refused. */
    public Shard toRun(Map<String, String> env) {
        Optional<Shard> s = shard(env);
        if (s.isEmpty() && count != null) {
            throw new IllegalArgumentException("--shard-count " + count + " says how many shards, not which: give --shard I/N, or run "
                    + "where " + Shard.K8S_INDEX + " is set");
        }
        return s.orElse(Shard.ALL);
    }

    /** How many shards a report groups the inputs in: the shard's count, else {@code --shard-count}, else 1. */
    public int countToReport(Map<String, String> env) {
        return shard(env).map(Shard::count).orElse(count == null ? 1 : count);
    }
}
