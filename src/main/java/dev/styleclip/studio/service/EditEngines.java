package dev.styleclip.studio.service;

/** The edit engines of this build (none until the latent optimisation engine lands). */
public final class EditEngines {
    private EditEngines() {
    }

    /** The engine for the studio, or null when this build has none. */
    public static EditEngine available() {
        return null;
    }
}
