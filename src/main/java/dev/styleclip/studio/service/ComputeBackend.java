package dev.styleclip.studio.service;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.face.FaceApiAlign;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Files;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.JobHandle;
import dev.styleclip.runtime.ModelCatalog;
import dev.styleclip.runtime.Pixels;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The real backend: every task is a job on the single {@link ComputeService} thread, reported through the {@link ComputeBridge}. */
public final class ComputeBackend implements StudioBackend {
    private final ComputeBridge bridge;
    private final ModelCatalog catalog;
    private final EditEngine editEngine;
    private final boolean ownsCompute;

    public ComputeBackend(ComputeBridge bridge, ModelCatalog catalog, EditEngine editEngine, boolean ownsCompute) {
        this.bridge = bridge;
        this.catalog = catalog;
        this.editEngine = editEngine;
        this.ownsCompute = ownsCompute;
    }

    /** The compute thread on the default device, the models of {@code catalog}, the latent optimisation engine. */
    public static ComputeBackend standard(ModelCatalog catalog) {
        return new ComputeBackend(new ComputeBridge(new ComputeService()), catalog, new OptimizationEngine(catalog), true);
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    @Override
    public String deviceName() {
        return bridge.compute().deviceName();
    }

    private Optional<Path> generatorFile() {
        return catalog.find(ModelCatalog.Role.GENERATOR);
    }

    @Override
    public String generatorLabel() {
        return generatorFile().map(p -> p.getFileName().toString()).orElse(DemoNetworks.LABEL);
    }

    @Override
    public boolean demo() {
        return generatorFile().isEmpty();
    }

    /**
     * The generator, loaded once on the compute thread; the cache entry ("generator", absolute path or "demo") is the
     * one the edit engines use too, so one copy is shared.
     */
    static StyleGan3Generator generator(JobContext ctx, Path file) throws Exception {
        Object key = file == null ? "demo" : file.toAbsolutePath().normalize().toString();
        return ctx.models().get("generator", key, StyleGan3Generator.class,
                () -> StyleGan3Files.openOrDemo(file, NDManager.newBaseManager(ctx.device())));
    }

    static Pixels pixels(BufferedImage img) {
        int w = img.getWidth(), h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        for (int i = 0; i < argb.length; i++) argb[i] |= 0xff000000;
        return new Pixels(w, h, argb);
    }

    public static Pixels pixels(RgbImage img) {
        int[] p = img.toPackedRgb();
        for (int i = 0; i < p.length; i++) p[i] |= 0xff000000;
        return new Pixels(img.width(), img.height(), p);
    }

    static StyleGan3Generator.Options options(GenerateRequest r) {
        double[][] m = r == null ? StyleGan3Generator.identity()
                : StyleGan3Generator.makeTransform(r.translateX(), r.translateY(), r.rotateDeg());
        return StyleGan3Generator.Options.defaults().transform(StyleGan3Generator.inverse(m));
    }

    /** The generate job: z from the seed, mapping with ψ, synthesis with the transform. */
    public static Job<Rendered> generateJob(Path file, GenerateRequest r) {
        return ctx -> {
            StyleGan3Generator g = generator(ctx, file);
            return ctx.step(sm -> {
                double[] z = NumpyRandom.latent(r.seed(), g.zDim());
                float[] zf = new float[z.length];
                for (int i = 0; i < z.length; i++) zf[i] = (float) z[i];
                NDArray ws = g.mapping(sm.create(zf, new Shape(1, zf.length)), r.psi(), null);
                NDArray img = g.synthesis(ws, options(r));
                Latents lat = new Latents(g.numWs(), g.wDim(), ws.toFloatArray());
                return new Rendered(pixels(GeneratorImages.toImage(img, 0)), lat, label(file), g.isDemo());
            });
        };
    }

    public static Job<Rendered> synthesizeJob(Path file, Latents ws, GenerateRequest source) {
        return ctx -> {
            StyleGan3Generator g = generator(ctx, file);
            if (ws.numWs() != g.numWs() || ws.wDim() != g.wDim()) {
                throw new IllegalArgumentException("the latent is " + ws.numWs() + "x" + ws.wDim() + " but the generator takes "
                        + g.numWs() + "x" + g.wDim() + " (was it made with another generator?)");
            }
            return ctx.step(sm -> {
                NDArray w = sm.create(ws.values(), new Shape(1, ws.numWs(), ws.wDim()));
                NDArray img = g.synthesis(w, options(source));
                return new Rendered(pixels(GeneratorImages.toImage(img, 0)), ws, label(file), g.isDemo());
            });
        };
    }

    private static String label(Path file) {
        return file == null ? DemoNetworks.LABEL : file.getFileName().toString();
    }

    @Override
    public Task generate(GenerateRequest request, Listener<Rendered> listener) {
        return submit("generate seed " + request.seed(), generateJob(generatorFile().orElse(null), request), listener);
    }

    @Override
    public Task synthesize(Latents ws, GenerateRequest source, Listener<Rendered> listener) {
        return submit("render", synthesizeJob(generatorFile().orElse(null), ws, source), listener);
    }

    @Override
    public Task detectFaces(Path photo, Listener<PhotoFaces> listener) {
        Optional<Path> faceApi = catalog.find(ModelCatalog.Role.FACE_API);
        return submit("detect faces", ctx -> {
            RgbImage img = Images.read(photo);
            Pixels px = pixels(img);
            if (faceApi.isEmpty()) return new PhotoFaces(photo, px, List.of(),
                    "face-api networks are not installed: click the eyes and mouth corners to align");
            Path dir = faceApi.get().getParent();
            List<FaceBox> boxes = new ArrayList<>();
            try (FaceApi api = FaceApi.open(dir, ctx.manager())) {
                for (FaceApi.Face f : FaceApiAlign.findFaces(api, img, FaceApi.Detector.SSD, photo.getFileName().toString())) {
                    FaceApi.Box b = f.detection().box();
                    boxes.add(new FaceBox(f.detection().score(), b.x(), b.y(), b.width(), b.height()));
                }
            }
            return new PhotoFaces(photo, px, boxes, boxes.isEmpty() ? "no face found: click the eyes and mouth corners" : null);
        }, listener);
    }

    @Override
    public Task align(Path photo, int faceIndex, double[] points, Listener<Pixels> listener) {
        Optional<Path> gen = generatorFile();
        Optional<Path> faceApi = catalog.find(ModelCatalog.Role.FACE_API);
        return submit("align", ctx -> {
            int size = generator(ctx, gen.orElse(null)).resolution();
            RgbImage img = Images.read(photo);
            FfhqAlign.Result r;
            if (points != null) {
                r = FaceApiAlign.alignFromPoints(img, points, FfhqAlign.Variant.FFHQ, size);
            } else {
                if (faceApi.isEmpty()) throw new IllegalStateException("face-api networks are not installed: click the eyes and mouth corners instead");
                try (FaceApi api = FaceApi.open(faceApi.get().getParent(), ctx.manager())) {
                    List<FaceApi.Face> faces = FaceApiAlign.findFaces(api, img, FaceApi.Detector.SSD, photo.getFileName().toString());
                    if (faceIndex < 0 || faceIndex >= faces.size()) throw new IllegalArgumentException("face " + (faceIndex + 1) + " not found");
                    r = FaceApiAlign.align(img, faces.get(faceIndex), FfhqAlign.Variant.FFHQ, size);
                }
            }
            return pixels(r.image());
        }, listener);
    }

    @Override
    public boolean editAvailable(EditMethod method) {
        return editEngine != null && editEngine.supports(method);
    }

    @Override
    public String editUnavailableReason(EditMethod method) {
        if (editAvailable(method)) return null;
        return switch (method) {
            case MAPPER, GLOBAL_DIRECTION -> method.label() + ": its engine has not landed in this build yet";
            default -> method.label() + ": the latent optimisation engine has not landed in this build yet";
        };
    }

    @Override
    public Task edit(EditRequest request, Listener<EditResult> listener) {
        if (!editAvailable(request.method())) {
            listener.failed(new UnsupportedOperationException(editUnavailableReason(request.method())));
            return Task.NONE;
        }
        return submit("edit: " + request.prompt(), editEngine.job(request, generatorFile().orElse(null)), listener);
    }

    private <R> Task submit(String name, Job<R> job, Listener<R> l) {
        JobHandle<R> h = bridge.submit(name, job, new ComputeBridge.Callbacks<>(l::frame, l::done, l::failed, l::cancelled));
        return new Task() {
            public void cancel() {
                h.cancel();
            }

            public void pause() {
                h.pause();
            }

            public void resume() {
                h.resume();
            }

            public boolean isPaused() {
                return h.isPaused();
            }
        };
    }

    @Override
    public void close() {
        if (ownsCompute) bridge.compute().close();
    }
}
