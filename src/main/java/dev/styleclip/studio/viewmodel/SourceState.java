package dev.styleclip.studio.viewmodel;

import java.util.Locale;

/**
 * Where the current face came from: a seed of the generator (with ψ and the SG3 transform) or an aligned photo.
 *
 * @param kind      "seed", "photo" or "latent"
 * @param photo     the photo or latent file (kinds "photo", "latent"), else null
 * @param generator the generator's file name or "demo network"
 */
public record SourceState(String kind, long seed, double psi, double translateX, double translateY, double rotateDeg,
                          String photo, String generator, boolean demo) {
    public static SourceState seed(long seed, double psi, double tx, double ty, double rot, String generator, boolean demo) {
        return new SourceState("seed", seed, psi, tx, ty, rot, null, generator, demo);
    }

    public boolean fromSeed() {
        return "seed".equals(kind);
    }

    public String describe() {
        if (fromSeed()) {
            String transform = translateX != 0 || translateY != 0 || rotateDeg != 0
                    ? String.format(Locale.ROOT, ", shift %.2f, %.2f, rotate %.0f°", translateX, translateY, rotateDeg) : "";
            return String.format(Locale.ROOT, "seed %d, ψ %.2f", seed, psi) + transform + (demo ? " (demo network)" : "");
        }
        return ("latent".equals(kind) ? "latent " : "photo ") + java.nio.file.Paths.get(photo).getFileName();
    }
}
