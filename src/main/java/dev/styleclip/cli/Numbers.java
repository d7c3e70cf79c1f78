package dev.styleclip.cli;

import picocli.CommandLine;

/**
 * Numbers typed on the command line. Java parses "NaN" and "Infinity" as doubles; no option of this tool means either,
 * and each would flow into a render as black pixels or into a latent as NaN, so every number is refused unless finite.
 */
final class Numbers {
    private Numbers() {
    }

    /** {@code text} as a finite double; {@code what} names the option in the one-line refusal. */
    static double finite(String text, String what) {
        String t = text.trim();
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            v = Double.NaN; // "abc", "nan", "inf": one message for everything that is not a plain number
        }
        if (!Double.isFinite(v)) throw new IllegalArgumentException(what + ": '" + t + "' is not a finite number");
        return v;
    }

    /** Makes every double/float option and parameter of {@code cl} (and its subcommands) refuse NaN and infinities. */
    static void register(CommandLine cl) {
        CommandLine.ITypeConverter<Double> d = Numbers::convert;
        cl.registerConverter(Double.class, d);
        cl.registerConverter(double.class, d);
        CommandLine.ITypeConverter<Float> f = text -> {
            double v = convert(text);
            if (Math.abs(v) > Float.MAX_VALUE) throw new CommandLine.TypeConversionException("'" + text + "' is too large");
            return (float) v;
        };
        cl.registerConverter(Float.class, f);
        cl.registerConverter(float.class, f);
    }

    private static double convert(String text) {
        try {
            return finite(text, "value");
        } catch (IllegalArgumentException e) {
            // picocli prefixes the option's name: "Invalid value for option '--trunc': 'nan' is not a finite number"
            throw new CommandLine.TypeConversionException("'" + text.trim() + "' is not a finite number");
        }
    }
}
