package dev.styleclip.studio;

import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.studio.service.ComputeBackend;
import dev.styleclip.studio.service.EditEngine;
import dev.styleclip.studio.service.Latents;
import dev.styleclip.studio.service.StudioBackend;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stand-in for the latent optimisation engine (not yet merged) that exercises the studio's wiring on the REAL compute
 * thread with the real generator: each step moves the latent a little, renders it and emits a frame with made-up
 * losses. It is test code only and optimises nothing.
 */
final class StandInEditEngine implements EditEngine {
    volatile long stepPauseMs = 0;

    @Override
    public boolean supports(StudioBackend.EditMethod method) {
        return method == StudioBackend.EditMethod.OPTIMIZE_W;
    }

    @Override
    public Job<StudioBackend.EditResult> job(StudioBackend.EditRequest r, Path generator) {
        return ctx -> {
            Latents w = r.start();
            StudioBackend.Rendered last = null;
            for (int s = 1; s <= r.steps(); s++) {
                ctx.checkCancelled();
                float[] v = w.values().clone();
                for (int i = 0; i < v.length; i++) v[i] += (float) (0.05 * Math.sin(i + r.prompt().length()) * (1 - r.lambdaL2()));
                w = new Latents(w.numWs(), w.wDim(), v);
                last = ComputeBackend.synthesizeJob(generator, w, r.source()).run(ctx);
                Map<String, Double> losses = new LinkedHashMap<>();
                losses.put("total", 1.0 / s + r.lambdaL2());
                losses.put("clip", 1.0 / s);
                losses.put("l2", r.lambdaL2() * s);
                losses.put("id", r.lambdaId() * s);
                ctx.emit(new Frame(ctx.jobName(), s, r.steps(), losses, r.lr(),
                        Map.of("clip_score", 0.2 + 0.001 * s, "id_similarity", 1 - 0.01 * s), last.image(), ctx.elapsedMs(), null));
                if (stepPauseMs > 0) Thread.sleep(stepPauseMs);
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("clip_score", 0.25 + r.lambdaId());
            m.put("id_similarity", 0.9 - r.lambdaL2());
            m.put("lpips", 0.1);
            return new StudioBackend.EditResult(r, last.image(), w, m);
        };
    }
}
