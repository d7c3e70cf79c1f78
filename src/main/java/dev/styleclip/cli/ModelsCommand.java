package dev.styleclip.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.models.DownloadListener;
import dev.styleclip.runtime.models.DownloadProgress;
import dev.styleclip.runtime.models.ModelEntries;
import dev.styleclip.runtime.models.ModelEntry;
import dev.styleclip.runtime.models.ModelInstaller;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.runtime.models.ModelsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/** {@code ./styleclip models list|fetch|verify|import}: the catalog of official model files and their installation. */
@Command(name = "models", description = "List, download, import and verify the official model files.",
        subcommands = {ModelsCommand.ListCmd.class, ModelsCommand.FetchCmd.class, ModelsCommand.VerifyCmd.class,
                ModelsCommand.ImportCmd.class, ModelsCommand.EngineCmd.class})
public final class ModelsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "list", description = "Every supported file: name, role, whether installed, how it is checked, licence.")
    static final class ListCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        DirMixin dir;
        @Option(names = "--json", description = "print the catalog with install status as JSON")
        boolean json;
        @Option(names = {"--details", "-v"}, description = "also print each file's source, purpose and licence")
        boolean verbose;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ModelInstaller inst = new ModelInstaller(dir.dir);
            ModelCatalog catalog = new ModelCatalog(dir.dir);
            if (json) {
                List<Map<String, Object>> rows = new ArrayList<>();
                for (ModelEntry e : ModelEntries.all()) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("name", e.name());
                    r.put("role", e.role().name());
                    r.put("file", e.file());
                    r.put("installed", installed(catalog, inst, e));
                    elsewhere(catalog, inst, e).ifPresent(f -> r.put("found", f.toString()));
                    r.put("manual", e.manual());
                    r.put("default", e.isDefault());
                    r.put("url", e.url());
                    r.put("page", e.page());
                    r.put("size", e.size());
                    r.put("sha256", e.sha256());
                    r.put("sha256Prefix", e.sha256Prefix());
                    r.put("integrity", e.integrity());
                    r.put("licence", e.licence());
                    r.put("purpose", e.purpose());
                    rows.add(r);
                }
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("dir", inst.dir().toString());
                doc.put("models", rows);
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
                return 0;
            }
            out.println("models folder: " + inst.dir());
            String fmt = "%-22s %-10s %-3s %-14s %s%n";
            out.printf(Locale.ROOT, fmt, "NAME", "ROLE", "", "STATUS", "HOW");
            for (ModelEntry e : ModelEntries.all()) {
                String status = installed(catalog, inst, e) ? "installed" : e.manual() ? "import" : "-";
                String how = e.manual() ? "manual download: " + e.page() : e.checkDescription()
                        + (e.size() != null ? ", " + DownloadProgress.bytes(e.size()) : "");
                out.printf(Locale.ROOT, fmt, e.name(), e.role().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                        e.isDefault() ? "*" : "", status, how);
                elsewhere(catalog, inst, e).ifPresent(f -> out.println("    found:   " + f));
                if (verbose) {
                    out.println("    file:    " + e.file());
                    if (e.url() != null) out.println("    source:  " + e.url());
                    out.println("    for:     " + e.purpose());
                    out.println("    licence: " + e.licence());
                }
            }
            out.println("* = recommended. ./styleclip models fetch NAME downloads one; files marked 'import' must be"
                    + " downloaded in a browser, then: ./styleclip models import FILE --as NAME");
            return 0;
        }
    }

    /**
     * Whether the app uses this entry's file: installed in the models folder, or — face-api, whose weights may also be
     * unpacked outside it — found by the catalog's rule, the one the studio follows ({@link ModelCatalog#find}).
     */
    static boolean installed(ModelCatalog catalog, ModelInstaller inst, ModelEntry e) {
        return inst.installed(e) || elsewhere(catalog, inst, e).isPresent();
    }

    /** Face-api's weights found outside the models folder when they are not installed in it. */
    static java.util.Optional<Path> elsewhere(ModelCatalog catalog, ModelInstaller inst, ModelEntry e) {
        if (e.role() != ModelRole.FACE_API || inst.installed(e)) return java.util.Optional.empty();
        return catalog.faceApiDir();
    }

    /** {@code --dir} as a mixin. */
    static final class DirMixin {
        @Option(names = {"--dir", "-d"}, paramLabel = "DIR", description = "models folder (default: the app's models/)")
        Path dir = ModelCatalog.defaultDir();
    }

    @Command(name = "fetch", description = "Download catalog files, check their hash and format, and install them."
            + " An interrupted download resumes where it stopped.")
    static final class FetchCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        DirMixin dir;
        @Parameters(paramLabel = "NAME", arity = "0..*", description = "catalog names (see models list)")
        List<String> names = new ArrayList<>();
        @Option(names = "--recommended", description = "fetch every recommended file that can be downloaded")
        boolean recommended;
        @Option(names = "--url", paramLabel = "URL", description = "download from this URL instead (a mirror); one NAME only")
        String url;
        @Option(names = "--force", description = "download again even if installed")
        boolean force;
        @Option(names = "--quiet", description = "no progress bar")
        boolean quiet;

        @Override
        public Integer call() throws Exception {
            List<ModelEntry> todo = new ArrayList<>();
            for (String n : names) todo.add(ModelEntries.require(n));
            if (recommended) {
                for (ModelEntry e : ModelEntries.recommended()) if (!todo.contains(e)) todo.add(e);
            }
            if (todo.isEmpty()) throw new ModelsException("name a model to fetch (./styleclip models list) or use --recommended");
            if (url != null) {
                if (todo.size() != 1) throw new ModelsException("--url needs exactly one NAME");
                todo.set(0, todo.get(0).withUrl(url));
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            ModelInstaller inst = new ModelInstaller(dir.dir);
            AtomicBoolean cancel = new AtomicBoolean();
            for (ModelEntry e : todo) {
                if (!force && inst.installed(e)) {
                    out.println(e.name() + ": already installed in " + inst.target(e) + " (models verify checks it)");
                    continue;
                }
                DownloadBar bar = new DownloadBar(err, quiet);
                Path p = inst.fetch(e, bar, cancel);
                bar.finish();
                out.println(e.name() + ": installed " + p);
            }
            return 0;
        }
    }

    @Command(name = "verify", description = "Re-hash the installed files and compare with the published or first recorded sha256;"
            + " also checks each file's format. Exit 1 if any file fails.")
    static final class VerifyCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        DirMixin dir;
        @Parameters(paramLabel = "NAME", arity = "0..*", description = "catalog names (default: every installed file)")
        List<String> names = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<ModelEntry> todo = new ArrayList<>();
            for (String n : names) todo.add(ModelEntries.require(n));
            if (todo.isEmpty()) todo.addAll(ModelEntries.all());
            ModelInstaller inst = new ModelInstaller(dir.dir);
            PrintWriter out = spec.commandLine().getOut();
            int failed = 0;
            int checked = 0;
            for (ModelInstaller.Check c : inst.verify(todo)) {
                if (c.state() == ModelInstaller.State.NOT_INSTALLED && names.isEmpty()) continue;
                checked++;
                if (c.failed()) failed++;
                out.printf(Locale.ROOT, "%-22s %-13s %s%n", c.entry().name(), c.state().name().toLowerCase(Locale.ROOT)
                        .replace('_', ' '), c.message());
            }
            if (checked == 0) out.println("no catalog file is installed in " + inst.dir());
            if (failed > 0) {
                spec.commandLine().getErr().println("error: " + failed + " file(s) failed the check; fetch or import them again");
                return 1;
            }
            return 0;
        }
    }

    @Command(name = "import", description = "Install a file you downloaded by hand (e.g. from Google Drive):"
            + " checks its format and hash, records it and moves it into the models folder.")
    static final class ImportCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @picocli.CommandLine.Mixin
        DirMixin dir;
        @Parameters(index = "0", paramLabel = "FILE", description = "the downloaded file")
        Path file;
        @Option(names = "--as", required = true, paramLabel = "NAME", description = "its catalog name (see models list)")
        String as;
        @Option(names = "--copy", description = "copy it and keep the original (default: move)")
        boolean copy;

        @Override
        public Integer call() throws Exception {
            ModelEntry e = ModelEntries.require(as);
            Path p = new ModelInstaller(dir.dir).importFile(file, e, copy);
            spec.commandLine().getOut().println(e.name() + ": imported " + p);
            return 0;
        }
    }

    @Command(name = "engine", description = "Start the compute engine once and show what it loaded: libtorch version and"
            + " flavour (cpu or CUDA), where it came from, GPUs; runs one small computation.")
    static final class EngineCmd implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            ai.djl.engine.Engine engine = dev.styleclip.runtime.Engines.pytorch();
            int gpus = engine.getGpuCount();
            out.println("engine:       " + engine.getEngineName() + " " + engine.getVersion() + " (DJL " + ai.djl.engine.Engine.getDjlVersion() + ")");
            String override = System.getenv("PYTORCH_LIBRARY_PATH") != null ? "PYTORCH_LIBRARY_PATH (environment)"
                    : System.getProperty("PYTORCH_LIBRARY_PATH") != null ? "PYTORCH_LIBRARY_PATH (system property)"
                    : "unpacked from the pytorch-native jar";
            out.println("libtorch:     " + ai.djl.pytorch.jni.LibUtils.getLibtorchPath() + " (" + override + ")");
            String flavor = System.getenv("PYTORCH_FLAVOR") != null ? System.getenv("PYTORCH_FLAVOR")
                    : System.getProperty("PYTORCH_FLAVOR");
            out.println("flavour:      " + (flavor != null ? flavor : "from the native jar"));
            out.println("offline:      " + dev.styleclip.runtime.Engines.offline());
            String alloc = dev.styleclip.runtime.NativeAllocator.inUse();
            out.println("allocator:    " + alloc + (alloc.equals("glibc")
                    ? " (install libtcmalloc-minimal4 for faster CPU steps; docs/stack.md)" : ""));
            out.println("GPUs:         " + gpus + (gpus > 0 ? " (the app computes on " + ai.djl.Device.gpu() + ")" : " (computing on the CPU)"));
            try (ai.djl.ndarray.NDManager m = engine.newBaseManager()) {
                float s = m.create(new float[]{1, 2, 3, 4}).mul(2).sum().getFloat();
                out.println("self-test:    2*(1+2+3+4) = " + s + " on " + m.getDevice());
                if (s != 20f) throw new IllegalStateException("the engine computed " + s + " instead of 20");
            }
            return 0;
        }
    }

    /** A download's progress on stderr: its own line ({@link #line}) on the CLI's one progress bar. */
    static final class DownloadBar implements DownloadListener {
        private final PrintWriter err;
        private final ProgressBar bar;
        private final boolean quiet;

        DownloadBar(PrintWriter err, boolean quiet) {
            this.err = err;
            this.bar = ProgressBar.lines(err);
            this.quiet = quiet;
        }

        @Override
        public void onProgress(DownloadProgress p) {
            if (!quiet) bar.draw(line(p), p.done());
        }

        @Override
        public void onMessage(String message) {
            bar.end();
            err.println(message);
            err.flush();
        }

        void finish() {
            bar.end();
        }

        /** {@code NAME [####....]  42% 1.20 MiB / 2.86 MiB  512 KiB/s  ETA 0:03}. */
        static String line(DownloadProgress p) {
            double f = p.fraction();
            StringBuilder b = new StringBuilder(p.name()).append(' ').append(ProgressBar.bar(f)).append(' ');
            if (f >= 0) b.append(String.format(Locale.ROOT, "%3.0f%% ", f * 100));
            b.append(DownloadProgress.bytes(p.bytes())).append(" / ").append(DownloadProgress.bytes(p.total()))
                    .append("  ").append(DownloadProgress.bytes((long) p.bytesPerSecond())).append("/s")
                    .append("  ETA ").append(DownloadProgress.duration(p.etaSeconds()));
            return b.toString();
        }
    }
}
