package dev.styleclip;

import dev.styleclip.cli.Cli;
import dev.styleclip.runtime.Engines;
import dev.styleclip.runtime.NativeAllocator;

/**
 * Entry point of {@code ./styleclip}: no arguments opens the studio, anything else runs a CLI command.
 * (Deliberately not a JavaFX {@code Application}, so the app starts from a plain class path.)
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (Boolean.getBoolean("styleclip.packaged")) {
            // the packaged launcher cannot set the environment: restart once on tcmalloc/jemalloc when installed
            var code = NativeAllocator.relaunchIfUseful(args);
            if (code.isPresent()) System.exit(code.get());
        }
        Engines.configureOffline();
        if (args.length == 0) {
            try {
                dev.styleclip.studio.StudioApp.launchStudio(args);
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                System.err.println("styleclip: the studio window cannot open: " + Cli.oneLine(e)
                        + ". It needs a display and GTK 3 (Debian/Ubuntu: apt-get install libgtk-3-0 libgl1);"
                        + " the command line works without them: ./styleclip help");
                System.exit(Cli.EXIT_BAD_INPUT);
            }
            return;
        }
        Cli.quietLogsUnlessVerbose(args);
        System.exit(Cli.run(args));
    }
}
