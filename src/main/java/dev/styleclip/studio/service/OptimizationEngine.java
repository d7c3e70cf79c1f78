package dev.styleclip.studio.service;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.LatentOptimization;
import dev.styleclip.edit.WGroups;
import dev.styleclip.runtime.DivergedException;
import dev.styleclip.runtime.Job;

import java.nio.file.Path;
import java.util.Set;

/**
 * The studio's bridge to {@link LatentOptimization} (optimise w+ / optimise z): networks from the models folder (demo
 * networks for the missing ones, through the shared {@link EditNetworks} cache), settings from the Edit panel, the
 * current composed latent as the start (z: the source seed). A run that diverges (NaN/Inf) keeps its last good step
 * (with a warning in the result); one that diverges at its first step fails with a {@link DivergedException}.
 * The optimisation renders with the generator's stored input transform (translate / rotate of the Source tab are not
 * applied during the run). A region-limited edit draws its regions from face-api's landmarks of the start picture when
 * face-api is installed, else from the FFHQ mean face ({@link FaceLandmarks}); its first frame says which.
 */
public final class OptimizationEngine {
    private OptimizationEngine() {
    }

    /** The settings of a request (validated by the engine: bad values throw with a one-line message). */
    public static LatentOptimization.Settings settings(EditPort.EditRequest r) {
        Set<WGroups.Group> groups = r.groups();
        boolean z = r.method() == EditPort.EditMethod.OPTIMIZE_Z;
        if (groups.isEmpty()) throw new IllegalArgumentException("switch on at least one layer group (coarse, medium, fine)");
        if (z && groups.size() != WGroups.Group.values().length) {
            throw new IllegalArgumentException("optimise z changes every layer: switch coarse, medium and fine on, or use optimise w");
        }
        return LatentOptimization.Settings.defaults(r.prompt())
                .withSpace(z ? LatentOptimization.Space.Z : LatentOptimization.Space.W_PLUS, groups)
                .withSteps(r.steps()).withLr(r.lr()).withWeights(r.lambdaL2(), r.lambdaId())
                .withSchedule(LatentOptimization.ScheduleKind.parse(r.schedule())).withRegions(r.regions());
    }

    /** Where a run's regions come from: face-api's networks in {@code faceApiDir} (null: not installed). */
    static FaceLandmarks.Finder landmarks(Path faceApiDir) {
        return FaceLandmarks.detecting(faceApiDir);
    }

    /** The run of {@code r} with the networks of {@code files} (and face-api's in {@code faceApiDir}, for regions). */
    static Job<EditPort.EditResult> job(EditPort.EditRequest r, EditNetworks.Files files, Path faceApiDir) {
        FaceLandmarks.Finder landmarks = landmarks(faceApiDir);
        LatentOptimization.Settings s = settings(r);
        LatentOptimization.Start start;
        if (r.method() == EditPort.EditMethod.OPTIMIZE_Z) {
            if (r.source() == null) throw new IllegalArgumentException("optimise z needs a face generated from a seed");
            start = LatentOptimization.Start.seed(r.source().seed(), r.source().psi());
        } else {
            start = LatentOptimization.Start.latent(r.start());
        }
        return ctx -> {
            EditNetworks nets = EditNetworks.load(ctx.models(), files);
            LatentOptimization.Result res = new LatentOptimization(nets, s, start, landmarks, null).run(ctx);
            if (res.stoppedEarly() && res.stepsDone() == 0) {
                throw new DivergedException(ctx.jobName(), 1, "total", Double.NaN);
            }
            Latent w = new Latent(res.numWs(), res.wDim(), res.wsFinal());
            return new EditPort.EditResult(r, LatentOptimization.pixels(res.imageAfter(), res.resolution(), 0), w,
                    res.metrics().asMap(), res.stoppedEarly() ? res.stopMessage() : null);
        };
    }
}
