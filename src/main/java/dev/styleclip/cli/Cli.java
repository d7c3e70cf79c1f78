package dev.styleclip.cli;

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
            CommandLine.HelpCommand.class})
public final class Cli {

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
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Cli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            err.println("error: " + oneLine(ex));
            return EXIT_BAD_INPUT;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + oneLine(ex));
            return EXIT_BAD_INPUT;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A one-line message for an exception. */
    public static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) m = t.getClass().getSimpleName();
        return m.replace('\n', ' ').replace('\r', ' ');
    }
}
