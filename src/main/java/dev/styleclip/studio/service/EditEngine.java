package dev.styleclip.studio.service;

import dev.styleclip.runtime.Job;

import dev.styleclip.model.stylegan3.GeneratorSource;

/**
 * The hook for text-edit engines (latent optimisation, mappers, global directions): builds a compute-thread job for
 * one request. The job emits {@link dev.styleclip.runtime.Frame}s (losses "total", "clip", "l2", "id"; metrics
 * "clip_score", "id_similarity"; a preview) and returns the final image and latent.
 */
public interface EditEngine {
    boolean supports(StudioBackend.EditMethod method);

    /** @param generator the generator file or demo network */
    Job<StudioBackend.EditResult> job(StudioBackend.EditRequest request, GeneratorSource generator);
}
