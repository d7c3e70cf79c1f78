package dev.styleclip.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which C allocator serves libtorch's tensors, and how to start the app with a better one.
 *
 * <p>libtorch's CPU allocator asks {@code malloc} for every result tensor and frees it when the DJL array closes. With
 * glibc, every block above its mmap threshold (≤ 32 MB) is a fresh {@code mmap}, returned with {@code munmap}: each
 * large intermediate is page-faulted in again, step after step (on a VM a 4 KB fault costs microseconds, and a
 * StyleGAN3 step allocates gigabytes). tcmalloc (with {@code TCMALLOC_RELEASE_RATE=0}) and jemalloc (with decay
 * off) keep freed pages and hand them out again: on the demo generator at one thread, forward ≈ 6.5–9.2 → 4.8 s and
 * forward+backward ≈ 19.6–26.9 → 14.9 s (docs/stack.md, README "Speed on the CPU"). The process's peak RSS stays about the same; it is simply not
 * returned to the system between steps.
 *
 * <p>An allocator is chosen before the process starts ({@code LD_PRELOAD}): the {@code ./styleclip} launcher does it
 * in bash; the packaged app (whose native launcher cannot set the environment) restarts itself once through
 * {@link #relaunchIfUseful}. {@code STYLECLIP_MALLOC=system} keeps glibc; {@code tcmalloc} / {@code jemalloc} insist
 * on one; {@code auto} (default) takes tcmalloc, else jemalloc, else glibc.
 */
public final class NativeAllocator {
    /** Environment variable choosing the allocator: auto (default), tcmalloc, jemalloc, system. */
    public static final String CHOICE_ENV = "STYLECLIP_MALLOC";
    /** Set in a relaunched child so that it never relaunches again. */
    public static final String RELAUNCHED_ENV = "STYLECLIP_RELAUNCHED";

    private static final String[] LIB_DIRS = {"/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu",
            "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib", "/opt/homebrew/lib"};
    private static final String[][] LIBS = {
            {"tcmalloc", "libtcmalloc_minimal.so.4"}, {"tcmalloc", "libtcmalloc.so.4"}, {"jemalloc", "libjemalloc.so.2"}};

    private NativeAllocator() {
    }

    /**
     * The allocator this process runs on: "tcmalloc" or "jemalloc" when one is mapped into it, "glibc" on other
     * Linux processes, "system" elsewhere.
     */
    public static String inUse() {
        Path maps = Paths.get("/proc/self/maps");
        if (!Files.isReadable(maps)) return "system";
        try (var lines = Files.lines(maps)) {
            var found = lines.map(l -> l.contains("libtcmalloc") ? "tcmalloc" : l.contains("libjemalloc") ? "jemalloc" : null)
                    .filter(s -> s != null).findFirst();
            return found.orElse("glibc");
        } catch (IOException | RuntimeException e) {
            return "system";
        }
    }

    /** An installed tcmalloc or jemalloc library (kind, path) that the given choice allows, if any. */
    public static Optional<Map.Entry<String, Path>> find(String choice) {
        String c = choice == null || choice.isBlank() ? "auto" : choice.trim().toLowerCase(Locale.ROOT);
        if (c.equals("system") || c.equals("glibc")) return Optional.empty();
        for (String[] lib : LIBS) {
            if (!c.equals("auto") && !c.equals(lib[0])) continue;
            for (String dir : LIB_DIRS) {
                Path p = Paths.get(dir, lib[1]);
                if (Files.isRegularFile(p)) return Optional.of(Map.entry(lib[0], p));
            }
        }
        return Optional.empty();
    }

    /**
     * The environment that makes a new process use {@code lib}: LD_PRELOAD (in front of any existing entries) and the
     * allocator's keep-freed-pages settings, unless the user already set them.
     */
    public static Map<String, String> environment(String kind, Path lib, Map<String, String> current) {
        Map<String, String> env = new LinkedHashMap<>();
        String pre = current.getOrDefault("LD_PRELOAD", "");
        env.put("LD_PRELOAD", pre.isBlank() ? lib.toString() : lib + ":" + pre);
        if (kind.equals("tcmalloc")) {
            env.put("TCMALLOC_RELEASE_RATE", current.getOrDefault("TCMALLOC_RELEASE_RATE", "0"));
            // tcmalloc reports every allocation above 1 GB on stderr by default; tensors that big are normal here
            env.put("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD",
                    current.getOrDefault("TCMALLOC_LARGE_ALLOC_REPORT_THRESHOLD", "1099511627776"));
        } else {
            env.put("MALLOC_CONF", current.getOrDefault("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1"));
        }
        env.put("THP_MEM_ALLOC_ENABLE", current.getOrDefault("THP_MEM_ALLOC_ENABLE", "1"));
        return env;
    }

    /**
     * For the packaged app on Linux: when this process runs on glibc's allocator, tcmalloc or jemalloc is installed
     * and {@value #CHOICE_ENV} allows it, starts the same launcher with the same arguments on that allocator, waits
     * for it and returns its exit code. Returns empty (go on in this process) when nothing better is available, the
     * process was already relaunched, or the restart fails.
     */
    public static Optional<Integer> relaunchIfUseful(String[] args) {
        Map<String, String> current = System.getenv();
        if (current.containsKey(RELAUNCHED_ENV) || !inUse().equals("glibc")) return Optional.empty();
        String launcher = System.getProperty("jpackage.app-path");
        if (launcher == null || !Files.isExecutable(Paths.get(launcher))) return Optional.empty();
        Optional<Map.Entry<String, Path>> lib = find(current.get(CHOICE_ENV));
        if (lib.isEmpty()) return Optional.empty();
        List<String> cmd = new ArrayList<>();
        cmd.add(launcher);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().putAll(environment(lib.get().getKey(), lib.get().getValue(), current));
        pb.environment().put(RELAUNCHED_ENV, "1");
        // jpackage's launcher marks its own process (_JPACKAGE_LAUNCHER); a child that inherits the mark acts as a plain
        // java launcher (`--version` would print Java's version), so the restart must start clean
        pb.environment().keySet().removeIf(k -> k.startsWith("_JPACKAGE"));
        try {
            Process p = pb.start();
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroy));
            return Optional.of(p.waitFor());
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(130);
        }
    }
}
