package dev.styleclip.cli;

import dev.styleclip.cli.common.EditCliModels;
import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.cli.common.MemoryOption;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.recipe.StackRendering;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeRenderer;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npz;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.JobContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code ./styleclip apply-recipe RECIPE.json --inputs DIR --out DIR}: runs a studio recipe (its edit stack) over a folder.
 * Latents ({@code .npz} / {@code .npy}) are edited as they are; photos are aligned (face-api, the largest face) and
 * inverted first. For each input {@code <stem>.png} (edited), {@code <stem>.source.png} (unedited), {@code <stem>.npz}
 * ({@code w}, {@code w_edited}) and, last, {@code <stem>.json} (what was done); inputs whose JSON exists are skipped
 * unless {@code --force}. A failing input is reported and the rest go on; the exit code is then 1.
 */
@Command(name = "apply-recipe", description = "Apply a saved edit recipe to every photo or latent in a folder.")
public final class ApplyRecipeCommand implements Callable<Integer> {
    static final List<String> LATENT_EXT = List.of(".npz", ".npy");
    static final List<String> IMAGE_EXT = List.of(".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RECIPE", description = "a recipe saved by the studio (Edit ▸ Save recipe)")
    Path recipeFile;

    @Option(names = "--inputs", required = true, paramLabel = "DIR", description = "folder of photos and/or latents (.npz/.npy)")
    Path inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the results")
    Path out;

    @CommandLine.Mixin
    GeneratorOption generator;
    @CommandLine.Mixin
    MemoryOption memory;

    @Option(names = "--face-api", paramLabel = "DIR", description = "face-api model folder for photos (default: ~/.cache/styleclip/face-api-1.7.15/model)")
    Path faceApi;

    @Option(names = "--invert", paramLabel = "M", defaultValue = "projection",
            description = "how photos become latents: projection | encoder | encoder+projection (default ${DEFAULT-VALUE})")
    String invert;

    @Option(names = "--encoder", paramLabel = "FILE", description = "ReStyle pSp / e4e checkpoint for the encoder methods (default: the models folder's)")
    Path encoder;

    @Option(names = "--lpips-vgg", paramLabel = "FILE", description = "torchvision VGG16 weights for projection (default: the models folder's, else a demo VGG trunk)")
    Path lpipsVgg;

    @Option(names = "--id-model", paramLabel = "FILE", description = "ArcFace IR-SE-50 (model_ir_se50.pth): report the identity kept by inversion (default: the models folder's, else none)")
    Path idModel;

    @Option(names = "--steps", paramLabel = "N", description = "projection steps (default 1000; 100 after the encoder)")
    Integer steps;

    @Option(names = "--w-avg-samples", paramLabel = "N", defaultValue = "10000", description = "z samples for w_avg / w_std in projection (default ${DEFAULT-VALUE})")
    int wAvgSamples;

    @Option(names = "--force", description = "redo inputs whose results exist")
    boolean force;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFolder(out); // before any work: a bad output place is known now, not at the end
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isRegularFile(recipeFile)) throw new IllegalArgumentException(recipeFile + ": no such recipe file");
        Recipe recipe;
        try {
            recipe = RecipeFiles.read(recipeFile);
        } catch (IOException e) {
            throw new IllegalArgumentException("the recipe cannot be read: " + e.getMessage());
        }
        if (!Files.isDirectory(inputs)) throw new IllegalArgumentException("--inputs " + inputs + " is not a folder");
        if (Files.isDirectory(out) && Files.isSameFile(out, inputs)) {
            throw new IllegalArgumentException("--out must not be the --inputs folder (the results would mix with the inputs)");
        }
        PhotoInversion.Settings inv = new PhotoInversion.Settings(PhotoInversion.Method.parse(invert), steps, null, false, wAvgSamples, 0);
        GeneratorSource source = generator.source(); // refuses a bad --generator / --demo before any work
        // the files given, else the models folder's (as the studio's Invert), else demo / none
        boolean demo = generator.demoNetworks();
        encoder = InstalledNetworks.find(encoder, "--encoder", ModelRole.ENCODER, demo);
        lpipsVgg = InstalledNetworks.find(lpipsVgg, "--lpips-vgg", ModelRole.VGG16, demo);
        idModel = InstalledNetworks.find(idModel, "--id-model", ModelRole.IDENTITY, demo);
        if (faceApi != null && !Files.isDirectory(faceApi)) throw new IllegalArgumentException("--face-api " + faceApi + " is not a folder");
        List<Path> files;
        try (Stream<Path> s = Files.list(inputs)) {
            files = s.filter(Files::isRegularFile).filter(p -> isLatent(p) || isImage(p)).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--inputs " + inputs + " holds no photos (" + String.join(" ", IMAGE_EXT)
                    + ") or latents (.npz .npy)");
        }
        boolean photos = files.stream().anyMatch(ApplyRecipeCommand::isImage);
        InstalledNetworks.Using using = new InstalledNetworks.Using().add(source);
        if (photos) {
            if (inv.method().usesEncoder()) using.add("encoder", encoder);
            using.add("LPIPS", lpipsVgg);
            if (idModel != null) using.add("ID", idModel);
        }
        if (photos && !Files.isDirectory(faceApi != null ? faceApi : FaceApi.defaultDir())) {
            throw new IllegalArgumentException("the inputs hold photos but face-api's networks are not installed ("
                    + FaceApi.defaultDir() + "; run scripts/fetch-face-api or pass --face-api DIR)");
        }
        if (photos && inv.method().usesEncoder() && encoder == null) {
            throw new IllegalArgumentException("--invert " + inv.method().cliName() + " needs --encoder FILE (restyle_*_ffhq.pt)");
        }
        java.util.Map<String, Long> stemCount = files.stream().collect(java.util.stream.Collectors.groupingBy(
                ApplyRecipeCommand::stem, java.util.stream.Collectors.counting()));
        o.printf(Locale.ROOT, "Recipe %s: %d step(s)%s; %d input(s)%n", recipeFile.getFileName(), recipe.steps().size(),
                recipe.generator() == null ? "" : " (made with " + recipe.generator() + ")", files.size());
        for (RecipeStep st : recipe.steps()) {
            o.printf(Locale.ROOT, "  %s “%s” strength %.3g%s%n", RecipeStep.kind(st), st.label(), st.strength(), st.enabled() ? "" : " (off)");
        }
        o.flush();

        int done = 0, skipped = 0;
        List<String> failed = new ArrayList<>();
        try (ComputeService service = new ComputeService()) {
            service.setMemoryBudget(memory.bytes());
            checkRecipe(service, recipe);
            using.print(err); // once the generator is open: a bad file stays a one-line error
            for (int i = 0; i < files.size(); i++) {
                Path in = files.get(i);
                String stem = stemCount.get(stem(in)) > 1 ? in.getFileName().toString().replace('.', '_') : stem(in);
                String head = String.format(Locale.ROOT, "[%d/%d] %s", i + 1, files.size(), in.getFileName());
                if (!force && Files.exists(out.resolve(stem + ".json"))) {
                    o.println(head + ": done before, skipped (--force redoes it)");
                    skipped++;
                    continue;
                }
                try {
                    String summary = service.run("apply-recipe " + in.getFileName(), ctx -> applyOne(ctx, recipe, in, stem, inv),
                            EditCliModels.progressBar(err, "inverting " + in.getFileName()));
                    o.println(head + ": " + summary);
                    done++;
                } catch (Exception e) {
                    failed.add(in.getFileName().toString());
                    o.println(head + ": FAILED: " + Cli.oneLine(e));
                }
                o.flush();
            }
        }
        o.printf(Locale.ROOT, "%d edited, %d skipped, %d failed%s%n", done, skipped, failed.size(),
                failed.isEmpty() ? "" : ": " + String.join(", ", failed));
        return failed.isEmpty() ? 0 : 1;
    }

    /**
     * The recipe against the generator, once, before any input: a recipe made for another generator, a mapper that is
     * missing or of another size, an absurd strength are the recipe's fault (exit 2), not one input's.
     */
    private void checkRecipe(ComputeService service, Recipe recipe) throws Exception {
        service.run("check recipe", ctx -> {
            StyleGan3Generator g = EditNetworks.generator(ctx, generator.source());
            try {
                RecipeRenderer.check(ctx, g, recipe.steps());
            } catch (IllegalArgumentException | IOException e) {
                throw new IllegalArgumentException("the recipe does not fit: " + Cli.oneLine(e), e);
            }
            return null;
        }, null);
    }

    private String applyOne(JobContext ctx, Recipe recipe, Path in, String stem, PhotoInversion.Settings inv) throws Exception {
        GeneratorSource source = generator.source();
        StyleGan3Generator g = EditNetworks.generator(ctx, source);
        Latent w;
        ObjectNode report = JSON.createObjectNode();
        report.put("input", in.toAbsolutePath().toString());
        report.put("recipe", recipeFile.toAbsolutePath().toString());
        report.put("generator", source.isDemo() ? source.describe() : source.file().toAbsolutePath().toString());
        if (isLatent(in)) {
            w = LatentFile.read(in);
            if (w.numWs() != g.numWs() || w.wDim() != g.wDim()) {
                throw new IllegalArgumentException("the latent is " + w.numWs() + "x" + w.wDim() + ", the generator takes "
                        + g.numWs() + "x" + g.wDim());
            }
            report.put("source", "latent");
        } else {
            // the largest face; no identity score without --id-model (a demo ID network would give a meaningless one)
            PhotoImport photo = PhotoImport.load(ctx, new PhotoImport.Networks(source, encoder, lpipsVgg, idModel,
                    faceApi != null ? faceApi : FaceApi.defaultDir()), inv.method());
            StyleGan3Generator pg = photo.generator();
            if (pg.numWs() != g.numWs() || pg.wDim() != g.wDim()) {
                throw new IllegalArgumentException("the encoder's generator (" + pg.numWs() + "x" + pg.wDim()
                        + ") does not match the generator the recipe runs on");
            }
            RgbImage aligned = photo.align(ctx, in, 0, null);
            BufferedImage al = Images.toBufferedImage(aligned);
            AtomicFiles.write(out.resolve(stem + ".aligned.png"), os -> ImageIO.write(al, "png", os));
            PhotoInversion.Result r = photo.invert(ctx, aligned, inv);
            w = new Latent(r.numWs(), r.wDim(), r.w());
            report.put("source", "photo");
            report.put("inversion", inv.method().cliName());
            report.put("inversion_lpips", r.lpips());
            if (!Double.isNaN(r.idSimilarity())) report.put("inversion_id_similarity", r.idSimilarity());
        }
        // the generator's own input transform, as a recipe is applied to latents that carry no Source-tab transform
        StackRendering.Result res = StackRendering.render(ctx, new EditNetworks.Files(source, null, null, null),
                new StackRendering.Request(w, recipe.steps(), null, null, true));
        float[] w0 = w.values(), wEdited = res.edited().values();
        AtomicFiles.write(out.resolve(stem + ".source.png"), os -> ImageIO.write(res.source(), "png", os));
        AtomicFiles.write(out.resolve(stem + ".png"), os -> ImageIO.write(res.image(), "png", os));
        Npz.write(out.resolve(stem + ".npz"), new java.util.LinkedHashMap<>(java.util.Map.of(
                "w", Npz.Array.of(w0, 1, g.numWs(), g.wDim()), "w_edited", Npz.Array.of(wEdited, 1, g.numWs(), g.wDim()))));
        double moved = 0;
        for (int k = 0; k < w0.length; k++) moved += (wEdited[k] - w0[k]) * (double) (wEdited[k] - w0[k]);
        report.put("w_l2_change", Math.sqrt(moved));
        report.put("edited", stem + ".png");
        report.put("unedited", stem + ".source.png");
        report.put("latents", stem + ".npz");
        AtomicFiles.writeString(out.resolve(stem + ".json"), JSON.writeValueAsString(report));
        return String.format(Locale.ROOT, "%s → %s.png (‖Δw‖ %.3f%s)", report.path("source").asText(), stem, Math.sqrt(moved),
                report.has("inversion_lpips") ? String.format(Locale.ROOT, ", inversion LPIPS %.4f", report.path("inversion_lpips").asDouble()) : "");
    }

    static boolean isLatent(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return LATENT_EXT.stream().anyMatch(n::endsWith);
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return IMAGE_EXT.stream().anyMatch(n::endsWith);
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}
