package dev.styleclip.edit;

import ai.djl.ndarray.NDManager;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.SynthesisPlan;
import dev.styleclip.runtime.Engines;
import dev.styleclip.runtime.MemoryBudget;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory planner on the published 1024² architectures (random weights): estimates follow the plans, the fastest
 * plan that fits is chosen, and a budget nothing fits is refused with a message naming the need and the budget.
 */
class MemoryPlannerTest {
    private static final long MIB = 1L << 20, GIB = 1L << 30;
    private static NDManager manager;
    private static StyleGan3Generator r1024;

    @BeforeAll
    static void load() throws Exception {
        Engines.pytorch();
        manager = NDManager.newBaseManager();
        r1024 = DemoNetworks.generator("stylegan3-r-1024", manager);
    }

    @AfterAll
    static void close() {
        r1024.close();
        manager.close();
    }

    @Test
    void theWorkingMemoryFollowsThePlans() {
        long plain = r1024.memory(1, SynthesisPlan.PLAIN, false);
        long chunked = r1024.memory(1, SynthesisPlan.DEFAULT, false);
        long small = r1024.memory(1, new SynthesisPlan(false, 16 * MIB), false);
        assertTrue(plain > 3 * chunked, "whole 1024² layers hold their up-sampled stages: " + plain + " vs " + chunked);
        assertTrue(chunked >= small, chunked + " vs " + small);
        // the 1024² layers' input, convolution output and output alone are over a gigabyte: pieces cannot go below that
        assertTrue(small > GIB && small < 2 * GIB, "R-1024 forward in 16 MiB pieces: " + small);
        long recorded = r1024.memory(1, SynthesisPlan.DEFAULT, true);
        long recomputed = r1024.memory(1, new SynthesisPlan(true, 16 * MIB), true);
        assertTrue(recorded > 4 * recomputed, "a recorded graph keeps every layer: " + recorded + " vs " + recomputed);
        assertTrue(recomputed < 6 * GIB, "R-1024 forward + backward recomputed: " + recomputed);
        assertTrue(r1024.memory(2, new SynthesisPlan(true, 16 * MIB), true) > recomputed, "a batch of two needs more");
    }

    @Test
    void theFastestPlanThatFitsIsChosen() throws Exception {
        // a forward: the fastest plan whenever it fits
        List<SynthesisPlan> forward = SynthesisPlan.ladder(false);
        assertEquals(SynthesisPlan.DEFAULT, forward.get(0), "the fastest first");
        MemoryPlanner.Task gen = MemoryPlanner.Task.GENERATE;
        // (an estimate counts what the process holds now, which moves a little between two calls: a margin)
        long roomy = MemoryPlanner.estimate(gen, 1, r1024, List.of(), forward.get(0), false) + 64 * MIB;
        assertEquals(SynthesisPlan.DEFAULT, MemoryPlanner.plan(gen, 1, r1024, List.of(), budget(roomy)).synthesis());

        // a forward + backward at 1024²: a recorded graph would be slower than recomputing on the CPU, however much
        // memory there is; a tight budget takes smaller pieces
        List<SynthesisPlan> ladder = SynthesisPlan.ladder(true);
        MemoryPlanner.Task task = MemoryPlanner.Task.GENERATOR_BACKWARD;
        MemoryPlanner.Plan p = MemoryPlanner.plan(task, 1, r1024, List.of(), budget(1L << 50));
        assertEquals(ladder.get(1), p.synthesis(), p.summary());
        assertTrue(p.synthesis().recompute());
        long last = MemoryPlanner.estimate(task, 1, r1024, List.of(), ladder.get(ladder.size() - 1), false) + 64 * MIB;
        MemoryPlanner.Plan tight = MemoryPlanner.plan(task, 1, r1024, List.of(), budget(last));
        assertTrue(tight.synthesis().recompute(), "a tight budget recomputes: " + tight.synthesis().describe());
        assertTrue(tight.synthesis().chunkBytes() < SynthesisPlan.DEFAULT.chunkBytes(), tight.summary());
        assertTrue(tight.peakBytes() <= last, tight.summary());
        assertTrue(tight.summary().startsWith("needs about "), tight.summary());
    }

    private static MemoryBudget budget(long bytes) {
        return new MemoryBudget(bytes, false, "test");
    }

    @Test
    void nothingFitsIsRefusedWithTheNeedAndTheBudget() {
        NotEnoughMemoryException e = assertThrows(NotEnoughMemoryException.class, () -> MemoryPlanner.plan(
                MemoryPlanner.Task.EDIT_STEP, 1, r1024, List.of(), new MemoryBudget(512 * MIB, false, "--memory-budget")));
        String m = e.getMessage();
        assertTrue(m.startsWith("latent optimisation with the 1024x1024 generator needs about "), m);
        assertTrue(m.contains("the memory budget is 512 MiB (--memory-budget)"), m);
        assertTrue(!m.contains("\n"), "one line");
    }

    @Test
    void budgetsParseAndPrint() {
        assertEquals(6 * GIB, MemoryBudget.parseSize("6G"));
        assertEquals(6 * GIB, MemoryBudget.parseSize("6 GiB"));
        assertEquals(900 * MIB, MemoryBudget.parseSize("900M"));
        assertEquals(1536 * MIB, MemoryBudget.parseSize("1.5g"));
        assertEquals(4096, MemoryBudget.parseSize("4096"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseSize("lots"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseSize("-3G"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudget.parseSize("0"));
        assertEquals("3.2 GiB", MemoryBudget.format((long) (3.2 * GIB)));
        assertEquals("850 MiB", MemoryBudget.format(850 * MIB));
        assertTrue(MemoryBudget.auto(manager.getDevice()).bytes() > 0);
    }
}
