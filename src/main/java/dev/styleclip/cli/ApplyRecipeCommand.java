package dev.styleclip.cli;

import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.cli.common.GeneratorOption;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.cli.common.MemoryOption;
import dev.styleclip.cli.common.ShardOption;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.batch.Shard;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeBatch;
import dev.styleclip.edit.recipe.RecipeBatchReport;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.models.ModelRole;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * {@code ./styleclip apply-recipe RECIPE.json --inputs DIR --out DIR}: runs a studio recipe (its edit stack) over a folder
 * through {@link RecipeBatch} (the studio's File ▸ Apply recipe to folder runs the same): this command checks its
 * options, prints a line per input as it ends and the totals. A failing input is reported and the rest go on; the exit
 * code is then 1. With {@code --shard I/N} (or a scheduler's array environment, {@link ShardOption}) it runs only that
 * shard's inputs; {@code --report} runs nothing and says, from the files, what is done, failed and missing
 * ({@link RecipeBatchReport}), exit 0 only when all is done.
 */
@Command(name = "apply-recipe", description = "Apply a saved edit recipe to every photo or latent in a folder.")
public final class ApplyRecipeCommand implements Callable<Integer> {
    /** The batch's job name: its own frames carry it, an input's work carries it and the input's name. */
    private static final String JOB = "apply-recipe";

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

    @Option(names = "--faces", paramLabel = "WHICH", defaultValue = "all",
            description = "which faces of a photo to edit: largest | all (default ${DEFAULT-VALUE})")
    String faces;

    @Option(names = "--no-paste-back", description = "do not write a photo's whole picture with its edited faces pasted back (<stem>.photo.png)")
    boolean noPasteBack;

    @CommandLine.Mixin
    ShardOption shards;

    @Option(names = "--report", description = "run nothing: say which inputs are done, failed (with the reason) and missing, "
            + "per shard when the shards are known; exit 0 only when all are done")
    boolean report;

    @Option(names = "--json", description = "with --report: print it as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (json && !report) throw new IllegalArgumentException("--json is for --report");
        if (report) return report();
        Shard shard = shards.toRun(System.getenv()); // a bad --shard or environment is refused before anything is written
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
        RecipeBatch.Faces whichFaces = RecipeBatch.Faces.parse(faces);
        PhotoInversion.Settings inv = new PhotoInversion.Settings(PhotoInversion.Method.parse(invert), steps, null, false, wAvgSamples, 0);
        GeneratorSource source = generator.source(); // refuses a bad --generator / --demo before any work
        // the files given, else the models folder's (as the studio's Invert), else demo / none
        boolean demo = generator.demoNetworks();
        encoder = InstalledNetworks.find(encoder, "--encoder", ModelRole.ENCODER, demo);
        lpipsVgg = InstalledNetworks.find(lpipsVgg, "--lpips-vgg", ModelRole.VGG16, demo);
        idModel = InstalledNetworks.find(idModel, "--id-model", ModelRole.IDENTITY, demo);
        if (faceApi != null && !Files.isDirectory(faceApi)) throw new IllegalArgumentException("--face-api " + faceApi + " is not a folder");
        List<Path> files = RecipeBatch.inputs(inputs);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--inputs " + inputs + " holds no " + RecipeBatch.acceptedInputs());
        }
        boolean photos = files.stream().anyMatch(RecipeBatch::isImage);
        InstalledNetworks.Using using = new InstalledNetworks.Using().add(source);
        if (photos) {
            if (inv.method().usesEncoder()) using.add("encoder", encoder);
            using.add("LPIPS", lpipsVgg);
            if (idModel != null) using.add("ID", idModel);
        }
        // face-api by the one rule (the models folder, the studio's); photos cannot go on without it
        Path faceApiDir = photos ? InstalledNetworks.requireFaceApi(faceApi, "--face-api", "leave the photos out")
                : InstalledNetworks.faceApi(faceApi, "--face-api");
        if (photos && inv.method().usesEncoder() && encoder == null) {
            throw new IllegalArgumentException("--invert " + inv.method().cliName() + " needs --encoder FILE (restyle_*_ffhq.pt)");
        }
        o.printf(Locale.ROOT, "Recipe %s: %d step(s)%s; %d input(s)%s%n", recipeFile.getFileName(), recipe.steps().size(),
                recipe.generator() == null ? "" : " (made with " + recipe.generator() + ")", files.size(),
                shard.isAll() ? "" : ", " + shard.select(inputs, files).size() + " in shard " + shard);
        for (RecipeStep st : recipe.steps()) {
            o.printf(Locale.ROOT, "  %s “%s” strength %.3g%s%n", RecipeStep.kind(st), st.label(), st.strength(), st.enabled() ? "" : " (off)");
        }
        o.flush();

        RecipeBatch.Request request = new RecipeBatch.Request(recipe, recipeFile, inputs, out, force, inv,
                new PhotoImport.Networks(source, encoder, lpipsVgg, idModel, faceApiDir), whichFaces, !noPasteBack, shard);
        List<RecipeBatch.Outcome> outcomes;
        try (ComputeService service = new ComputeService()) {
            service.setMemoryBudget(memory.bytes());
            outcomes = service.run(JOB, RecipeBatch.job(request, new RecipeBatch.Listener() {
                @Override
                public void checked() {
                    using.print(err); // once the generator is open: a bad file stays a one-line error
                }

                @Override
                public void finished(int index, int count, RecipeBatch.Outcome r) {
                    String head = String.format(Locale.ROOT, "[%d/%d] %s", index + 1, count, r.name());
                    o.println(head + switch (r.status()) {
                        case DONE -> ": " + r.detail();
                        case SKIPPED -> ": done before, skipped (--force redoes it)";
                        case FAILED -> ": FAILED: " + Cli.printable(r.detail());
                    });
                    o.flush();
                }
            }), progress(err));
        }
        List<String> failed = outcomes.stream().filter(r -> r.status() == RecipeBatch.Status.FAILED).map(RecipeBatch.Outcome::name).toList();
        o.printf(Locale.ROOT, "%d edited, %d skipped, %d failed%s%n", count(outcomes, RecipeBatch.Status.DONE),
                count(outcomes, RecipeBatch.Status.SKIPPED), failed.size(), failed.isEmpty() ? "" : ": " + String.join(", ", failed));
        return failed.isEmpty() ? 0 : 1;
    }

    /** {@code --report}: the files only, nothing run and nothing written (a missing output folder is all missing). */
    private int report() throws Exception {
        if (!Files.isDirectory(inputs)) throw new IllegalArgumentException("--inputs " + inputs + " is not a folder");
        RecipeBatchReport r = RecipeBatchReport.of(inputs, out, shards.countToReport(System.getenv()));
        ApplyRecipeReport.print(spec.commandLine().getOut(), r, json);
        return r.complete() ? 0 : 1;
    }

    private static long count(List<RecipeBatch.Outcome> outcomes, RecipeBatch.Status status) {
        return outcomes.stream().filter(r -> r.status() == status).count();
    }

    /** A progress bar for each photo's inversion: the batch's own frames name the input, the others are its steps. */
    private static Consumer<Frame> progress(PrintWriter err) {
        AtomicReference<Consumer<Frame>> bar = new AtomicReference<>(f -> { });
        return f -> {
            if (RecipeBatch.isBatchFrame(f, JOB)) bar.set(ProgressBar.frames(err, "inverting " + f.message()));
            else bar.get().accept(f);
        };
    }
}
