package dev.styleclip.cli;

import dev.styleclip.cli.bench.BenchCommand;
import dev.styleclip.AppInfo;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The headless command line: {@code ./styleclip <command> ...}. */
@Command(name = "styleclip", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = Cli.Version.class,
        description = "StyleCLIP Studio: text-driven face editing with StyleGAN3 and CLIP.%nRun without arguments to open the studio.",
        subcommands = {
            InspectCommand.class,
            CompareCommand.class,
            AlignCommand.class,
            PasteBackCommand.class,
            BenchCommand.class,
            ScoreCommand.class,
            ModelsCommand.class,
            GenerateCommand.class,
            TrainMapperCommand.class,
            ApplyMapperCommand.class,
            ApplyRecipeCommand.class,
            DirectionsCommand.class,
            EditCommand.class,
            SweepCommand.class,
            InvertCommand.class,
            VideoInfoCommand.class,
            TuneCommand.class,
            CommandLine.HelpCommand.class})
public final class Cli {

    /**
     * Library log lines (DJL, libtorch) go to stderr only with this flag. Declared here so every command accepts it;
     * it acts through {@link #quietLogsUnlessVerbose}, before parsing, because logging is configured at its first use.
     */
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "also print the libraries' log lines (engine, threads, GPU detection)")
    boolean verbose;

    /** Exit code for bad input (bad file, bad arguments): a one-line message on stderr. */
    public static final int EXIT_BAD_INPUT = 2;

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{AppInfo.NAME + " " + AppInfo.version()};
        }
    }

    /** Runs the CLI with the process's standard streams and returns the exit code. */
    public static int run(String... args) {
        return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs the CLI writing to the given streams (tests use this). */
    public static int run(PrintWriter out, PrintWriter stderr, String... args) {
        CommandLine cl = new CommandLine(new Cli());
        Numbers.register(cl);
        TerminalLine err = new TerminalLine(stderr);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.freshLine().println("error: " + oneLine(ex));
            return EXIT_BAD_INPUT;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.freshLine().println("error: " + oneLine(ex));
            return EXIT_BAD_INPUT;
        });
        int code;
        try {
            code = cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands on Errors; the limits up front should make this unreachable, but never show a trace
            err.freshLine().println("error: out of memory (the Java heap limit is "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB; set STYLECLIP_JAVA_OPTS=-Xmx… for more)");
            code = EXIT_BAD_INPUT;
        } catch (StackOverflowError e) {
            err.freshLine().println("error: the input is nested too deeply to process");
            code = EXIT_BAD_INPUT;
        }
        out.flush();
        err.flush();
        return code;
    }

    /**
     * A one-line message for an exception. Line breaks become spaces; every other control character (a file name may
     * carry terminal escape sequences) is shown as {@code \\uXXXX} instead of reaching the terminal.
     */
    public static String oneLine(Throwable t) {
        String m = t.getMessage();
        return printable(m == null || m.isBlank() ? t.getClass().getSimpleName() : m);
    }

    /**
     * Text from outside (a message, a name read from a file) made safe for a terminal line: line breaks and tabs become
     * spaces, every other control or format character (escape sequences, bidi overrides) is shown as {@code \\uXXXX}.
     */
    public static String printable(String m) {
        StringBuilder sb = new StringBuilder(m.length());
        m.codePoints().forEach(c -> {
            if (c == '\n' || c == '\r' || c == '\t') sb.append(' ');
            else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029 || Character.getType(c) == Character.FORMAT) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", c));
            } else sb.appendCodePoint(c);
        });
        return sb.toString();
    }

    /**
     * Before anything logs: library log lines (slf4j-simple, read once at its first use) are turned off for a command
     * unless it has {@code --verbose} or the user set a level; the studio keeps them.
     */
    public static void quietLogsUnlessVerbose(String... args) {
        String key = "org.slf4j.simpleLogger.defaultLogLevel";
        if (System.getProperty(key) != null) return;
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        System.setProperty(key, verbose ? "info" : "off");
    }
}
