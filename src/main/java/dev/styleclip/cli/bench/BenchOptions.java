package dev.styleclip.cli.bench;

import ai.djl.pytorch.jni.JniUtils;
import dev.styleclip.runtime.Engines;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The options every {@code bench} command shares, with one meaning each: how many timed repetitions, how many untimed
 * ones first, the engine's intra-op threads (libtorch's choice unless given), JSON instead of a table. The defaults of
 * {@code --iters} and {@code --warmup} are each benchmark's (a repetition is an image, a step or a photo): its
 * {@link Defaults} annotation is their one source, read by picocli through this mixin's {@link FromCommand} provider,
 * so the value a benchmark uses is the one its {@code --help} prints.
 */
@Command(defaultValueProvider = BenchOptions.FromCommand.class)
public final class BenchOptions {
    private static final String ITERS = "--iters";
    private static final String WARMUP = "--warmup";

    /** A benchmark command's defaults for {@code --iters} and {@code --warmup}; every command with this mixin has one. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Defaults {
        /** Timed repetitions. */
        int iters();

        /** Untimed repetitions before them. */
        int warmup();
    }

    /** Gives {@code --iters} and {@code --warmup} the {@link Defaults} of the command they belong to. */
    public static final class FromCommand implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec o) || arg.command() == null) return null;
            String name = o.longestName();
            if (!name.equals(ITERS) && !name.equals(WARMUP)) return null;
            Defaults d = defaultsOf(arg.command());
            return String.valueOf(name.equals(ITERS) ? d.iters() : d.warmup());
        }
    }

    /** The defaults a benchmark command declares (a command without them is a programming error). */
    static Defaults defaultsOf(CommandSpec command) {
        Object user = command.userObject();
        Defaults d = user == null ? null : user.getClass().getAnnotation(Defaults.class);
        if (d == null) {
            throw new IllegalStateException("bench command '" + command.name() + "' has no @BenchOptions.Defaults");
        }
        return d;
    }

    @Option(names = ITERS, paramLabel = "N", description = "timed repetitions (default: ${DEFAULT-VALUE})")
    int iters;

    @Option(names = WARMUP, paramLabel = "N", description = "untimed repetitions first (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", paramLabel = "N", description = "intra-op threads (default: libtorch's choice, one per core)")
    Integer threads;

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    /** Checks the options and sets the engine's threads before it starts; call first. */
    public BenchOptions apply() {
        if (iters() < 1) throw new IllegalArgumentException("--iters must be at least 1");
        if (warmup() < 0) throw new IllegalArgumentException("--warmup must be 0 or more");
        if (threads != null) {
            if (threads < 1) throw new IllegalArgumentException("--threads must be at least 1");
            // read when the engine starts (its thread pools); useThreads sets it again on the computing thread
            System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads));
        }
        return this;
    }

    /**
     * Starts the engine and gives it {@code --threads} intra-op threads; call on the thread that computes (OpenMP keeps
     * the count per calling thread).
     */
    public void useThreads() {
        Engines.pytorch();
        if (threads != null) JniUtils.setNumThreads(threads);
    }

    /** {@code --iters}, else the benchmark's default. */
    public int iters() {
        return iters;
    }

    /** {@code --warmup}, else the benchmark's default. */
    public int warmup() {
        return warmup;
    }

    /** The intra-op threads the engine runs with now, on the calling thread. */
    public int threads() {
        return JniUtils.getNumThreads();
    }

    public boolean json() {
        return json;
    }
}
