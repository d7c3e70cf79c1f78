package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.Latent;
import dev.styleclip.edit.recipe.RecipeBatch;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.DirectionsPort;
import dev.styleclip.studio.service.EditPort;
import dev.styleclip.studio.service.MapperPort;
import dev.styleclip.studio.service.SourcePort;
import dev.styleclip.studio.service.RecipeBatchPort;
import dev.styleclip.studio.service.StudioBackend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synchronous stand-in backend for view-model tests (no DJL, no stage): pictures and latents are derived from the
 * seed / latent values; edits move the latent by the prompt's length and emit one frame per step. Tasks can be held
 * back ({@link #hold}) to test cancel. One object is every port, so a test sets up and counts all of them in one place.
 */
public final class FakeBackend implements StudioBackend, SourcePort, EditPort, DirectionsPort, MapperPort, RecipeBatchPort {
    public static final int NUM_WS = 4, W_DIM = 3, SIZE = 8;
    boolean failGenerate;
    boolean hold;
    /** What {@link #deviceName()} says (the studio's defaults follow it). */
    String device = "fake";
    /** The demo architecture chosen (its label and resolution follow it; the pictures stay the fake's). */
    private GeneratorSource generator = GeneratorSource.demo(DemoNetworks.DEFAULT);
    final List<Runnable> held = new ArrayList<>();
    int editsRun;

    public static Pixels picture(Latent w) {
        int[] argb = new int[SIZE * SIZE];
        int c = Float.floatToIntBits(w.values()[0]) ^ Float.floatToIntBits(w.values()[w.values().length - 1]);
        java.util.Arrays.fill(argb, 0xff000000 | (c & 0xffffff));
        return new Pixels(SIZE, SIZE, argb);
    }

    public static Latent latent(long seed) {
        float[] v = new float[NUM_WS * W_DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(seed * 7 + i);
        return new Latent(NUM_WS, W_DIM, v);
    }

    @Override
    public SourcePort source() {
        return this;
    }

    @Override
    public EditPort edit() {
        return this;
    }

    @Override
    public DirectionsPort directions() {
        return this;
    }

    @Override
    public MapperPort mapper() {
        return this;
    }

    @Override
    public RecipeBatchPort recipeBatch() {
        return this;
    }

    @Override
    public String deviceName() {
        return device;
    }

    @Override
    public String generatorLabel() {
        return generator.demo().equals(DemoNetworks.DEFAULT) ? "demo network" : "demo network (" + generator.demo() + ")";
    }

    @Override
    public int generatorResolution() {
        try {
            return generator.resolution();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean demo() {
        return true;
    }

    @Override
    public Task generate(GenerateRequest request, Listener<Rendered> listener) {
        if (failGenerate) {
            listener.failed(new IllegalStateException("bad generator file"));
            return Task.NONE;
        }
        Latent w = latent(request.seed());
        listener.done(new Rendered(picture(w), w, generatorLabel(), true));
        return Task.NONE;
    }

    @Override
    public Task synthesize(Latent ws, GenerateRequest source, Listener<Rendered> listener) {
        listener.done(new Rendered(picture(ws), ws, generatorLabel(), true));
        return Task.NONE;
    }

    @Override
    public Task detectFaces(Path photo, Listener<PhotoFaces> listener) {
        listener.failed(new IllegalArgumentException(photo.getFileName() + " is not a picture"));
        return Task.NONE;
    }

    @Override
    public Task align(Path photo, int faceIndex, double[] points, Listener<Pixels> listener) {
        listener.failed(new IllegalStateException("no photo"));
        return Task.NONE;
    }

    @Override
    public Task edit(EditRequest r, Listener<EditResult> listener) {
        editsRun++;
        boolean[] cancelled = {false};
        Runnable body = () -> {
            if (cancelled[0]) {
                listener.cancelled();
                return;
            }
            if (r.lr() > 5) {
                listener.failed(new dev.styleclip.runtime.DivergedException("edit", 3, "total", Double.NaN));
                return;
            }
            Latent w = r.start();
            for (int s = 1; s <= r.steps(); s++) {
                float[] v = w.values().clone();
                for (int i = 0; i < v.length; i++) v[i] += (float) (0.01 * r.prompt().length() * (1 - r.lambdaL2()));
                w = new Latent(w.numWs(), w.wDim(), v);
                Map<String, Double> losses = new LinkedHashMap<>();
                losses.put("total", 1.0 / s);
                losses.put("clip", 0.8 / s);
                losses.put("l2", r.lambdaL2() * s);
                losses.put("id", r.lambdaId() * s);
                listener.frame(new Frame("edit", s, r.steps(), losses, r.lr(),
                        Map.of("clip_score", 0.2 + 0.01 * s, "id_similarity", 0.9 - r.lambdaL2()), picture(w), s * 10L, null));
            }
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("clip_score", 0.3 + r.lambdaId());
            m.put("id_similarity", 0.9 - r.lambdaL2());
            m.put("lpips", 0.1);
            listener.done(new EditResult(r, picture(w), w, m));
        };
        if (hold) held.add(body);
        else body.run();
        return flagTask(cancelled);
    }

    /** Mapper runs so far; a run stops as if cancelled when it reaches global step {@link #mapperCancelAtStep} (0: never). */
    int mappersRun;
    int mapperCancelAtStep;

    /**
     * Trains nothing, but like the real job: a frame per step (losses falling with the step), a sample picture and a
     * checkpoint (a tiny {@code mapper.safetensors} with the job's metadata and a {@code checkpoint.json} in its layout)
     * per epoch, resuming from a checkpoint in the folder. lr above 5 diverges at once.
     */
    @Override
    public Task trainMapper(MapperTrainRequest r, Listener<MapperTrainResult> listener) {
        mappersRun++;
        boolean[] cancelled = {false};
        Runnable body = () -> {
            try {
                java.nio.file.Files.createDirectories(r.folder());
                Path json = r.folder().resolve("checkpoint.json");
                var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
                int start = java.nio.file.Files.exists(json) ? mapper.readTree(json.toFile()).path("epoch").asInt() : 0;
                String groups = dev.styleclip.edit.WGroups.format(r.groups());
                for (int e = start; e < r.epochs(); e++) {
                    for (int s = 0; s < r.stepsPerEpoch(); s++) {
                        int step = e * r.stepsPerEpoch() + s + 1;
                        if (cancelled[0] || step == mapperCancelAtStep) {
                            listener.cancelled();
                            return;
                        }
                        if (r.lr() > 5) throw new dev.styleclip.runtime.DivergedException("train mapper", step, "total", Double.NaN);
                        Map<String, Double> losses = new LinkedHashMap<>();
                        losses.put("total", 1.0 / step);
                        losses.put("clip", 0.8 / step);
                        losses.put("l2", r.lambdaL2() / step);
                        losses.put("id", r.lambdaId() / step);
                        listener.frame(new Frame("train mapper", step, r.epochs() * r.stepsPerEpoch(), losses, r.lr(),
                                Map.of("epoch", e + 1.0), null, step * 100L, null));
                    }
                    dev.styleclip.io.Safetensors.write(r.folder().resolve("mapper.safetensors"),
                            List.of(dev.styleclip.io.Tensor.ofFloats("course_mapping.mapping.1.weight", new long[]{1}, new float[]{e})),
                            Map.of("prompt", r.prompt(), "groups", groups, "epoch", Integer.toString(e + 1)));
                    java.nio.file.Files.writeString(json, String.format(java.util.Locale.ROOT, "{\"epoch\": %d, \"prompt\": %s, "
                                    + "\"settings\": {\"epochs\": %d, \"steps_per_epoch\": %d, \"batch\": %d, \"seed\": %d, "
                                    + "\"psi\": %s, \"groups\": \"%s\"}}", e + 1, mapper.writeValueAsString(r.prompt()), r.epochs(),
                            r.stepsPerEpoch(), r.batch(), r.seed(), r.psi(), groups));
                    int step = (e + 1) * r.stepsPerEpoch();
                    listener.frame(new Frame("train mapper", step, r.epochs() * r.stepsPerEpoch(), Map.of("epoch_loss", 1.0 / step),
                            r.lr(), Map.of("epoch", e + 1.0), picture(latent(e)), step * 100L, "epoch " + (e + 1) + " checkpoint written"));
                }
                listener.done(new MapperTrainResult(r, r.folder().resolve("mapper.safetensors"), r.epochs(), 0.1, r.lr(), start > 0,
                        "demo network (random weights) for: generator, CLIP, ID, LPIPS", true));
            } catch (Exception e) {
                listener.failed(e);
            }
        };
        if (hold) held.add(body);
        else body.run();
        return flagTask(cancelled);
    }

    /** A task whose cancel sets {@code cancelled[0]}. */
    private static Task flagTask(boolean[] cancelled) {
        return new Task() {
            public void cancel() {
                cancelled[0] = true;
            }

            public void pause() {
            }

            public void resume() {
            }

            public boolean isPaused() {
                return false;
            }
        };
    }

    @Override
    public Task renderStack(StackRequest r, Listener<Rendered> listener) {
        Latent w = r.base();
        for (dev.styleclip.edit.recipe.RecipeStep s : r.steps()) {
            if (!s.enabled()) continue;
            if (s instanceof dev.styleclip.edit.recipe.RecipeStep.LatentDelta d) {
                w = w.plus(new Latent(d.numWs(), d.wDim(), d.delta()), d.strength());
            } else if (s instanceof dev.styleclip.edit.recipe.RecipeStep.Mapper) {
                // a stand-in mapper: M(w) = 1 everywhere
                float[] ones = new float[w.values().length];
                java.util.Arrays.fill(ones, 1f);
                w = w.plus(new Latent(w.numWs(), w.wDim(), ones), s.strength());
            } else {
                listener.failed(new UnsupportedOperationException("the fake backend renders no StyleSpace directions"));
                return Task.NONE;
            }
        }
        listener.done(new Rendered(picture(w), w, generatorLabel(), true,
                r.metricsPrompt() == null ? Map.of() : Map.of("clip_score", 0.25, "id_similarity", 0.8, "lpips", 0.1)));
        return Task.NONE;
    }

    @Override
    public DirectionsInfo directionsInfo() {
        return new DirectionsInfo(false, null, "channel effects not prepared");
    }

    @Override
    public Task prepareDirections(int images, dev.styleclip.edit.directions.Precision precision, Listener<Path> listener) {
        // three "channels", 100 ms each; held back like the other tasks when asked to
        boolean[] cancelled = {false};
        Runnable body = () -> {
            for (int c = 1; c <= 3; c++) {
                if (cancelled[0]) {
                    listener.cancelled();
                    return;
                }
                listener.frame(new Frame("directions", c, 3, Map.of(), Double.NaN, Map.of(), null, 100L * c, null));
            }
            listener.failed(new UnsupportedOperationException("no directions in the fake backend"));
        };
        if (hold) held.add(body);
        else body.run();
        return flagTask(cancelled);
    }

    @Override
    public Task importDirections(Path folder, Listener<Path> listener) {
        listener.failed(new UnsupportedOperationException("no directions in the fake backend"));
        return Task.NONE;
    }

    @Override
    public Task direction(DirectionRequest request, Listener<dev.styleclip.edit.recipe.RecipeStep.Direction> listener) {
        listener.failed(new UnsupportedOperationException("no directions in the fake backend"));
        return Task.NONE;
    }

    @Override
    public boolean encoderAvailable() {
        return false;
    }

    @Override
    public Task invert(InvertRequest request, Listener<Inverted> listener) {
        listener.failed(new UnsupportedOperationException("no inversion in the fake backend"));
        return Task.NONE;
    }

    /** The batches asked for. */
    final List<RecipeBatchPort.RecipeBatchRequest> batches = new ArrayList<>();

    /** Every input of the folder "done" at once, with no files written. */
    @Override
    public Task applyRecipe(RecipeBatchPort.RecipeBatchRequest request, java.util.function.Consumer<RecipeBatch.Outcome> each,
                            Listener<List<RecipeBatch.Outcome>> listener) {
        batches.add(request);
        try {
            List<RecipeBatch.Outcome> all = new ArrayList<>();
            for (Path in : RecipeBatch.inputs(request.inputs())) {
                RecipeBatch.Outcome o = new RecipeBatch.Outcome(in, RecipeBatch.Status.DONE, "fake", List.of(), all.size());
                all.add(o);
                each.accept(o);
            }
            listener.done(all);
        } catch (java.io.IOException e) {
            listener.failed(e);
        }
        return Task.NONE;
    }

    void release() {
        List<Runnable> h = new ArrayList<>(held);
        held.clear();
        h.forEach(Runnable::run);
    }

    /** Every demo architecture, as a backend without installed pickles offers them. */
    @Override
    public List<GeneratorSource> generators() {
        return DemoNetworks.ARCHITECTURES.stream().map(GeneratorSource::demo).toList();
    }

    @Override
    public GeneratorSource generator() {
        return generator;
    }

    @Override
    public void chooseGenerator(GeneratorSource source) {
        if (source == null || source.isDemo()) generator = source == null ? GeneratorSource.demo(DemoNetworks.DEFAULT) : source;
    }

    @Override
    public void setMemoryBudget(long bytes) {
    }

    /** No plan to report: the fake needs no memory. */
    @Override
    public Task memoryEstimate(EditMethod method, boolean regions, Listener<String> listener) {
        listener.done("");
        return Task.NONE;
    }

    /** No face-api: the mean face, as the real service without it. */
    @Override
    public Task faceLandmarks(Pixels picture, Listener<dev.styleclip.edit.FaceLandmarks> listener) {
        listener.done(dev.styleclip.edit.FaceLandmarks.meanFace(picture.width(), "face-api is not installed"));
        return Task.NONE;
    }

    @Override
    public boolean faceApiAvailable() {
        return false;
    }

    @Override
    public Task faceCheck(Pixels before, Pixels after, Listener<String> listener) {
        listener.failed(new UnsupportedOperationException("no face-api in the fake backend"));
        return Task.NONE;
    }

    @Override
    public void close() {
    }
}
