package dev.styleclip.cli.common;

import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.StepRate;
import dev.styleclip.runtime.models.DownloadProgress;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The CLI's one progress line on stderr: redrawn in place with a carriage return, as a job's frames
 * ({@link #frames}) or a line another report made ({@link #draw}, the downloads'). A job on small networks emits
 * thousands of frames a second and a terminal is slow, so a line is redrawn at most about ten times a second; a frame
 * with a message, the last step and, at {@link #end()}, whatever the throttle held back are always drawn, so the line
 * never stops short of where the work got. A shorter line is padded over the longer one before it.
 *
 * <p>A frame's line: {@code [#########.....] LABEL STEP/TOTAL} then its losses (or, where it has none, its metrics),
 * the learning rate, the time left once a few steps have been measured ({@link StepRate}: this run's own pace) and
 * the frame's message, e.g. {@code [##....] step 40/300 lpips 0.3121 lr 0.1 · 1:23 left}.
 */
public final class ProgressBar implements Consumer<Frame> {
    /** Characters between the brackets. */
    static final int WIDTH = 30;
    /** The shortest time between two redraws (the throttle). */
    static final long REDRAW_NANOS = 100_000_000L;
    /** Steps measured before the time left is shown (the first ones are the least steady). */
    static final int STEPS_BEFORE_ETA = 3;

    private final PrintWriter err;
    private final String label;
    private final LongSupplier nanoClock;
    private final StepRate rate = new StepRate();
    private Frame previous;
    private boolean drawn;
    private long drawnAt;
    private int drawnLength;
    private String heldBack;

    ProgressBar(PrintWriter err, String label, LongSupplier nanoClock) {
        this.err = err;
        this.label = label == null ? "" : label;
        this.nanoClock = nanoClock;
    }

    /** A bar that draws a job's frames on {@code err}, each line headed by {@code label} (may be empty). */
    public static ProgressBar frames(PrintWriter err, String label) {
        return new ProgressBar(err, label, System::nanoTime);
    }

    /** A bar for lines made by the caller ({@link #draw}). */
    public static ProgressBar lines(PrintWriter err) {
        return new ProgressBar(err, "", System::nanoTime);
    }

    /**
     * Draws a frame's line. A frame that starts over (a lower step, another total: the next stage of a job, such as the
     * projection after the encoder) ends the line before it and measures its pace afresh.
     */
    @Override
    public void accept(Frame f) {
        if (previous != null && (f.total() != previous.total() || f.step() < previous.step())) {
            end();
            rate.reset();
        }
        previous = f;
        rate.onFrame(f);
        double left = rate.stepsMeasured() >= STEPS_BEFORE_ETA ? rate.msLeft(f.step(), f.total()) / 1000 : Double.NaN;
        boolean last = f.total() > 0 && f.step() >= f.total();
        draw(line(label, f, left), last || f.message() != null);
    }

    /**
     * Draws {@code line} in place of the current one, unless the last redraw was under a tenth of a second ago and
     * {@code always} is false (then {@link #end()} draws it if nothing comes after it).
     */
    public void draw(String line, boolean always) {
        long now = nanoClock.getAsLong();
        if (!always && drawn && now - drawnAt < REDRAW_NANOS) {
            heldBack = line;
            return;
        }
        print(line);
        drawnAt = now;
    }

    /** Draws what the throttle held back and ends the line (nothing when nothing was drawn): the next output starts below. */
    public void end() {
        if (heldBack != null) print(heldBack);
        if (drawn) err.println();
        err.flush();
        drawn = false;
        drawnLength = 0;
    }

    private void print(String line) {
        heldBack = null;
        String padding = " ".repeat(Math.max(0, drawnLength - line.length()));
        err.print("\r" + line + padding);
        err.flush();
        drawn = true;
        drawnLength = line.length();
    }

    /** {@code [#####.....]} filled to {@code fraction} (0 … 1); {@code [?....]} when it is unknown (negative). */
    public static String bar(double fraction) {
        StringBuilder b = new StringBuilder(WIDTH + 2).append('[');
        if (fraction < 0) {
            b.append('?').append(".".repeat(WIDTH - 1));
        } else {
            int filled = (int) Math.min(WIDTH, Math.floor(fraction * WIDTH));
            b.append("#".repeat(filled)).append(".".repeat(WIDTH - filled));
        }
        return b.append(']').toString();
    }

    /**
     * A frame's line (without the carriage return): a pure function of the frame, the label and the seconds left (NaN:
     * not shown).
     */
    static String line(String label, Frame f, double secondsLeft) {
        StringBuilder sb = new StringBuilder(bar(f.progress())).append(' ');
        if (!label.isEmpty()) sb.append(label).append(' ');
        sb.append(f.step());
        if (f.total() > 0) sb.append('/').append(f.total());
        Map<String, Double> numbers = f.losses().isEmpty() ? f.metrics() : f.losses();
        numbers.forEach((name, v) -> sb.append(' ').append(name).append(' ').append(String.format(Locale.ROOT, "%.4g", v)));
        if (Double.isFinite(f.lr())) sb.append(" lr ").append(String.format(Locale.ROOT, "%.3g", f.lr()));
        if (!Double.isNaN(secondsLeft)) sb.append(" · ").append(DownloadProgress.duration(secondsLeft)).append(" left");
        if (f.message() != null) sb.append(" · ").append(f.message());
        return sb.toString();
    }
}
