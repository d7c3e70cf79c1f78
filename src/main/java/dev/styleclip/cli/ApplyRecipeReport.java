package dev.styleclip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.edit.batch.Shard;
import dev.styleclip.edit.recipe.RecipeBatchReport;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code apply-recipe … --report}: a {@link RecipeBatchReport} as lines for a person or as JSON. */
final class ApplyRecipeReport {
    private ApplyRecipeReport() {
    }

    static void print(PrintWriter o, RecipeBatchReport r, boolean json) throws Exception {
        if (json) {
            o.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(toJson(r)));
            return;
        }
        o.printf(Locale.ROOT, "%s%s — %s%n", counts(r.counts()), r.shards() > 1 ? " in " + r.shards() + " shards" : "",
                r.complete() ? "complete" : "not complete");
        if (r.shards() > 1) {
            for (int i = 0; i < r.shards(); i++) {
                o.printf(Locale.ROOT, "  shard %s: %s%n", new Shard(i, r.shards()), counts(r.counts(i)));
            }
        }
        for (RecipeBatchReport.State state : List.of(RecipeBatchReport.State.FAILED, RecipeBatchReport.State.MISSING)) {
            List<RecipeBatchReport.Entry> those = r.in(state);
            if (those.isEmpty()) continue;
            o.println(state.name().toLowerCase(Locale.ROOT) + ":");
            for (RecipeBatchReport.Entry e : those) {
                o.println("  " + Cli.printable(e.input()) + (r.shards() > 1 ? " (shard " + new Shard(e.shard(), r.shards()) + ")" : "")
                        + (e.reason() == null ? "" : ": " + Cli.printable(e.reason())));
            }
        }
    }

    private static String counts(RecipeBatchReport.Counts c) {
        return String.format(Locale.ROOT, "%d input(s): %d done, %d failed, %d missing", c.total(), c.done(), c.failed(), c.missing());
    }

    private static Map<String, Object> toJson(RecipeBatchReport r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("complete", r.complete());
        j.put("shards", r.shards());
        j.putAll(countsJson(r.counts()));
        List<Map<String, Object>> perShard = new ArrayList<>();
        for (int i = 0; i < r.shards(); i++) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("shard", new Shard(i, r.shards()).toString());
            s.putAll(countsJson(r.counts(i)));
            perShard.add(s);
        }
        j.put("per_shard", perShard);
        List<Map<String, Object>> inputs = new ArrayList<>();
        for (RecipeBatchReport.Entry e : r.entries()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("input", e.input());
            m.put("shard", new Shard(e.shard(), r.shards()).toString());
            m.put("state", e.state().name().toLowerCase(Locale.ROOT));
            if (e.reason() != null) m.put("reason", e.reason());
            inputs.add(m);
        }
        j.put("inputs", inputs);
        return j;
    }

    private static Map<String, Object> countsJson(RecipeBatchReport.Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", c.total());
        m.put("done", c.done());
        m.put("failed", c.failed());
        m.put("missing", c.missing());
        return m;
    }
}
