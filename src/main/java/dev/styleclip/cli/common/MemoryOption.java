package dev.styleclip.cli.common;

import ai.djl.Device;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.MemoryBudget;
import picocli.CommandLine.Option;

/** {@code --memory-budget SIZE} of every command that runs a job on the generator (a picocli mixin). */
public final class MemoryOption {
    @Option(names = "--memory-budget", paramLabel = "SIZE", description = "memory the job may use, e.g. 6G or 900M "
            + "(default: a safe share of what is free); it picks the fastest plan that fits and refuses up front when none does")
    String budget;

    /** The user's budget in bytes, or 0 for the automatic one (what a compute service takes). */
    public long bytes() {
        return budget == null ? 0 : MemoryBudget.parseSize(budget);
    }

    /** Gives {@code service} the user's budget (automatic without one), named as this option in messages. */
    public void applyTo(ComputeService service) {
        service.setMemoryBudget(bytes(), "--memory-budget");
    }

    /** The user's budget for a device, or the automatic one. */
    public MemoryBudget budget(Device device) {
        return budget == null ? MemoryBudget.auto(device) : MemoryBudget.parse(budget, device);
    }
}
