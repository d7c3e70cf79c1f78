package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.Latents;

import java.util.Map;

/**
 * One edit of the stack: a direction in W+ ({@code delta} = result − start of the run) applied at {@code strength}
 * when {@code enabled}. The current latent is the source latent plus Σ strength·delta of the enabled edits, in order.
 *
 * @param kind     "optimisation", "mapper" or "direction"
 * @param label    what the user sees (the prompt)
 * @param settings the run's settings (method, λs, lr, steps, schedule, layers, ...)
 * @param metrics  the run's final scores (clip_score, id_similarity, lpips) when known
 */
public record EditEntry(String kind, String label, Map<String, Object> settings, Latents delta, double strength,
                        boolean enabled, Map<String, Double> metrics) {
    public EditEntry {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    }

    public EditEntry withStrength(double s) {
        return new EditEntry(kind, label, settings, delta, s, enabled, metrics);
    }

    public EditEntry withEnabled(boolean e) {
        return new EditEntry(kind, label, settings, delta, strength, e, metrics);
    }
}
