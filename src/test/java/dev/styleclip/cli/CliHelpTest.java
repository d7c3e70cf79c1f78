package dev.styleclip.cli;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every command and sub-command answers {@code --help} with its usage and exit code 0 (nothing runs). */
class CliHelpTest {

    @TestFactory
    List<DynamicTest> everyCommandHasHelp() {
        List<DynamicTest> tests = new ArrayList<>();
        collect(new CommandLine(new Cli()), new ArrayList<>(), tests);
        assertTrue(tests.size() > 20, "found only " + tests.size() + " commands");
        return tests;
    }

    private static void collect(CommandLine cmd, List<String> path, List<DynamicTest> out) {
        for (var e : cmd.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            List<String> p = new ArrayList<>(path);
            p.add(e.getKey());
            List<String> args = new ArrayList<>(p);
            args.add("--help");
            out.add(DynamicTest.dynamicTest(String.join(" ", p), () -> {
                CliRun r = CliRun.run(args.toArray(String[]::new));
                assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: styleclip " + String.join(" ", p)), r.out());
            }));
            collect(e.getValue(), p, out);
        }
    }
}
