package dev.styleclip.cli.bench;

import dev.styleclip.runtime.ProcessMemory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Helpers for benchmark commands: timing statistics, process memory, and a plain text table. */
public final class Bench {
    private Bench() {
    }

    /** Median and minimum of a list of timings in milliseconds. */
    public record Stats(double median, double min) {
        public static Stats of(List<Double> ms) {
            if (ms.isEmpty()) return new Stats(Double.NaN, Double.NaN);
            double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double med = a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
            return new Stats(med, a[0]);
        }

        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("median", round(median));
            m.put("min", round(min));
            return m;
        }
    }

    /** Times {@code iters} runs of a body after {@code warmup} unmeasured runs. */
    public static Stats time(int warmup, int iters, Runnable body) {
        for (int i = 0; i < warmup; i++) body.run();
        List<Double> ms = new ArrayList<>();
        for (int i = 0; i < iters; i++) {
            long t0 = System.nanoTime();
            body.run();
            ms.add((System.nanoTime() - t0) / 1e6);
        }
        return Stats.of(ms);
    }

    /** Records what the measurement ran on: peak RSS, engine threads, device and native allocator. */
    public static void putProcess(Map<String, Object> r) {
        r.put("peak_rss_mb", peakRssMb());
        r.put("threads", ai.djl.pytorch.jni.JniUtils.getNumThreads());
        r.put("device", ai.djl.engine.Engine.getInstance().defaultDevice().toString());
        r.put("allocator", dev.styleclip.runtime.NativeAllocator.inUse());
    }

    /** The line under a table for what {@link #putProcess} recorded. */
    public static String processLine(Map<String, Object> r) {
        return "peak RSS " + r.get("peak_rss_mb") + " MB, threads " + r.get("threads") + ", device " + r.get("device")
                + ", allocator " + r.get("allocator");
    }

    /** Resident set size now, in MB (from /proc; NaN where unavailable). */
    public static double rssMb() {
        return mb(ProcessMemory.rss());
    }

    /** Peak resident set size of this process, in MB (from /proc; NaN where unavailable). */
    public static double peakRssMb() {
        return mb(ProcessMemory.peakRss());
    }

    /**
     * Starts a new peak measurement: Linux resets the peak resident size (VmHWM) to the current size when "5" is
     * written to /proc/self/clear_refs. False where that is not possible (then peaks include what came before).
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Paths.get("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static double mb(long bytes) {
        return bytes < 0 ? Double.NaN : round(bytes / 1048576.0);
    }

    public static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    /** The report as indented JSON, alone on stdout (notes go to stderr), the {@code --json} form of every benchmark. */
    public static void printJson(java.io.PrintWriter out, Object report) throws java.io.IOException {
        out.println(new com.fasterxml.jackson.databind.ObjectMapper()
                .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
    }
}
