package dev.styleclip.edit.recipe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.batch.Shard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Where a {@link RecipeBatch} over a folder stands, read from the files alone (no network, no engine): for each input,
 * done ({@link RecipeBatch#isDone}), failed (its {@code <stem>.failed.json}, with the reason) or missing (never run, or
 * stopped before its results were whole), and its shard when the number of shards is known. This is what one looks at
 * after an array of tasks ends, whichever tasks ran where.
 *
 * @param shards the number of shards the entries are assigned to (1: not sharded, or not known)
 */
public record RecipeBatchReport(List<Entry> entries, int shards) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public enum State { DONE, FAILED, MISSING }

    /**
     * @param shard  0-based, of {@link #shards}
     * @param reason why it failed (FAILED), else null
     */
    public record Entry(String input, int shard, State state, String reason) {
    }

    /** Counts of one shard (or of all). */
    public record Counts(int done, int failed, int missing) {
        public int total() {
            return done + failed + missing;
        }
    }

    public RecipeBatchReport {
        entries = List.copyOf(entries);
    }

    /** The inputs of {@code inputs} (as {@link RecipeBatch#inputs} lists them) against the results in {@code out}. */
    public static RecipeBatchReport of(Path inputs, Path out, int shards) throws IOException {
        List<Path> all = RecipeBatch.inputs(inputs);
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<Path, String> e : RecipeBatch.stems(all).entrySet()) {
            String stem = e.getValue();
            Path record = RecipeBatch.failureRecord(out, stem);
            State state = RecipeBatch.isDone(out, stem) ? State.DONE : Files.exists(record) ? State.FAILED : State.MISSING;
            String name = Shard.relative(inputs, e.getKey());
            entries.add(new Entry(name, Shard.of(name, shards), state, state == State.FAILED ? reason(record) : null));
        }
        return new RecipeBatchReport(entries, shards);
    }

    private static String reason(Path record) {
        try {
            JsonNode n = JSON.readTree(record.toFile());
            String r = n == null ? "" : n.path("reason").asText("");
            return r.isBlank() ? "(no reason recorded)" : r;
        } catch (IOException e) {
            return "(its failure record cannot be read: " + RecipeBatch.reason(e) + ")";
        }
    }

    public boolean complete() {
        return entries.stream().allMatch(e -> e.state() == State.DONE);
    }

    /** Counts over every input. */
    public Counts counts() {
        return counts(entries);
    }

    /** Counts of shard {@code index} (0-based). */
    public Counts counts(int index) {
        return counts(entries.stream().filter(e -> e.shard() == index).toList());
    }

    private static Counts counts(List<Entry> of) {
        return new Counts(count(of, State.DONE), count(of, State.FAILED), count(of, State.MISSING));
    }

    private static int count(List<Entry> of, State state) {
        return (int) of.stream().filter(e -> e.state() == state).count();
    }

    public List<Entry> in(State state) {
        return entries.stream().filter(e -> e.state() == state).toList();
    }
}
