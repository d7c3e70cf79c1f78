package dev.styleclip.studio.service;

import dev.styleclip.edit.WGroups;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.mapper.MapperTrainingJob;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.runtime.ForwardingContext;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.studio.service.StudioPort.Listener;
import dev.styleclip.studio.service.MapperPort.MapperTrainRequest;
import dev.styleclip.studio.service.MapperPort.MapperTrainResult;

import java.nio.file.Files;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The studio's bridge to {@link MapperTrainingJob}: the networks from the models folder through the shared
 * {@link EditNetworks} cache (demo networks for missing files, named in the first frame and the result), the request's
 * settings over the job's defaults, and every frame kept: the bridge coalesces frames (the latest wins), but a loss
 * history and the per-epoch sample pictures must not lose any, so the job's frames are recorded here and the listener
 * gets them all, in order, whenever the bridge reports that frames arrived.
 */
final class MapperTraining {
    private final MapperTrainRequest request;
    private final EditNetworks.Files files;
    private final Queue<Frame> frames = new ConcurrentLinkedQueue<>();

    MapperTraining(MapperTrainRequest request, EditNetworks.Files files) {
        this.request = request;
        this.files = files;
    }

    /** The job's settings: the request's values, the rest (CLIP weight, weight decay, sample count) the job's defaults. */
    static MapperTrainingJob.Settings settings(MapperTrainRequest r) {
        MapperTrainingJob.Settings d = MapperTrainingJob.Settings.defaults(r.prompt());
        return new MapperTrainingJob.Settings(r.prompt(), r.epochs(), r.stepsPerEpoch(), r.batch(), r.lr(), r.lambdaL2(),
                r.lambdaId(), d.lambdaClip(), d.weightDecay(), WGroups.flags(r.groups()),
                r.plateauFactor(), r.plateauPatience(), r.psi(), r.seed(), d.previewCount());
    }

    Job<MapperTrainResult> job() {
        return ctx -> {
            if (request.folder() == null) throw new IllegalArgumentException("choose an output folder");
            if (Files.exists(request.folder()) && !Files.isDirectory(request.folder())) {
                throw new IllegalArgumentException(request.folder() + " is a file, not a folder");
            }
            MapperTrainingJob.Settings s = settings(request);
            EditNetworks nets = EditNetworks.load(ctx.models(), files);
            JobContext recording = new Recording(ctx, frames);
            recording.emit(Frame.status(ctx.jobName(), 0, s.epochs() * s.stepsPerEpoch(), ctx.elapsedMs(), describe(nets)));
            MapperTrainingJob job = new MapperTrainingJob(s, new MapperTrainingJob.Networks(nets.generator(), nets.clip(),
                    nets.identity(), null), request.folder());
            MapperTrainingJob.Result r = job.run(recording);
            return new MapperTrainResult(request, r.mapperFile(), r.epochsDone(), r.lastLoss(), r.lr(), r.resumed(),
                    describe(nets), nets.isDemo());
        };
    }

    /** Which of the networks a mapper trains with (generator, CLIP, ID; not LPIPS) are demo networks. */
    static String describe(EditNetworks nets) {
        List<String> demo = nets.demoParts().stream().filter(p -> !p.equals("LPIPS")).toList();
        return demo.isEmpty() ? "networks: generator, CLIP and ID from the models folder"
                : DemoNetworks.LABEL + " (random weights) for: " + String.join(", ", demo);
    }

    /** A listener for the bridge that hands every recorded frame to {@code l} before each callback. */
    Listener<MapperTrainResult> listener(Listener<MapperTrainResult> l) {
        return new Listener<>() {
            @Override
            public void frame(Frame latest) {
                drain(l);
            }

            @Override
            public void done(MapperTrainResult result) {
                drain(l);
                l.done(result);
            }

            @Override
            public void failed(Throwable error) {
                drain(l);
                l.failed(error);
            }

            @Override
            public void cancelled() {
                drain(l);
                l.cancelled();
            }
        };
    }

    private void drain(Listener<MapperTrainResult> l) {
        for (Frame f = frames.poll(); f != null; f = frames.poll()) l.frame(f);
    }

    /** The job's context, with every emitted frame also queued. */
    private static final class Recording extends ForwardingContext {
        private final Queue<Frame> frames;

        Recording(JobContext ctx, Queue<Frame> frames) {
            super(ctx);
            this.frames = frames;
        }

        @Override
        public void emit(Frame frame) {
            frames.add(frame);
            super.emit(frame);
        }
    }
}
