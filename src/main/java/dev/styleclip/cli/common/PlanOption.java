package dev.styleclip.cli.common;

import ai.djl.Device;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.NotEnoughMemoryException;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.SynthesisPlan;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.runtime.MemoryBudget;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;

/**
 * {@code --plan} of the benchmarks (a picocli mixin): the planner's choice within the command's {@code --memory-budget},
 * or a plan forced to measure it (plain, recompute, chunks:SIZE, recompute+chunks:SIZE).
 */
public final class PlanOption {
    @Option(names = "--plan", paramLabel = "PLAN", defaultValue = "auto", description = {
            "memory plan: auto (default: the fastest that fits the budget), plain, recompute, chunks:SIZE or",
            "recompute+chunks:SIZE (SIZE: the most one chunk of channels may take, e.g. 64M)"})
    String plan;

    /** The plan given, or null for auto. */
    public SynthesisPlan forced() {
        String p = plan == null ? "auto" : plan.trim().toLowerCase(Locale.ROOT);
        if (p.equals("auto")) return null;
        boolean recompute = p.startsWith("recompute");
        String rest = recompute ? p.substring("recompute".length()) : p;
        if (rest.startsWith("+") || rest.startsWith(",")) rest = rest.substring(1);
        if (rest.isEmpty() || rest.equals("plain")) return new SynthesisPlan(recompute, 0);
        if (!rest.startsWith("chunks:")) {
            throw new IllegalArgumentException("--plan " + plan + ": use auto, plain, recompute, chunks:SIZE or recompute+chunks:SIZE");
        }
        return new SynthesisPlan(recompute, MemoryBudget.parseSize(rest.substring("chunks:".length())));
    }

    /** The plan for a task: the forced one with its estimate, or the planner's within the budget. */
    public MemoryPlanner.Plan choose(MemoryPlanner.Task task, int batch, StyleGan3Generator g, List<? extends MemoryFootprint> others,
                              MemoryOption memory, Device device) throws NotEnoughMemoryException {
        MemoryBudget budget = memory.budget(device);
        SynthesisPlan f = forced();
        if (f == null) return MemoryPlanner.plan(task, batch, g, others, budget);
        return new MemoryPlanner.Plan(task, batch, f, MemoryPlanner.estimate(task, batch, g, others, f, budget.gpu()), budget);
    }
}
