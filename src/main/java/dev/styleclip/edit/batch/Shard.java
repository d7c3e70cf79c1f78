package dev.styleclip.edit.batch;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One part of a job split over the tasks of a scheduler's array (Slurm job arrays, Kubernetes Indexed Jobs): shard
 * {@code index} (0-based) of {@code count}; {@link #ALL} is the whole job. Written and printed 1-based, "2/3" = the
 * second of three, as a person counts; the schedulers' own indices (0-based, or from the array's first id) are turned
 * into it by {@link #fromEnvironment}.
 *
 * <p>An input belongs to shard {@code h mod count}, {@code h} = the first 8 bytes of the SHA-256 of its path relative to
 * the input folder ('/' between names, UTF-8), unsigned: the same on every JVM and platform, and an input's shard
 * depends on its own name alone, so adding files never moves the ones there before (a list position would).
 */
public record Shard(int index, int count) {
    /** The whole job: one shard. */
    public static final Shard ALL = new Shard(0, 1);

    /** Slurm: the task's id, the array's first id and step, and how many tasks. */
    public static final String SLURM_ID = "SLURM_ARRAY_TASK_ID", SLURM_MIN = "SLURM_ARRAY_TASK_MIN",
            SLURM_STEP = "SLURM_ARRAY_TASK_STEP", SLURM_COUNT = "SLURM_ARRAY_TASK_COUNT";
    /** Kubernetes Indexed Job: the pod's 0-based index; the count is not in a pod's environment, so it is ours to give. */
    public static final String K8S_INDEX = "JOB_COMPLETION_INDEX";
    /** The shard count beside {@link #K8S_INDEX} when not given as an option (set it to the Job's {@code completions}). */
    public static final String COUNT_VAR = "STYLECLIP_SHARD_COUNT";

    public Shard {
        if (count < 1) throw new IllegalArgumentException("a shard count must be 1 or more, not " + count);
        if (index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + (index + 1) + " of " + count + " does not exist (1 to " + count + ")");
        }
    }

    /**
     * {@code "I/N"}, 1-based ({@code 1/3}, {@code 2/3}, {@code 3/3}); anything else is refused with the one message that
     * says what is wanted.
     */
    public static Shard parse(String text) {
        String t = text == null ? "" : text.strip();
        int slash = t.indexOf('/');
        int i, n;
        try {
            if (slash < 0) throw new NumberFormatException();
            i = Integer.parseInt(t.substring(0, slash).strip());
            n = Integer.parseInt(t.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(wanted(text));
        }
        if (n < 1 || i < 1 || i > n) throw new IllegalArgumentException(wanted(text));
        return new Shard(i - 1, n);
    }

    private static String wanted(String text) {
        return "--shard '" + text + "': give I/N, shard I (1 to N) of N shards, e.g. 1/4";
    }

    /**
     * The shard a scheduler's environment names, if any: a Slurm array task ({@value #SLURM_ID} minus
     * {@value #SLURM_MIN}, divided by {@value #SLURM_STEP}, of {@value #SLURM_COUNT}), else a Kubernetes Indexed Job's
     * pod ({@value #K8S_INDEX} of {@code count}, else of {@value #COUNT_VAR}). A half-given or contradictory environment
     * is refused with what is wrong, rather than guessed at: a wrong guess would leave inputs to no shard.
     *
     * @param count the count given beside the environment's index (null: none)
     */
    public static Optional<Shard> fromEnvironment(Map<String, String> env, Integer count) {
        if (env.containsKey(SLURM_ID)) {
            int id = integer(env, SLURM_ID), min = env.containsKey(SLURM_MIN) ? integer(env, SLURM_MIN) : 0;
            int step = env.containsKey(SLURM_STEP) ? integer(env, SLURM_STEP) : 1;
            if (!env.containsKey(SLURM_COUNT)) throw new IllegalArgumentException(SLURM_ID + " is set but " + SLURM_COUNT + " is not");
            int n = integer(env, SLURM_COUNT);
            if (count != null && count != n) {
                throw new IllegalArgumentException("--shard-count " + count + " contradicts " + SLURM_COUNT + "=" + n);
            }
            if (step < 1 || id < min || (id - min) % step != 0 || (id - min) / step >= n) {
                throw new IllegalArgumentException("the Slurm array is not a range of " + n + " tasks (" + SLURM_ID + "=" + id
                        + ", " + SLURM_MIN + "=" + min + ", " + SLURM_STEP + "=" + step
                        + "): submit it as --array=A-B or A-B:S, or give --shard I/N");
            }
            return Optional.of(new Shard((id - min) / step, n));
        }
        if (env.containsKey(K8S_INDEX)) {
            int i = integer(env, K8S_INDEX);
            Integer n = count != null ? count : env.containsKey(COUNT_VAR) ? integer(env, COUNT_VAR) : null;
            if (n == null) {
                throw new IllegalArgumentException(K8S_INDEX + " is set but not the number of shards: give --shard-count N or set "
                        + COUNT_VAR + " (the Job's completions)");
            }
            if (n < 1) throw new IllegalArgumentException("the shard count beside " + K8S_INDEX + " must be 1 or more, not " + n);
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException(K8S_INDEX + "=" + i + " is no shard of " + n + " (0 to " + (n - 1) + ")");
            }
            return Optional.of(new Shard(i, n));
        }
        return Optional.empty();
    }

    private static int integer(Map<String, String> env, String name) {
        String v = env.get(name);
        try {
            return Integer.parseInt(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + v + "' is not a whole number");
        }
    }

    /** The shard of {@code count} an input belongs to, by its path relative to the input folder. */
    public static int of(String relativePath, int count) {
        byte[] h;
        try {
            h = MessageDigest.getInstance("SHA-256").digest(relativePath.replace('\\', '/').getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        long v = 0;
        for (int k = 0; k < 8; k++) v = (v << 8) | (h[k] & 0xff);
        return (int) Long.remainderUnsigned(v, count);
    }

    /** Whether {@code input} (a file under {@code folder}) is this shard's. */
    public boolean holds(Path folder, Path input) {
        return count == 1 || of(relative(folder, input), count) == index;
    }

    /** This shard's part of {@code inputs} (files under {@code folder}), in their order. */
    public List<Path> select(Path folder, List<Path> inputs) {
        return inputs.stream().filter(p -> holds(folder, p)).toList();
    }

    /** {@code input}'s path under {@code folder}, '/' between names whatever the platform. */
    public static String relative(Path folder, Path input) {
        Path r = folder.toAbsolutePath().normalize().relativize(input.toAbsolutePath().normalize());
        StringBuilder s = new StringBuilder();
        for (Path part : r) s.append(s.isEmpty() ? "" : "/").append(part);
        return s.toString();
    }

    public boolean isAll() {
        return count == 1;
    }

    /** 1-based, as {@link #parse} reads it. */
    @Override
    public String toString() {
        return (index + 1) + "/" + count;
    }
}
