package dev.styleclip.cli.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./styleclip bench <what>}: speed and memory measurements printed as a table (or JSON). */
@Command(name = "bench", description = "Measure speed and memory of the networks and jobs.",
        subcommands = {
            BenchLossesCommand.class,
            BenchFacesCommand.class,
            BenchClipCommand.class,
            BenchGeneratorCommand.class,
            BenchMapperCommand.class,
            BenchInvertCommand.class,
            BenchEditCommand.class,
            CommandLine.HelpCommand.class})
public final class BenchCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to measure: " + spec.subcommands().keySet());
    }
}
