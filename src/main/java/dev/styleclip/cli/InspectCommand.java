package dev.styleclip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code ./styleclip inspect FILE}: format, summary and tensor list of any model file, read without running any code. */
@Command(name = "inspect", description = "Show what a model file holds: format, tensors, and for StyleGAN pickles the class and init kwargs.")
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "a model file (safetensors, .pt/.pth, StyleGAN .pkl, TF.js manifest)")
    Path file;

    @Option(names = "--json", description = "print the same information as JSON")
    boolean json;

    @Option(names = "--object", paramLabel = "NAME", description = "for StyleGAN snapshots: G_ema (default), G or D")
    String object;

    @Override
    public Integer call() throws Exception {
        Checkpoint cp = ModelFiles.open(file);
        TensorStore store = object == null ? cp.main() : cp.object(object);
        Map<String, Object> report = report(cp, store);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else {
            printText(out, report, store);
        }
        return 0;
    }

    /** The report as plain data (also the JSON form). */
    static Map<String, Object> report(Checkpoint cp, TensorStore store) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("file", cp.file().toString());
        r.put("format", cp.format().id());
        if (cp.objects().size() > 1) {
            r.put("objects", new ArrayList<>(cp.objects().keySet()));
            String name = null;
            for (var e : cp.objects().entrySet()) if (e.getValue() == store) name = e.getKey();
            r.put("object", name);
        }
        Map<String, Object> meta = store.metadata();
        if (meta.containsKey("class_name")) r.put("class_name", meta.get("class_name"));
        if (meta.containsKey("init_kwargs")) r.put("init_kwargs", meta.get("init_kwargs"));
        if (meta.containsKey("init_args") && meta.get("init_args") instanceof List && !((List<?>) meta.get("init_args")).isEmpty()) {
            r.put("init_args", meta.get("init_args"));
        }
        if (!cp.info().isEmpty()) r.put("other_entries", new ArrayList<>(cp.info().keySet()));
        Map<String, Long> dtypes = new TreeMap<>();
        long params = 0;
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (Tensor t : store.tensors()) {
            dtypes.merge(t.dtype().name(), t.numel(), Long::sum);
            params += t.numel();
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("dtype", t.dtype().name());
            e.put("shape", t.shape());
            tensors.add(e);
        }
        r.put("num_tensors", tensors.size());
        r.put("num_parameters", params);
        r.put("dtypes", dtypes);
        r.put("tensors", tensors);
        return r;
    }

    /** Items of a list, and characters of a string, shown in the text report before "… N more". */
    static final int SHOWN = 32;
    static final int SHOWN_CHARS = 200;

    private static void printText(PrintWriter out, Map<String, Object> r, TensorStore store) throws Exception {
        // everything below may come from the file: escaped for the terminal, long data abbreviated (--json has it all)
        ObjectMapper json = new ObjectMapper();
        out.println("file:       " + Cli.printable(String.valueOf(r.get("file"))));
        out.println("format:     " + r.get("format"));
        if (r.containsKey("objects")) {
            out.println("objects:    " + Cli.printable(r.get("objects") + " (showing " + r.get("object") + ")"));
        }
        if (r.containsKey("class_name")) out.println("class:      " + Cli.printable(String.valueOf(r.get("class_name"))));
        if (r.containsKey("init_args")) {
            out.println("init args:  " + Cli.printable(json.writeValueAsString(abbreviated(r.get("init_args"), 0))));
        }
        if (r.containsKey("init_kwargs")) {
            out.println("init kwargs: " + Cli.printable(json.writeValueAsString(abbreviated(r.get("init_kwargs"), 0))));
        }
        if (r.containsKey("other_entries")) {
            out.println("other entries: " + Cli.printable(String.valueOf(abbreviated(r.get("other_entries"), 0))));
        }
        out.printf("tensors:    %d%n", (Integer) r.get("num_tensors"));
        out.printf("parameters: %,d%n", (Long) r.get("num_parameters"));
        out.println("dtypes:     " + r.get("dtypes"));
        int w = 4;
        for (Tensor t : store.tensors()) w = Math.max(w, Cli.printable(t.name()).length());
        for (Tensor t : store.tensors()) {
            out.printf("  %-" + w + "s  %-4s  %s%n", Cli.printable(t.name()), t.dtype().name(), java.util.Arrays.toString(t.shape()));
        }
    }

    /**
     * Plain data with lists and maps cut to {@link #SHOWN} items and strings to {@link #SHOWN_CHARS} characters, each cut
     * marked with how much is left out, so a legal but enormous entry cannot flood the terminal.
     */
    static Object abbreviated(Object o, int depth) {
        if (o instanceof String s) {
            return s.length() <= SHOWN_CHARS ? s : s.substring(0, SHOWN_CHARS) + "… (" + (s.length() - SHOWN_CHARS) + " more characters)";
        }
        if (depth > 8 && (o instanceof Map || o instanceof List)) return "…";
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            int i = 0;
            for (var e : m.entrySet()) {
                if (i++ == SHOWN) {
                    r.put("…", (m.size() - SHOWN) + " more entries");
                    break;
                }
                r.put(String.valueOf(abbreviated(String.valueOf(e.getKey()), depth)), abbreviated(e.getValue(), depth + 1));
            }
            return r;
        }
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>();
            for (Object v : l.subList(0, Math.min(SHOWN, l.size()))) r.add(abbreviated(v, depth + 1));
            if (l.size() > SHOWN) r.add("… " + (l.size() - SHOWN) + " more items");
            return r;
        }
        if (o instanceof Tensor t) return "tensor " + t.dtype().name() + " " + java.util.Arrays.toString(t.shape());
        return o;
    }
}
