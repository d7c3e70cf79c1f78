package dev.styleclip.studio;

import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.Latents;
import dev.styleclip.studio.service.StudioBackend;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A synchronous stand-in backend for view-model tests (no DJL, no stage): pictures and latents are derived from the
 * seed / latent values; edits move the latent by the prompt's length and emit one frame per step. Tasks can be held
 * back ({@link #hold}) to test cancel.
 */
final class FakeBackend implements StudioBackend {
    static final int NUM_WS = 4, W_DIM = 3, SIZE = 8;
    boolean editAvailable = true;
    boolean failGenerate;
    boolean hold;
    final List<Runnable> held = new ArrayList<>();
    int editsRun;

    static Pixels picture(Latents w) {
        int[] argb = new int[SIZE * SIZE];
        int c = Float.floatToIntBits(w.values()[0]) ^ Float.floatToIntBits(w.values()[w.values().length - 1]);
        java.util.Arrays.fill(argb, 0xff000000 | (c & 0xffffff));
        return new Pixels(SIZE, SIZE, argb);
    }

    static Latents latent(long seed) {
        float[] v = new float[NUM_WS * W_DIM];
        for (int i = 0; i < v.length; i++) v[i] = (float) Math.sin(seed * 7 + i);
        return new Latents(NUM_WS, W_DIM, v);
    }

    @Override
    public String deviceName() {
        return "fake";
    }

    @Override
    public String generatorLabel() {
        return "demo network";
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
        Latents w = latent(request.seed());
        listener.done(new Rendered(picture(w), w, "demo network", true));
        return Task.NONE;
    }

    @Override
    public Task synthesize(Latents ws, GenerateRequest source, Listener<Rendered> listener) {
        listener.done(new Rendered(picture(ws), ws, "demo network", true));
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
    public boolean editAvailable(EditMethod method) {
        return editAvailable && (method == EditMethod.OPTIMIZE_W || method == EditMethod.OPTIMIZE_Z);
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
            Latents w = r.start();
            for (int s = 1; s <= r.steps(); s++) {
                float[] v = w.values().clone();
                for (int i = 0; i < v.length; i++) v[i] += (float) (0.01 * r.prompt().length() * (1 - r.lambdaL2()));
                w = new Latents(w.numWs(), w.wDim(), v);
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

    void release() {
        List<Runnable> h = new ArrayList<>(held);
        held.clear();
        h.forEach(Runnable::run);
    }

    @Override
    public void close() {
    }
}
