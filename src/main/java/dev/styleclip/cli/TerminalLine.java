package dev.styleclip.cli;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * The CLI's stderr, remembering whether the cursor stands mid-line: progress bars redraw one line with {@code \r} and
 * never end it, so a message printed after one (an error, a final note) would be glued to the bar's end.
 * {@link #freshLine()} ends such a line first.
 */
final class TerminalLine extends PrintWriter {
    private final Tracker tracker;

    TerminalLine(Writer target) {
        this(new Tracker(target));
    }

    private TerminalLine(Tracker tracker) {
        super(tracker, true);
        this.tracker = tracker;
    }

    /** A whole line printed while a progress bar stands on the current one goes below the bar, not glued to it. */
    @Override
    public void println(String x) {
        synchronized (lock) {
            if (tracker.progress) println();
            super.println(x);
        }
    }

    /** Ends the current line when something stands on it; returns this writer for the next print. */
    TerminalLine freshLine() {
        flush();
        if (tracker.midLine) println();
        return this;
    }

    private static final class Tracker extends Writer {
        private final Writer target;
        private boolean midLine;
        /** The current line was (re)drawn with a leading carriage return: a progress bar. */
        private boolean progress;

        Tracker(Writer target) {
            this.target = target;
        }

        @Override
        public void write(char[] buf, int off, int len) throws java.io.IOException {
            for (int i = off; i < off + len; i++) {
                char c = buf[i];
                if (c == '\n') {
                    midLine = false;
                    progress = false;
                } else {
                    midLine = true;
                    if (c == '\r') progress = true;
                }
            }
            target.write(buf, off, len);
        }

        @Override
        public void flush() throws java.io.IOException {
            target.flush();
        }

        @Override
        public void close() throws java.io.IOException {
            target.close();
        }
    }
}
