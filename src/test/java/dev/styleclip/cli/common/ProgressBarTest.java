package dev.styleclip.cli.common;

import dev.styleclip.runtime.Frame;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI's one progress line: what a frame's line says, and when the line is redrawn (on a clock the test turns). */
class ProgressBarTest {

    private static Frame step(int step, int total, long elapsedMs, Map<String, Double> losses, double lr, String message) {
        return new Frame("job", step, total, losses, lr, Map.of(), null, elapsedMs, message);
    }

    private static Map<String, Double> losses(double total, double clip) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("clip", clip);
        return m;
    }

    @Test
    void theBarFillsByWholeCellsAndMarksAnUnknownTotal() {
        assertEquals("[" + ".".repeat(30) + "]", ProgressBar.bar(0));
        assertEquals("[" + "#".repeat(15) + ".".repeat(15) + "]", ProgressBar.bar(0.5));
        assertEquals("[" + "#".repeat(29) + ".]", ProgressBar.bar(0.999), "full only when done");
        assertEquals("[" + "#".repeat(30) + "]", ProgressBar.bar(1));
        assertEquals("[?" + ".".repeat(29) + "]", ProgressBar.bar(-1));
    }

    @Test
    void aFramesLineSaysStepLossesLrTimeLeftAndMessage() {
        String bar10 = "[" + "###" + ".".repeat(27) + "]";
        assertEquals(bar10 + " step 10/100 total 0.8123 clip 0.7100 lr 0.0100",
                ProgressBar.line("step", step(10, 100, 0, losses(0.81234, 0.71), 0.01, null), Double.NaN));
        assertEquals(bar10 + " 10/100 total 1.235e-05 clip 12.35 · 1:23 left · memory: plain",
                ProgressBar.line("", step(10, 100, 0, losses(0.0000123456, 12.3456), Double.NaN, "memory: plain"), 83.4));
        // no losses: the frame's metrics (the encoder's iterations report LPIPS and identity that way)
        Frame encoder = new Frame("job", 2, 5, Map.of(), Double.NaN, Map.of("lpips", 0.41), null, 0, "iteration 2/5");
        assertEquals("[" + "#".repeat(12) + ".".repeat(18) + "] 2/5 lpips 0.4100 · iteration 2/5", ProgressBar.line("", encoder, Double.NaN));
        assertEquals("[?" + ".".repeat(29) + "] seeds 7", ProgressBar.line("seeds", step(7, 0, 0, Map.of(), Double.NaN, null), Double.NaN));
    }

    @Test
    void redrawsAtMostTenTimesASecondButNeverLosesTheLastStep() {
        StringWriter sink = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(sink), "", () -> now[0]);
        for (int s = 1; s <= 20; s++) {
            now[0] = s * 10_000_000L; // a step every 10 ms
            bar.accept(step(s, 20, s * 10L, losses(1.0 / s, 0.5), 0.01, null));
        }
        String out = sink.toString();
        List<String> lines = List.of(out.substring(1).split("\r"));
        // 1 (the first), 11 (100 ms after it), 20 (the last step)
        assertEquals(3, lines.size(), out);
        assertTrue(lines.get(0).contains(" 1/20 "), lines.get(0));
        assertTrue(lines.get(1).contains(" 11/20 "), lines.get(1));
        assertTrue(lines.get(2).contains(" 20/20 "), lines.get(2));
        bar.end();
        assertTrue(sink.toString().endsWith("\n"), "end() ends the line");
        assertEquals(3, sink.toString().chars().filter(c -> c == '\r').count(), "nothing held back to draw");
    }

    @Test
    void endDrawsWhatTheThrottleHeldBackAndMessagesAreAlwaysDrawn() {
        StringWriter sink = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(sink), "", () -> now[0]);
        bar.accept(step(1, 10, 0, losses(1, 1), 0.01, null));
        bar.accept(step(2, 10, 1, losses(2, 2), 0.01, null));
        assertFalse(sink.toString().contains(" 2/10 "), "held back: 0 ns after the first");
        bar.accept(step(2, 10, 1, Map.of(), Double.NaN, "epoch 1 checkpoint written"));
        assertTrue(sink.toString().contains("epoch 1 checkpoint written"), sink.toString());
        bar.accept(step(3, 10, 2, losses(3, 3), 0.01, null));
        assertFalse(sink.toString().contains(" 3/10 "));
        bar.end();
        assertTrue(sink.toString().endsWith(" 3/10 total 3.000 clip 3.000 lr 0.0100\n"), sink.toString());
    }

    @Test
    void aShorterLineCoversTheLongerOneBeforeIt() {
        StringWriter sink = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sink), "", () -> 0);
        bar.draw("a long line", true);
        bar.draw("short", true);
        assertEquals("\ra long line\rshort      ", sink.toString());
    }

    @Test
    void theTimeLeftComesFromThisRunsMeasuredStepsAndANewStageStartsOver() {
        StringWriter sink = new StringWriter();
        long[] now = {0};
        ProgressBar bar = new ProgressBar(new PrintWriter(sink), "", () -> now[0]);
        // loading took 5 s before the first step; then 2 s per step
        for (int s = 1; s <= 4; s++) {
            now[0] += 1_000_000_000L;
            bar.accept(step(s, 64, 5000 + (s - 1) * 2000L, Map.of("lpips", 0.5), 0.1, null));
        }
        String[] lines = sink.toString().split("\r");
        assertFalse(lines[3].contains("left"), "two steps measured: too few to say: " + lines[3]);
        // three steps measured at 2 s each, 60 to go: two minutes
        assertTrue(lines[4].endsWith(" 4/64 lpips 0.5000 lr 0.100 · 2:00 left"), lines[4]);
        // the projection after the encoder: a lower step, another total — its own line, its own pace
        now[0] += 1_000_000_000L;
        bar.accept(step(1, 10, 20_000, Map.of("lpips", 0.4), 0.1, null));
        String out = sink.toString();
        assertTrue(out.contains("2:00 left\n\r"), "the first stage's line ended: " + out);
        assertFalse(out.substring(out.lastIndexOf('\r')).contains("left"), out);
    }
}
