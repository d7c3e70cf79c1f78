package dev.styleclip.studio.service;

import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.PhotoAlignment;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.runtime.models.ModelRole;

import java.nio.file.Path;
import java.util.List;

/**
 * The Source tab's tasks as jobs: {@link FaceGeneration} for seeds and latents, {@link PhotoAlignment} for a photo's
 * faces and its aligned face, {@link PhotoImport} for the inversion — each with the networks in use, its result mapped
 * to the port's records.
 */
final class SourceService implements SourcePort {
    private final ComputeBridge bridge;
    private final StudioNetworks networks;

    SourceService(ComputeBridge bridge, StudioNetworks networks) {
        this.bridge = bridge;
        this.networks = networks;
    }

    @Override
    public String generatorLabel() {
        return StudioNetworks.label(networks.generator());
    }

    @Override
    public int generatorResolution() {
        return networks.generatorResolution();
    }

    @Override
    public boolean demo() {
        return networks.generator().isDemo();
    }

    @Override
    public List<GeneratorSource> generators() {
        return networks.generators();
    }

    @Override
    public GeneratorSource generator() {
        return networks.generator();
    }

    @Override
    public void chooseGenerator(GeneratorSource source) {
        networks.choose(source);
    }

    @Override
    public boolean encoderAvailable() {
        return networks.file(ModelRole.ENCODER) != null;
    }

    @Override
    public Task generate(GenerateRequest request, Listener<Rendered> listener) {
        GeneratorSource gen = networks.generator();
        FaceGeneration.Request r = new FaceGeneration.Request(request.seed(), request.psi(), null, GenerateRequest.transformOf(request));
        return bridge.task("generate seed " + request.seed(), ctx -> rendered(FaceGeneration.job(gen, r).run(ctx), gen), listener);
    }

    @Override
    public Task synthesize(Latent ws, GenerateRequest source, Listener<Rendered> listener) {
        GeneratorSource gen = networks.generator();
        return bridge.task("render", ctx -> rendered(FaceGeneration.renderJob(gen, ws, GenerateRequest.transformOf(source)).run(ctx), gen),
                listener);
    }

    private static Rendered rendered(FaceGeneration.Result r, GeneratorSource gen) {
        return new Rendered(Pixels.of(r.image()), r.ws(), StudioNetworks.label(gen), gen.isDemo());
    }

    @Override
    public Task detectFaces(Path photo, Listener<PhotoFaces> listener) {
        Path dir = networks.faceApiDir();
        return bridge.task("detect faces", ctx -> {
            PhotoAlignment.Faces found = PhotoAlignment.facesForInversion(ctx.manager(), dir, photo);
            List<FaceBox> boxes = found.faces().stream().map(SourceService::box).toList();
            String note = dir == null ? "face-api networks are not installed: click the eyes and mouth corners to align"
                    : boxes.isEmpty() ? "no face found: click the eyes and mouth corners" : null;
            return new PhotoFaces(photo, Pixels.of(found.photo()), boxes, note);
        }, listener);
    }

    private static FaceBox box(FaceApi.Face f) {
        FaceApi.Box b = f.detection().box();
        return new FaceBox(f.detection().score(), b.x(), b.y(), b.width(), b.height(),
                f.landmarks() == null ? null : f.landmarks().positions());
    }

    @Override
    public Task align(Path photo, int faceIndex, double[] points, Listener<Pixels> listener) {
        GeneratorSource gen = networks.generator();
        Path dir = networks.faceApiDir();
        return bridge.task("align", ctx -> Pixels.of(PhotoAlignment.alignForInversion(ctx.manager(), dir, photo, faceIndex, points,
                EditNetworks.generator(ctx, gen).resolution())), listener);
    }

    @Override
    public Task invert(InvertRequest request, Listener<Inverted> listener) {
        Path encoderFile = networks.file(ModelRole.ENCODER);
        PhotoInversion.Method method = request.method();
        if (method.usesEncoder() && encoderFile == null) {
            listener.failed(new IllegalStateException("no StyleGAN3 encoder is installed (restyle_*_ffhq.pt in the models folder): "
                    + "invert by projection instead"));
            return Task.NONE;
        }
        PhotoImport.Networks nets = networks.photoNetworks();
        PhotoInversion.Settings s = new PhotoInversion.Settings(method, request.steps() > 0 ? request.steps() : null,
                request.iterations() > 0 ? request.iterations() : null, false, 10_000, 10);
        PhotoImport.Request req = new PhotoImport.Request(request.photo(), request.faceIndex(), request.points(), s);
        return bridge.task("invert photo", ctx -> {
            PhotoImport.Result res = PhotoImport.job(nets, req).run(ctx);
            PhotoInversion.Result r = res.inversion();
            return new Inverted(Pixels.of(res.aligned()), r.reconstruction(), new Latent(r.numWs(), r.wDim(), r.w()), method,
                    r.lpips(), r.idSimilarity(), r.elapsedMs());
        }, listener);
    }
}
