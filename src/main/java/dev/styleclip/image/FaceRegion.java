package dev.styleclip.image;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The parts of a face a mask can cover, found from the 68 landmarks ({@link FaceRegions} draws them). {@link #BACKGROUND}
 * is everything outside the face: hair and the scene behind.
 */
public enum FaceRegion {
    MOUTH, EYES, BROWS, NOSE, FACE, BACKGROUND;

    /** The name on the command line and in recipes. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** All names, comma-separated, in declaration order (for messages and help texts). */
    public static String names() {
        return Arrays.stream(values()).map(FaceRegion::cliName).collect(Collectors.joining(", "));
    }

    /**
     * A comma-separated list of names ({@code mouth,eyes}); spaces around names and case are ignored, repeats are
     * harmless.
     *
     * @throws IllegalArgumentException for an empty list or an unknown name, naming it and the choices
     */
    public static Set<FaceRegion> parse(String list) {
        EnumSet<FaceRegion> out = EnumSet.noneOf(FaceRegion.class);
        for (String part : list.split(",", -1)) {
            String name = part.strip();
            if (name.isEmpty()) continue;
            FaceRegion found = Arrays.stream(values()).filter(r -> r.cliName().equalsIgnoreCase(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown face region '" + name + "' (choose from " + names() + ")"));
            out.add(found);
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no face region given (choose from " + names() + ")");
        return out;
    }
}
