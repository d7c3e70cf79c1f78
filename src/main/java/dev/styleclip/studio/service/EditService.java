package dev.styleclip.studio.service;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.LatentOptimization;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.recipe.StackRendering;
import dev.styleclip.model.face.FaceCheck;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.studio.service.SourcePort.GenerateRequest;
import dev.styleclip.studio.service.SourcePort.Rendered;

import java.nio.file.Path;

/**
 * The Edit tab's tasks as jobs: the optimisation ({@link OptimizationEngine}), the stack ({@link StackRendering}), the
 * memory a run would get (the plan the run itself makes) and face-api's {@link FaceCheck} — each with the networks in
 * use, its result mapped to the port's records.
 */
final class EditService implements EditPort {
    private final ComputeBridge bridge;
    private final StudioNetworks networks;

    EditService(ComputeBridge bridge, StudioNetworks networks) {
        this.bridge = bridge;
        this.networks = networks;
    }

    @Override
    public Task edit(EditRequest request, Listener<EditResult> listener) {
        return bridge.task("edit: " + request.prompt(), OptimizationEngine.job(request, networks.editFiles(), networks.faceApiDir()), listener);
    }

    @Override
    public Task renderStack(StackRequest request, Listener<Rendered> listener) {
        EditNetworks.Files files = networks.editFiles();
        StackRendering.Request r = new StackRendering.Request(request.base(), request.steps(),
                GenerateRequest.transformOf(request.source()), request.metricsPrompt(), false);
        return bridge.task("render stack", ctx -> {
            StackRendering.Result res = StackRendering.render(ctx, files, r);
            return new Rendered(Pixels.of(res.image()), res.edited(), StudioNetworks.label(files.generator()),
                    files.generator().isDemo(), res.metrics());
        }, listener);
    }

    /** An optimisation's plan for an optimising method; a render's for the others (a mapper or a direction renders once). */
    @Override
    public Task memoryEstimate(EditMethod method, boolean regions, Listener<String> listener) {
        EditNetworks.Files files = networks.editFiles();
        boolean optimise = method == EditMethod.OPTIMIZE_W || method == EditMethod.OPTIMIZE_Z;
        return bridge.task("memory estimate", ctx -> {
            MemoryPlanner.Plan plan = optimise ? LatentOptimization.memoryPlan(ctx, EditNetworks.load(ctx.models(), files), regions)
                    : FaceGeneration.load(ctx, files.generator()).plan();
            return plan.summary();
        }, listener);
    }

    /** The landmarks a run would use: the same finder, on the same kind of picture. */
    @Override
    public Task faceLandmarks(Pixels picture, Listener<FaceLandmarks> listener) {
        FaceLandmarks.Finder finder = OptimizationEngine.landmarks(networks.faceApiDir());
        boolean demo = networks.editFiles().generator().isDemo();
        return bridge.task("face landmarks", ctx -> {
            if (picture.width() != picture.height()) throw new IllegalArgumentException("the regions are drawn over a generated face, not a photo");
            return finder.find(ctx, picture.toRgbImage(), demo);
        }, listener);
    }

    @Override
    public boolean faceApiAvailable() {
        return networks.file(ModelRole.FACE_API) != null;
    }

    @Override
    public Task faceCheck(Pixels before, Pixels after, Listener<String> listener) {
        Path dir = networks.faceApiDir();
        if (dir == null) {
            listener.failed(new UnsupportedOperationException("face-api's networks are not installed"));
            return Task.NONE;
        }
        return bridge.task("face check", ctx -> FaceCheck.compare(EditNetworks.faceApi(ctx, dir), before.toRgbImage(), after.toRgbImage())
                .describe("source", "current"), listener);
    }
}
