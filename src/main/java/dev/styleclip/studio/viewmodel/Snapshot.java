package dev.styleclip.studio.viewmodel;

import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.Latents;

import java.util.List;

/**
 * One state of the document, immutable, as the undo history keeps it: the source (settings, latent, picture), the
 * edit stack, and the current picture made from them (kept so undo needs no recomputation).
 */
public record Snapshot(SourceState source, Latents base, Pixels baseImage, List<EditEntry> edits, Pixels current,
                       String action) {
    public Snapshot {
        edits = List.copyOf(edits);
    }

    /** The latent of the current picture: base + Σ strength·delta over the enabled edits (null without a base latent). */
    public Latents composed() {
        return compose(base, edits);
    }

    public static Latents compose(Latents base, List<EditEntry> edits) {
        if (base == null) return null;
        Latents w = base;
        for (EditEntry e : edits) {
            if (e.enabled() && e.delta() != null && e.strength() != 0) w = w.plus(e.delta(), e.strength());
        }
        return w;
    }
}
