package dev.styleclip.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Test helper: runs the real CLI in-process and captures its exit code, stdout and stderr. */
public record CliRun(int code, String out, String err) {

    public static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
