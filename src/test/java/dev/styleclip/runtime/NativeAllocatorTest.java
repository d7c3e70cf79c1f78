package dev.styleclip.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The allocator choice: what a process reports, the environment that switches a new process to tcmalloc, and the
 * packaged app's one-time restart (driven through a real child JVM and a stand-in launcher script). The process tests
 * need tcmalloc installed (`.ci/run` installs libtcmalloc-minimal4).
 */
class NativeAllocatorTest {

    @Test
    void systemChoiceFindsNothingAndTheEnvironmentKeepsUserSettings() {
        assertTrue(NativeAllocator.find("system").isEmpty());
        assertTrue(NativeAllocator.find("glibc").isEmpty());
        Map<String, String> env = NativeAllocator.environment("tcmalloc", Path.of("/x/libtcmalloc_minimal.so.4"),
                Map.of("LD_PRELOAD", "/y/libother.so", "TCMALLOC_RELEASE_RATE", "5"));
        assertEquals("/x/libtcmalloc_minimal.so.4:/y/libother.so", env.get("LD_PRELOAD"));
        assertEquals("5", env.get("TCMALLOC_RELEASE_RATE"), "a user's own setting wins");
        Map<String, String> je = NativeAllocator.environment("jemalloc", Path.of("/x/libjemalloc.so.2"), Map.of());
        assertEquals("/x/libjemalloc.so.2", je.get("LD_PRELOAD"));
        assertEquals("dirty_decay_ms:-1,muzzy_decay_ms:-1", je.get("MALLOC_CONF"));
    }

    @Test
    void aProcessStartedWithTheEnvironmentRunsOnTcmalloc() throws Exception {
        Optional<Map.Entry<String, Path>> lib = NativeAllocator.find("tcmalloc");
        assumeTrue(lib.isPresent(), "tcmalloc is not installed (apt-get install libtcmalloc-minimal4)");
        assertEquals("tcmalloc", lib.get().getKey());
        // this JVM was started without it
        String plain = run(List.of(java(), "-cp", cp(), NativeAllocatorTest.Probe.class.getName()), Map.of());
        assertTrue(plain.contains("allocator=glibc") || plain.contains("allocator=tcmalloc"), plain);
        Map<String, String> env = NativeAllocator.environment("tcmalloc", lib.get().getValue(), System.getenv());
        String out = run(List.of(java(), "-cp", cp(), NativeAllocatorTest.Probe.class.getName()), env);
        assertTrue(out.contains("allocator=tcmalloc"), out);
    }

    @Test
    void thePackagedAppRestartsItselfOnceOnTcmalloc(@TempDir Path dir) throws Exception {
        assumeTrue(NativeAllocator.find("auto").filter(e -> e.getKey().equals("tcmalloc")).isPresent(),
                "tcmalloc is not installed (apt-get install libtcmalloc-minimal4)");
        // a stand-in for jpackage's native launcher: starts the probe with the arguments it gets
        Path launcher = dir.resolve("launcher");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java() + "' -cp '" + cp() + "' '"
                + Probe.class.getName() + "' \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new ArrayList<>(List.of(java(), "-Djpackage.app-path=" + launcher, "-cp", cp(),
                Probe.class.getName(), "--relaunch", "a b", "c"));
        Map<String, String> clean = new java.util.HashMap<>(System.getenv());
        clean.remove("LD_PRELOAD");
        clean.remove(NativeAllocator.RELAUNCHED_ENV);
        clean.remove(NativeAllocator.CHOICE_ENV);
        // the real launcher marks its process; the restarted one must not inherit the mark (it would act as `java`)
        clean.put("_JPACKAGE_LAUNCHER", "marked");
        String out = run(cmd, clean, true);
        assertTrue(out.contains("allocator=tcmalloc relaunched=1 args=[a b, c] marked=null"), out);
        // STYLECLIP_MALLOC=system: no restart
        clean.put(NativeAllocator.CHOICE_ENV, "system");
        String sys = run(cmd, clean, true);
        assertTrue(sys.contains("allocator=glibc relaunched=null args=[a b, c] marked=marked"), sys);
    }

    /** Prints which allocator it runs on; with "--relaunch" first it goes through {@link NativeAllocator#relaunchIfUseful}. */
    public static final class Probe {
        public static void main(String[] args) {
            List<String> rest = new ArrayList<>(List.of(args));
            if (!rest.isEmpty() && rest.get(0).equals("--relaunch")) {
                rest.remove(0);
                Optional<Integer> code = NativeAllocator.relaunchIfUseful(rest.toArray(new String[0]));
                if (code.isPresent()) System.exit(code.get());
            }
            System.out.println("allocator=" + NativeAllocator.inUse() + " relaunched="
                    + System.getenv(NativeAllocator.RELAUNCHED_ENV) + " args=" + rest + " marked="
                    + System.getenv("_JPACKAGE_LAUNCHER"));
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String cp() {
        return System.getProperty("java.class.path");
    }

    private static String run(List<String> cmd, Map<String, String> env) throws Exception {
        return run(cmd, env, false);
    }

    private static String run(List<String> cmd, Map<String, String> env, boolean replace) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (replace) pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child finished");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
