package dev.styleclip.studio.service;

import ai.djl.ndarray.NDManager;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.PhotoAlignment;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.directions.Precision;
import dev.styleclip.edit.recipe.DirectionStep;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.edit.recipe.StackRendering;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.face.FaceCheck;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobHandle;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.runtime.models.ModelRole;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The real backend: every task is a job on the single {@link ComputeService} thread, reported through the {@link ComputeBridge}. */
public final class ComputeBackend implements StudioBackend {
    private final ComputeBridge bridge;
    private final ModelCatalog catalog;
    private final OptimizationEngine optimization;
    /** A demo architecture the user chose over the installed files, or null. */
    private volatile GeneratorSource chosenDemo;
    private final boolean ownsCompute;

    public ComputeBackend(ComputeBridge bridge, ModelCatalog catalog, boolean ownsCompute) {
        this.bridge = bridge;
        this.catalog = catalog;
        this.optimization = new OptimizationEngine(catalog);
        this.ownsCompute = ownsCompute;
    }

    /** The compute thread on the default device, the models of {@code catalog}, the latent optimisation engine. */
    public static ComputeBackend standard(ModelCatalog catalog) {
        return new ComputeBackend(new ComputeBridge(new ComputeService()), catalog, true);
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    @Override
    public String deviceName() {
        return bridge.compute().deviceName();
    }

    private Optional<Path> generatorFile() {
        return catalog.find(ModelRole.GENERATOR);
    }

    /** The generator in use: a chosen demo network, else the chosen or installed file, else the default demo. */
    private GeneratorSource generatorSource() {
        GeneratorSource d = chosenDemo;
        return d != null ? d : GeneratorSource.fileOrDemo(generatorFile().orElse(null));
    }

    @Override
    public GeneratorSource generator() {
        return generatorSource();
    }

    @Override
    public String generatorLabel() {
        return label(generatorSource());
    }

    @Override
    public boolean demo() {
        return generatorSource().isDemo();
    }


    /** The Source tab's translate / rotate (none without a seed: a latent from a file is rendered untransformed). */
    static double[][] transform(GenerateRequest r) {
        return r == null ? InputTransform.identity() : InputTransform.make(r.translateX(), r.translateY(), r.rotateDeg());
    }

    /** "sg3.pkl"; "demo network", with the architecture when it is not the default one. */
    public static String label(GeneratorSource source) {
        if (!source.isDemo()) return source.file().getFileName().toString();
        return source.demo().equals(DemoNetworks.DEFAULT) ? DemoNetworks.LABEL : DemoNetworks.LABEL + " (" + source.demo() + ")";
    }

    @Override
    public Task generate(GenerateRequest request, Listener<Rendered> listener) {
        GeneratorSource gen = generatorSource();
        FaceGeneration.Request r = new FaceGeneration.Request(request.seed(), request.psi(), null, transform(request));
        return submit("generate seed " + request.seed(), ctx -> rendered(FaceGeneration.job(gen, r).run(ctx), gen), listener);
    }

    @Override
    public Task synthesize(Latent ws, GenerateRequest source, Listener<Rendered> listener) {
        GeneratorSource gen = generatorSource();
        return submit("render", ctx -> rendered(FaceGeneration.renderJob(gen, ws, transform(source)).run(ctx), gen), listener);
    }

    private static Rendered rendered(FaceGeneration.Result r, GeneratorSource gen) {
        return new Rendered(Pixels.of(r.image()), r.ws(), label(gen), gen.isDemo());
    }

    @Override
    public Task detectFaces(Path photo, Listener<PhotoFaces> listener) {
        Path dir = faceApiDir();
        return submit("detect faces", ctx -> {
            RgbImage img = Images.read(photo);
            Pixels px = Pixels.of(img);
            if (dir == null) return new PhotoFaces(photo, px, List.of(),
                    "face-api networks are not installed: click the eyes and mouth corners to align");
            List<FaceBox> boxes = new ArrayList<>();
            for (FaceApi.Face f : PhotoAlignment.faces(ctx.manager(), dir, img, FaceApi.Detector.SSD, photo.getFileName().toString())) {
                FaceApi.Box b = f.detection().box();
                boxes.add(new FaceBox(f.detection().score(), b.x(), b.y(), b.width(), b.height(),
                        f.landmarks() == null ? null : f.landmarks().positions()));
            }
            return new PhotoFaces(photo, px, boxes, boxes.isEmpty() ? "no face found: click the eyes and mouth corners" : null);
        }, listener);
    }

    @Override
    public Task align(Path photo, int faceIndex, double[] points, Listener<Pixels> listener) {
        GeneratorSource gen = generatorSource();
        Path dir = faceApiDir();
        return submit("align", ctx -> Pixels.of(PhotoAlignment.alignForInversion(ctx.manager(), dir, photo, faceIndex, points,
                EditNetworks.generator(ctx, gen).resolution())), listener);
    }

    /** face-api's model folder, or null when it is not installed. */
    private Path faceApiDir() {
        return catalog.find(ModelRole.FACE_API).map(Path::getParent).orElse(null);
    }

    /** The networks of an edit, with the generator in use (a chosen demo architecture too, not only the file). */
    private EditNetworks.Files editFiles() {
        return OptimizationEngine.files(catalog, generatorSource());
    }

    // ---- edit stacks -----------------------------------------------------------------------------------------

    @Override
    public Task renderStack(StackRequest request, Listener<Rendered> listener) {
        EditNetworks.Files files = editFiles();
        StackRendering.Request r = new StackRendering.Request(request.base(), request.steps(), transform(request.source()),
                request.metricsPrompt(), false);
        return submit("render stack", ctx -> {
            StackRendering.Result res = StackRendering.render(ctx, files, r);
            return new Rendered(Pixels.of(res.image()), res.edited(), label(files.generator()), files.generator().isDemo(), res.metrics());
        }, listener);
    }

    // ---- global directions -----------------------------------------------------------------------------------

    /** The directions of the generator in use (a chosen demo architecture has its own) with the installed CLIP. */
    private InstalledDirections directions() {
        return new InstalledDirections(generatorSource(), catalog.find(ModelRole.CLIP).orElse(null));
    }

    @Override
    public DirectionsInfo directionsInfo() {
        return directions().info();
    }

    @Override
    public Task prepareDirections(int images, Precision precision, Listener<Path> listener) {
        return submit("prepare global directions", directions().prepare(editFiles(), images, precision), listener);
    }

    @Override
    public Task importDirections(Path folder, Listener<Path> listener) {
        return submit("import global directions", directions().importPublished(generatorSource(), folder), listener);
    }

    @Override
    public Task direction(DirectionRequest r, Listener<RecipeStep.Direction> listener) {
        EditNetworks.Files files = editFiles();
        InstalledDirections installed = directions();
        DirectionStep.Request request = new DirectionStep.Request(r.neutral(), r.target(), r.alpha(), r.beta());
        return submit("global direction", ctx -> DirectionStep.job(files, installed.requireResult(), request).run(ctx), listener);
    }

    // ---- generators and memory ---------------------------------------------------------------------------------

    @Override
    public List<GeneratorSource> generators() {
        List<GeneratorSource> out = new ArrayList<>();
        for (Path p : catalog.findAll(ModelRole.GENERATOR)) out.add(GeneratorSource.file(p));
        out.addAll(DemoNetworks.ARCHITECTURES.stream().map(GeneratorSource::demo).toList());
        return out;
    }

    @Override
    public void chooseGenerator(GeneratorSource source) {
        if (source != null && source.isDemo()) {
            chosenDemo = source;
        } else {
            chosenDemo = null;
            catalog.prefer(ModelRole.GENERATOR, source == null ? null : source.file());
        }
    }

    @Override
    public void setMemoryBudget(long bytes) {
        bridge.compute().setMemoryBudget(bytes);
    }

    @Override
    public Task memoryEstimate(EditMethod method, Listener<String> listener) {
        EditNetworks.Files files = editFiles();
        return submit("memory estimate", ctx -> {
            EditNetworks nets = EditNetworks.load(ctx.models(), files);
            boolean optimise = method == EditMethod.OPTIMIZE_W || method == EditMethod.OPTIMIZE_Z;
            MemoryPlanner.Task task = optimise ? MemoryPlanner.Task.EDIT_STEP : MemoryPlanner.Task.GENERATE;
            List<dev.styleclip.nn.MemoryFootprint> others = optimise ? List.of(nets.clip(), nets.identity()) : List.of();
            return MemoryPlanner.plan(ctx, task, 1, nets.generator(), others).summary();
        }, listener);
    }

    // ---- photos --------------------------------------------------------------------------------------------------

    @Override
    public boolean faceApiAvailable() {
        return catalog.find(ModelRole.FACE_API).isPresent();
    }

    @Override
    public Task faceCheck(Pixels before, Pixels after, Listener<String> listener) {
        Path dir = faceApiDir();
        if (dir == null) {
            listener.failed(new UnsupportedOperationException("face-api's networks are not installed"));
            return Task.NONE;
        }
        return submit("face check", ctx -> {
            FaceApi api = ctx.models().get("face-api", dir.toAbsolutePath().toString(), FaceApi.class,
                    () -> FaceApi.open(dir, NDManager.newBaseManager(ctx.device())));
            return FaceCheck.compare(api, before.toRgbImage(), after.toRgbImage()).describe("source", "current");
        }, listener);
    }

    @Override
    public boolean encoderAvailable() {
        return catalog.find(ModelRole.ENCODER).isPresent();
    }

    @Override
    public Task invert(InvertRequest request, Listener<Inverted> listener) {
        Path encoderFile = catalog.find(ModelRole.ENCODER).orElse(null);
        PhotoInversion.Method method = request.method();
        if (method.usesEncoder() && encoderFile == null) {
            listener.failed(new IllegalStateException("no StyleGAN3 encoder is installed (restyle_*_ffhq.pt in the models folder): "
                    + "invert by projection instead"));
            return Task.NONE;
        }
        PhotoImport.Networks nets = new PhotoImport.Networks(generatorSource(), encoderFile, catalog.find(ModelRole.VGG16).orElse(null),
                catalog.find(ModelRole.IDENTITY).orElse(null), faceApiDir());
        PhotoInversion.Settings s = new PhotoInversion.Settings(method, request.steps() > 0 ? request.steps() : null,
                request.iterations() > 0 ? request.iterations() : null, false, 10_000, 10);
        PhotoImport.Request req = new PhotoImport.Request(request.photo(), request.faceIndex(), request.points(), s);
        return submit("invert photo", ctx -> {
            PhotoImport.Result res = PhotoImport.job(nets, req).run(ctx);
            PhotoInversion.Result r = res.inversion();
            return new Inverted(Pixels.of(res.aligned()), r.reconstruction(), new Latent(r.numWs(), r.wDim(), r.w()), method,
                    r.lpips(), r.idSimilarity(), r.elapsedMs());
        }, listener);
    }

    @Override
    public Task edit(EditRequest request, Listener<EditResult> listener) {
        return submit("edit: " + request.prompt(), optimization.job(request, generatorSource()), listener);
    }

    @Override
    public Task trainMapper(MapperTrainRequest request, Listener<MapperTrainResult> listener) {
        MapperTraining t = new MapperTraining(request, OptimizationEngine.files(catalog, generatorSource()));
        return submit("train mapper: " + request.prompt(), t.job(), t.listener(listener));
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
