package dev.styleclip.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The single thread that owns DJL and the device. Jobs queue up and run one at a time; each streams {@link Frame}s to
 * its listener (on this thread: listeners must hand frames on quickly). The studio and the CLI share this service.
 */
public final class ComputeService implements AutoCloseable {
    public static final String THREAD_NAME = "styleclip-compute";

    private final ExecutorService executor;
    private final Device device;
    private final ModelCache models = new ModelCache();
    private NDManager root;
    private volatile Thread thread;
    /** The user's memory budget in bytes (0: automatic, a safe share of what is free when a job plans). */
    private volatile long budgetBytes;
    private volatile String budgetOrigin = "the memory budget setting";
    private volatile SynthesisPlan forcedPlan;
    private final java.util.Set<JobHandle<?>> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A service on the device chosen by the {@code styleclip.device} property (auto: CUDA when present, else CPU). */
    public ComputeService() {
        this(System.getProperty("styleclip.device", "auto"));
    }

    public ComputeService(String deviceChoice) {
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        Future<Device> d = executor.submit(() -> {
            Engine engine = Engines.pytorch();
            Device dev = chooseDevice(engine, deviceChoice);
            root = engine.newBaseManager(dev);
            return dev;
        });
        try {
            device = d.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the compute engine", e);
        } catch (ExecutionException e) {
            executor.shutdownNow();
            throw new IllegalStateException("the compute engine (libtorch) could not start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    static Device chooseDevice(Engine engine, String choice) {
        String c = choice == null ? "auto" : choice.toLowerCase(java.util.Locale.ROOT);
        if (c.equals("cpu")) return Device.cpu();
        if (engine.getGpuCount() > 0) return Device.gpu();
        if (c.equals("gpu") || c.equals("cuda")) {
            throw new IllegalStateException("a GPU was requested but none is usable (no CUDA device or CPU-only libtorch)");
        }
        return Device.cpu();
    }

    public Device device() {
        return device;
    }

    /** A short description of the device for status bars and benchmark tables. */
    public String deviceName() {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    /** Sets the memory budget jobs plan against (bytes; 0 or less: automatic). */
    public void setMemoryBudget(long bytes) {
        setMemoryBudget(bytes, "the memory budget setting");
    }

    /**
     * Sets the memory budget and where it came from, which messages name (a command says "--memory-budget", so that a
     * refusal points at the option to change).
     */
    public void setMemoryBudget(long bytes, String origin) {
        this.budgetOrigin = origin;
        this.budgetBytes = Math.max(0, bytes);
    }

    /** Forces a synthesis plan on every job (benchmarks, tests); null: each job plans against the budget. */
    public void forcePlan(SynthesisPlan plan) {
        this.forcedPlan = plan;
    }

    /** The budget jobs plan against now. */
    public MemoryBudget memoryBudget() {
        long b = budgetBytes;
        return b > 0 ? new MemoryBudget(b, device.isGpu(), budgetOrigin) : MemoryBudget.auto(device);
    }

    /** Whether the calling thread is the compute thread. */
    public boolean isComputeThread() {
        return Thread.currentThread() == thread;
    }

    /** Queues a job. Frames go to {@code frames} (may be null) on the compute thread. */
    public <R> JobHandle<R> submit(String name, Job<R> job, Consumer<Frame> frames) {
        JobHandle<R> handle = new JobHandle<>(name);
        Consumer<Frame> sink = frames == null ? f -> { } : frames;
        live.add(handle);
        handle.future().whenComplete((r, e) -> live.remove(handle));
        try {
            executor.execute(() -> runJob(handle, job, sink));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            handle.setState(JobHandle.State.CANCELLED);
            handle.future().completeExceptionally(new IllegalStateException("the compute service is shut down"));
        }
        return handle;
    }

    /** Runs a job and waits for its result (CLI and tests). Unwraps the job's own exception. */
    public <R> R run(String name, Job<R> job, Consumer<Frame> frames) throws Exception {
        JobHandle<R> h = submit(name, job, frames);
        try {
            return h.result().get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof Exception ex) throw ex;
            if (c instanceof Error err) throw err;
            throw e;
        }
    }

    private <R> void runJob(JobHandle<R> handle, Job<R> job, Consumer<Frame> frames) {
        CompletableFuture<R> f = handle.future();
        if (handle.cancelRequested()) {
            handle.setState(JobHandle.State.CANCELLED);
            f.completeExceptionally(new JobCancelledException(handle.name()));
            return;
        }
        handle.setState(JobHandle.State.RUNNING);
        long start = System.nanoTime();
        try (NDManager jobManager = root.newSubManager()) {
            Context ctx = new Context(handle, jobManager, frames, start);
            R r = job.run(ctx);
            handle.setState(JobHandle.State.SUCCEEDED);
            f.complete(r);
        } catch (JobCancelledException e) {
            handle.setState(JobHandle.State.CANCELLED);
            f.completeExceptionally(e);
        } catch (Throwable e) {
            handle.setState(JobHandle.State.FAILED);
            f.completeExceptionally(e);
            if (e instanceof VirtualMachineError vm && !(e instanceof OutOfMemoryError)) throw vm;
        }
    }

    private final class Context implements JobContext {
        private final JobHandle<?> handle;
        private final NDManager manager;
        private final Consumer<Frame> frames;
        private final long start;

        Context(JobHandle<?> handle, NDManager manager, Consumer<Frame> frames, long start) {
            this.handle = handle;
            this.manager = manager;
            this.frames = frames;
            this.start = start;
        }

        @Override
        public String jobName() {
            return handle.name();
        }

        @Override
        public NDManager manager() {
            return manager;
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public ModelCache models() {
            return models;
        }

        @Override
        public <T> T step(StepBody<T> body) throws Exception {
            checkCancelled();
            try (NDManager step = manager.newSubManager()) {
                return body.run(step);
            }
        }

        @Override
        public void checkCancelled() {
            handle.awaitNotPausedOrCancelled();
        }

        @Override
        public void emit(Frame frame) {
            try {
                frames.accept(frame);
            } catch (RuntimeException e) {
                // a failing listener must not kill the computation
            }
        }

        @Override
        public long elapsedMs() {
            return (System.nanoTime() - start) / 1_000_000;
        }

        @Override
        public MemoryBudget memoryBudget() {
            return ComputeService.this.memoryBudget();
        }

        @Override
        public SynthesisPlan forcedPlan() {
            return forcedPlan;
        }
    }

    /** Stops the thread after the running job (queued jobs are cancelled) and frees the engine's memory. */
    @Override
    public void close() {
        live.forEach(JobHandle::cancel);
        executor.execute(() -> {
            models.close();
            if (root != null) root.close();
        });
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) executor.shutdownNow();
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
