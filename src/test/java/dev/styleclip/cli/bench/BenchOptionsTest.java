package dev.styleclip.cli.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.cli.Cli;
import dev.styleclip.cli.CliRun;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code bench} command prints its own {@code --iters}/{@code --warmup} defaults in its help, and they are the
 * values it runs with when the options are left out.
 */
class BenchOptionsTest {

    /** The documented defaults (README, issue 19): what one repetition is differs per benchmark. */
    private static final Map<String, int[]> DEFAULTS = new TreeMap<>(Map.of(
            "generator", new int[]{5, 1}, "mapper", new int[]{3, 1}, "clip", new int[]{10, 2}, "losses", new int[]{10, 2},
            "edit", new int[]{2000, 3}, "invert", new int[]{5, 1}, "faces", new int[]{5, 1}));

    private static int printedDefault(String help, String option) {
        Matcher m = Pattern.compile(Pattern.quote(option) + "=N\\s+[^\\n]*\\(default: (\\d+)\\)").matcher(help);
        assertTrue(m.find(), option + " with its default in:\n" + help);
        return Integer.parseInt(m.group(1));
    }

    /** The {@link BenchOptions} a command line parses to, as the command would run with them. */
    private static BenchOptions parsed(String... args) {
        CommandLine cl = new CommandLine(new Cli());
        List<CommandLine> chain = cl.parseArgs(args).asCommandLineList();
        CommandSpec bench = chain.get(chain.size() - 1).getCommandSpec();
        for (CommandSpec mixin : bench.mixins().values()) {
            if (mixin.userObject() instanceof BenchOptions o) return o;
        }
        throw new AssertionError(bench.name() + " has no BenchOptions");
    }

    @Test
    void everyBenchPrintsTheDefaultsItUses() {
        List<String> names = new ArrayList<>(new CommandLine(new Cli()).getSubcommands().get("bench").getSubcommands().keySet());
        names.remove("help");
        assertEquals(DEFAULTS.keySet(), new java.util.TreeSet<>(names), "a new bench needs its documented defaults here");
        for (String name : names) {
            CliRun help = CliRun.run("bench", name, "--help");
            assertEquals(0, help.code(), help.err());
            int iters = printedDefault(help.out(), "--iters");
            int warmup = printedDefault(help.out(), "--warmup");
            List<String> args = new ArrayList<>(List.of("bench", name));
            if (name.equals("faces")) args.addAll(List.of("--photos", "x")); // its one required option
            BenchOptions o = parsed(args.toArray(String[]::new));
            assertEquals(iters, o.iters(), name + " --iters");
            assertEquals(warmup, o.warmup(), name + " --warmup");
            assertEquals(DEFAULTS.get(name)[0], iters, name + " --iters");
            assertEquals(DEFAULTS.get(name)[1], warmup, name + " --warmup");
            args.addAll(List.of("--iters", "7"));
            assertEquals(7, parsed(args.toArray(String[]::new)).iters(), name + " --iters 7");
        }
    }

    @Test
    void aBenchRunWithoutTheOptionsRunsItsPrintedDefaults() throws Exception {
        int iters = printedDefault(CliRun.run("bench", "generator", "--help").out(), "--iters");
        String id = Golden.manifest("stylegan3").path("models").get(0).path("id").asText();
        String gen = Golden.set("readers").resolve("stylegan3-" + id + ".G_ema.safetensors").toString();
        CliRun r = CliRun.run("bench", "generator", "--generator", gen, "--only", "forward", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode n = new ObjectMapper().readTree(r.out());
        assertNotNull(n.get("iters"), r.out());
        assertEquals(iters, n.get("iters").asInt());
    }

    @Test
    void aCommandWithoutDefaultsIsAProgrammingError() {
        @CommandLine.Command(name = "nodefaults")
        class NoDefaults implements Runnable {
            @CommandLine.Mixin
            BenchOptions opts;

            @Override
            public void run() {
            }
        }
        // picocli wraps what the default provider throws; the cause names the command
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(CommandLine.ParameterException.class,
                () -> new CommandLine(new NoDefaults()).parseArgs());
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        assertTrue(e.getCause().getMessage().contains("nodefaults"), e.getCause().getMessage());
    }
}
