package dev.styleclip.edit;

import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.SynthesisPlan;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.MemoryBudget;
import dev.styleclip.runtime.NativeAllocator;
import dev.styleclip.runtime.ProcessMemory;

import java.util.List;
import java.util.Locale;

/**
 * The memory plan of a job, made before it runs: from the generator's architecture, the batch and the method it
 * estimates the peak on the job's device for each {@link SynthesisPlan} from the fastest to the most frugal, and takes
 * the first that fits the {@link MemoryBudget}. When none fits, the job is refused with one line that names the need
 * and the budget ({@link NotEnoughMemoryException}), so nothing is killed midway.
 *
 * <p>On the CPU the estimate is the whole process's resident peak: what it holds when the job plans (JVM, libtorch, the
 * networks already loaded), the working memory of the generator under the plan and of the other networks of the
 * method, and a margin for the allocator. Memory an earlier job freed but the allocator kept is counted as held, so a
 * long-lived process errs on the safe side. On a GPU it is the working memory alone (the parameters are already on the
 * device, and the budget is what is free there).
 */
public final class MemoryPlanner {
    private static final long MIB = 1L << 20;
    /**
     * Beyond this much working memory a recorded graph is slower on the CPU than recomputing each layer (it is
     * written once and read back from main memory, page-faulted in anew): measured forward + backward, StyleGAN3-T,
     * 2 threads — 256²: recorded 4.1 GB 9.6 s vs recomputed 13 s; 512²: 10.6 GB 14.5 s vs 20.7 s; 1024²: 17.8 GB
     * 49.9 s vs 2.8 GB 38.9 s.
     */
    static final long RECORDED_LIMIT = 12L << 30;

    /** What a job does with the generator, per step. */
    public enum Task {
        GENERATE("generation", false),
        GENERATOR_BACKWARD("generator forward + backward", true),
        EDIT_STEP("latent optimisation", true),
        PROJECTION_STEP("projection", true),
        ENCODER_INVERSION("encoder inversion", false),
        MAPPER_STEP("mapper training", true),
        PTI_STEP("pivotal tuning", true),
        DIRECTIONS("global-direction preparation", false);

        private final String label;
        private final boolean backward;

        Task(String label, boolean backward) {
            this.label = label;
            this.backward = backward;
        }

        public String label() {
            return label;
        }

        /** Whether a step differentiates through the generator. */
        public boolean backward() {
            return backward;
        }
    }

    /** The plan chosen for a job and its estimate. */
    public record Plan(Task task, int batch, SynthesisPlan synthesis, long peakBytes, MemoryBudget budget) {
        /** "≈ 3.2 GiB of a 19.8 GiB budget, plain". */
        public String summary() {
            return "needs about " + MemoryBudget.format(peakBytes) + " of " + MemoryBudget.format(budget.bytes())
                    + (budget.gpu() ? " GPU memory" : "") + "; " + synthesis.describe();
        }
    }

    private MemoryPlanner() {
    }

    /**
     * Chooses the least recomputation that fits.
     *
     * @param others the other networks a step runs (CLIP, identity, LPIPS, encoder …), with their working memory
     * @throws NotEnoughMemoryException when even the most frugal plan does not fit
     */
    public static Plan plan(Task task, int batch, StyleGan3Generator g, List<? extends MemoryFootprint> others,
                            MemoryBudget budget) throws NotEnoughMemoryException {
        if (batch < 1) throw new IllegalArgumentException("batch must be >= 1");
        List<SynthesisPlan> ladder = SynthesisPlan.ladder(task.backward());
        long last = 0;
        for (SynthesisPlan p : ladder) {
            // on the CPU a recorded graph of more than RECORDED_LIMIT is slower than recomputing: skip it even if it fits
            if (task.backward() && !p.recompute() && !budget.gpu()
                    && generatorWorking(task, batch, g, p) > RECORDED_LIMIT) continue;
            last = estimate(task, batch, g, others, p, budget.gpu());
            if (last <= budget.bytes()) return new Plan(task, batch, p, last, budget);
        }
        throw new NotEnoughMemoryException(String.format(Locale.ROOT,
                "%s with the %dx%d generator%s needs about %s even with the most frugal plan (%s), but the memory budget is %s: "
                        + "close other programs, use a smaller batch or generator, or raise --memory-budget",
                task.label(), g.resolution(), g.resolution(), batch > 1 ? " at batch " + batch : "",
                MemoryBudget.format(last), ladder.get(ladder.size() - 1).describe(), budget.describe()));
    }

    /**
     * {@link #plan(Task, int, StyleGan3Generator, List, MemoryBudget)} against the job's budget, unless the job's
     * context forces a plan (benchmarks, tests): then that plan, with its estimate.
     */
    public static Plan plan(JobContext ctx, Task task, int batch, StyleGan3Generator g, List<? extends MemoryFootprint> others)
            throws NotEnoughMemoryException {
        MemoryBudget budget = ctx.memoryBudget();
        SynthesisPlan forced = ctx.forcedPlan();
        if (forced != null) return new Plan(task, batch, forced, estimate(task, batch, g, others, forced, budget.gpu()), budget);
        return plan(task, batch, g, others, budget);
    }

    /** The generator's options for rendering one image in a job (a forward under the job's budget). */
    public static StyleGan3Generator.Options renderOptions(JobContext ctx, StyleGan3Generator g) throws NotEnoughMemoryException {
        return StyleGan3Generator.Options.with(plan(ctx, Task.GENERATE, 1, g, List.of()).synthesis());
    }

    /**
     * For a job that may split its batch (each piece its own synthesis batch): the whole batch with the least
     * recomputation that fits, else the largest piece that fits — halving — down to one image.
     */
    public static Plan planSplittable(JobContext ctx, Task task, int batch, StyleGan3Generator g,
                                      List<? extends MemoryFootprint> others) throws NotEnoughMemoryException {
        NotEnoughMemoryException last = null;
        for (int b = batch; ; b = (b + 1) / 2) {
            try {
                return plan(ctx, task, b, g, others);
            } catch (NotEnoughMemoryException e) {
                if (last == null) last = e;
                if (b == 1) throw last;
            }
        }
    }

    /** The estimated peak of a task under a given synthesis plan (see the class comment). */
    public static long estimate(Task task, int batch, StyleGan3Generator g, List<? extends MemoryFootprint> others,
                                SynthesisPlan plan, boolean gpu) {
        long working = generatorWorking(task, batch, g, plan);
        for (MemoryFootprint f : others) working += f.workingBytes(batch, task.backward());
        // libtorch's own buffers and the allocator's slack: an eighth of the working memory; an allocator that keeps
        // freed pages (tcmalloc, jemalloc: the launchers' choice for speed) also keeps holes that later, differently
        // sized tensors cannot use — measured up to a quarter more at 1024²
        long slack = working / 8 + 192 * MIB;
        if (!gpu && RetainingAllocator.YES) slack += working / 4;
        if (gpu) return working + slack;
        return Math.max(0, ProcessMemory.rss()) + working + slack;
    }

    /** Whether this process allocates through tcmalloc or jemalloc (fixed for its lifetime; looked up once). */
    private static final class RetainingAllocator {
        static final boolean YES = !NativeAllocator.inUse().equals("glibc") && !NativeAllocator.inUse().equals("system");
    }

    private static long generatorWorking(Task task, int batch, StyleGan3Generator g, SynthesisPlan plan) {
        long image = (long) batch * g.imgChannels() * g.resolution() * g.resolution() * (g.dataType().getNumOfBytes());
        return switch (task) {
            case GENERATE, ENCODER_INVERSION, DIRECTIONS -> g.memory(batch, plan, false) + image;
            case GENERATOR_BACKWARD -> g.memory(batch, plan, true) + 2 * image;
            // the image, its gradient and the loss networks' input live next to the generator's own memory
            case EDIT_STEP, PROJECTION_STEP -> g.memory(batch, plan, true) + 3 * image;
            // the unedited images of the batch are made first and kept for the losses
            case MAPPER_STEP -> Math.max(g.memory(batch, plan, false), g.memory(batch, plan, true)) + 4 * image;
            // an edit step's memory, the regulariser's image from the original generator, and the tuned copy of the
            // synthesis weights with their gradients and Adam's two moments
            case PTI_STEP -> g.memory(batch, plan, true) + 4 * image + 4 * g.tunableCount() * g.dataType().getNumOfBytes();
        };
    }
}
