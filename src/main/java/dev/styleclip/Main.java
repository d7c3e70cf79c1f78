package dev.styleclip;

import dev.styleclip.cli.Cli;
import dev.styleclip.runtime.Engines;

/**
 * Entry point of {@code ./styleclip}: no arguments opens the studio, anything else runs a CLI command.
 * (Deliberately not a JavaFX {@code Application}, so the app starts from a plain class path.)
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        Engines.configureOffline();
        if (args.length == 0) {
            dev.styleclip.studio.StudioApp.launchStudio(args);
            return;
        }
        System.exit(Cli.run(args));
    }
}
