package dev.styleclip.cli.bench;

import ai.djl.Device;
import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.PlanOption;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.NotEnoughMemoryException;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.runtime.MemoryBudget;
import dev.styleclip.runtime.SynthesisPlan;
import picocli.CommandLine.Mixin;

import java.util.List;

/**
 * The generator a benchmark runs and how (a picocli mixin of {@code bench generator}, {@code invert} and {@code mapper}):
 * {@code --generator}/{@code --demo}, {@code --memory-budget} and {@code --plan}, which always come together there.
 */
public final class BenchGeneratorOptions {
    @Mixin
    GeneratorOption generator;

    @Mixin
    MemoryOption memory;

    @Mixin
    PlanOption plan;

    /** The generator chosen (bad combinations and missing files are bad input). */
    public GeneratorSource source() {
        return generator.explicitOrDemo(); // benchmarks measure what they are told: never the models folder
    }

    /** The plan {@code --plan} forces, or null for the planner's; a bad {@code --plan} is refused (call before loading). */
    public SynthesisPlan forcedPlan() {
        return plan.forced();
    }

    /** The user's {@code --memory-budget} in bytes, or 0 for the automatic one. */
    public long budgetBytes() {
        return memory.bytes();
    }

    /** The user's {@code --memory-budget} on a device, or the automatic one. */
    public MemoryBudget budget(Device device) {
        return memory.budget(device);
    }

    /** The plan for a task: the forced one with its estimate, or the planner's within {@code --memory-budget}. */
    public MemoryPlanner.Plan choose(MemoryPlanner.Task task, int batch, StyleGan3Generator g, List<? extends MemoryFootprint> others,
                                     Device device) throws NotEnoughMemoryException {
        return plan.choose(task, batch, g, others, memory, device);
    }
}
