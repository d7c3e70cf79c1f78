package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Npz;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.runtime.ForwardingContext;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobCancelledException;
import dev.styleclip.runtime.JobContext;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A recipe applied to a folder: the studio's File ▸ Apply recipe to folder and {@code apply-recipe}. Latents
 * ({@code .npz} / {@code .npy}) are edited as they are; photos are aligned (face-api, the largest face) and inverted
 * first ({@link PhotoImport}, which keeps {@code <stem>.aligned.png} before the long inversion). For each input it
 * writes {@code <stem>.png} (edited), {@code <stem>.source.png} (unedited), {@code <stem>.npz} ({@code w},
 * {@code w_edited}) and, last, {@code <stem>.json} (what was done): an input whose JSON exists is skipped unless
 * {@link Request#force}. The recipe is checked against the generator once, before any input (its faults are the
 * recipe's, not an input's); then an input that fails is reported with its reason and the rest go on.
 *
 * <p>Frames: when input {@code i} (0-based) of {@code n} starts, one of the batch's own ({@link #isBatchFrame}: job =
 * the batch's job name, step {@code i}, total {@code n}, message = the input's file name), and a last one with step
 * {@code n}; in between, the input's own work (the inversion's steps) under the job name "batch job name + ' ' +
 * file name" ({@link #inputName}). Cancel stops at the next step, between inputs or within one: an input's outputs
 * are all written or none (each atomically), so what is on disk stays whole.
 */
public final class RecipeBatch {
    public static final List<String> LATENT_EXT = List.of(".npz", ".npy");
    public static final List<String> IMAGE_EXT = List.of(".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif", ".tif", ".tiff");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * @param recipeFile where the recipe was read from, for the reports (null: not from a file, e.g. the studio's stack)
     * @param force      redo inputs whose results exist
     * @param inversion  how photos become latents
     * @param networks   the generator the recipe runs on, and the networks photos need (face-api, encoder, LPIPS, ID)
     */
    public record Request(Recipe recipe, Path recipeFile, Path inputs, Path out, boolean force,
                          PhotoInversion.Settings inversion, PhotoImport.Networks networks) {
        public Request {
            if (recipe == null || recipe.steps().isEmpty()) throw new IllegalArgumentException("the recipe has no steps");
            if (inputs == null || out == null) throw new IllegalArgumentException("an input and an output folder are needed");
            if (inversion == null) inversion = PhotoInversion.Settings.of(PhotoInversion.Method.PROJECTION);
        }

        GeneratorSource generator() {
            return networks.generator();
        }
    }

    /** What became of one input. */
    public enum Status { DONE, SKIPPED, FAILED }

    /**
     * @param detail  one line: what was done (DONE), why it failed (FAILED), or that it was done before (SKIPPED)
     * @param outputs the input's files in the output folder: the edited picture first (DONE, SKIPPED: those that
     *                exist), or what was written before it failed (FAILED: the aligned face at most)
     * @param elapsedMs the job's time when the input ended (from the job's start: a front end's time per input)
     */
    public record Outcome(Path input, Status status, String detail, List<Path> outputs, long elapsedMs) {
        public Outcome {
            outputs = List.copyOf(outputs);
        }

        public String name() {
            return input.getFileName().toString();
        }
    }

    /** Hears the batch as it goes, on the compute thread (quick work only). */
    public interface Listener {
        /** The recipe fits the generator; the inputs come next. */
        default void checked() {
        }

        /** Input {@code index} (0-based) of {@code count} ended. */
        void finished(int index, int count, Outcome outcome);
    }

    private final Request request;

    public RecipeBatch(Request request) {
        this.request = request;
    }

    /** The batch as one job; outcomes reach {@code listener} as they come and are returned together at the end. */
    public static Job<List<Outcome>> job(Request request, Listener listener) {
        return ctx -> new RecipeBatch(request).run(ctx, listener);
    }

    /** The photos and latents of {@code folder} (by extension), sorted by name. */
    public static List<Path> inputs(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).filter(p -> isLatent(p) || isImage(p)).sorted().toList();
        }
    }

    public static boolean isLatent(Path p) {
        return hasExtension(p, LATENT_EXT);
    }

    public static boolean isImage(Path p) {
        return hasExtension(p, IMAGE_EXT);
    }

    private static boolean hasExtension(Path p, List<String> extensions) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return extensions.stream().anyMatch(n::endsWith);
    }

    /** Whether a frame of a batch named {@code batchJob} is the batch's own (an input starting, or the end). */
    public static boolean isBatchFrame(Frame f, String batchJob) {
        return f.job().equals(batchJob);
    }

    /** The file name of the input a frame of a batch named {@code batchJob} is about (null: the last frame). */
    public static String inputName(Frame f, String batchJob) {
        if (isBatchFrame(f, batchJob)) return f.message();
        return f.job().startsWith(batchJob + " ") ? f.job().substring(batchJob.length() + 1) : f.job();
    }

    /** Runs the batch within the running job. */
    public List<Outcome> run(JobContext ctx, Listener listener) throws Exception {
        Path out = AtomicFiles.prepareFolder(request.out());
        if (Files.isSameFile(out, request.inputs())) {
            throw new IllegalArgumentException("the output folder must not be the input folder (the results would mix with the inputs)");
        }
        List<Path> files = inputs(request.inputs());
        StyleGan3Generator g = check(ctx, files);
        listener.checked();
        // inputs that share a stem (alice.png, alice.npz) keep their whole names, so no result overwrites another's
        Map<String, Long> stemCount = files.stream().collect(Collectors.groupingBy(RecipeBatch::stem, Collectors.counting()));
        List<Outcome> outcomes = new ArrayList<>();
        int n = files.size();
        for (int i = 0; i < n; i++) {
            Path in = files.get(i);
            String stem = stemCount.get(stem(in)) > 1 ? in.getFileName().toString().replace('.', '_') : stem(in);
            ctx.checkCancelled();
            ctx.emit(Frame.status(ctx.jobName(), i, n, ctx.elapsedMs(), in.getFileName().toString()));
            Outcome o = one(ctx, g, in, stem);
            outcomes.add(o);
            listener.finished(i, n, o);
        }
        ctx.emit(Frame.status(ctx.jobName(), n, n, ctx.elapsedMs(), null));
        return outcomes;
    }

    /**
     * What must hold before any input: the recipe fits the generator (else "the recipe does not fit: …"), and photos
     * have the networks they need.
     */
    private StyleGan3Generator check(JobContext ctx, List<Path> files) throws Exception {
        StyleGan3Generator g = EditNetworks.generator(ctx, request.generator());
        try {
            RecipeRenderer.check(ctx, g, request.recipe().steps());
        } catch (IllegalArgumentException | IOException e) {
            throw new IllegalArgumentException("the recipe does not fit: " + reason(e), e);
        }
        if (files.stream().anyMatch(RecipeBatch::isImage)) {
            if (request.networks().faceApiDir() == null) {
                throw new IllegalArgumentException("the inputs hold photos but face-api's networks are not installed");
            }
            PhotoInversion.Method m = request.inversion().method();
            if (m.usesEncoder() && request.networks().encoder() == null) {
                throw new IllegalArgumentException("the inputs hold photos and the " + m.cliName()
                        + " inversion needs a ReStyle encoder (restyle_*_ffhq.pt)");
            }
        }
        return g;
    }

    /** One input: skipped, done or failed; a cancel goes through. Its arrays live in a manager of its own. */
    private Outcome one(JobContext ctx, StyleGan3Generator g, Path in, String stem) throws Exception {
        Path out = request.out();
        List<Path> results = List.of(out.resolve(stem + ".png"), out.resolve(stem + ".source.png"), out.resolve(stem + ".npz"),
                out.resolve(stem + ".json"));
        if (!request.force() && Files.exists(out.resolve(stem + ".json"))) {
            return new Outcome(in, Status.SKIPPED, "done before", results.stream().filter(Files::exists).toList(), ctx.elapsedMs());
        }
        List<Path> written = new ArrayList<>();
        try (NDManager inputManager = ctx.manager().newSubManager()) {
            String summary = apply(new InputContext(ctx, ctx.jobName() + " " + in.getFileName(), inputManager), g, in, stem, written);
            List<Path> all = new ArrayList<>(results);
            written.stream().filter(p -> !all.contains(p)).forEach(all::add); // a photo's aligned face
            return new Outcome(in, Status.DONE, summary, all, ctx.elapsedMs());
        } catch (JobCancelledException e) {
            throw e;
        } catch (Exception e) {
            return new Outcome(in, Status.FAILED, reason(e), written, ctx.elapsedMs());
        }
    }

    private String apply(JobContext ctx, StyleGan3Generator g, Path in, String stem, List<Path> written) throws Exception {
        GeneratorSource source = request.generator();
        Path out = request.out();
        Latent w;
        ObjectNode report = JSON.createObjectNode();
        report.put("input", in.toAbsolutePath().toString());
        if (request.recipeFile() != null) report.put("recipe", request.recipeFile().toAbsolutePath().toString());
        report.put("generator", source.isDemo() ? source.describe() : source.file().toAbsolutePath().toString());
        if (isLatent(in)) {
            w = LatentFile.read(in);
            if (w.numWs() != g.numWs() || w.wDim() != g.wDim()) {
                throw new IllegalArgumentException("the latent is " + w.numWs() + "x" + w.wDim() + ", the generator takes "
                        + g.numWs() + "x" + g.wDim());
            }
            report.put("source", "latent");
        } else {
            w = invert(ctx, in, out.resolve(stem + ".aligned.png"), report, written);
        }
        // the generator's own input transform, as a recipe is applied to latents that carry no Source-tab transform
        StackRendering.Result res = StackRendering.render(ctx, new EditNetworks.Files(source, null, null, null),
                new StackRendering.Request(w, request.recipe().steps(), null, null, true));
        float[] w0 = w.values(), wEdited = res.edited().values();
        double moved = 0;
        for (int k = 0; k < w0.length; k++) moved += (wEdited[k] - w0[k]) * (double) (wEdited[k] - w0[k]);
        report.put("w_l2_change", Math.sqrt(moved));
        report.put("edited", stem + ".png");
        report.put("unedited", stem + ".source.png");
        report.put("latents", stem + ".npz");
        // a cancel that came during the render stops here, so the input is written whole or not at all; the JSON last
        ctx.checkCancelled();
        write(out.resolve(stem + ".source.png"), res.source(), written);
        write(out.resolve(stem + ".png"), res.image(), written);
        Npz.write(out.resolve(stem + ".npz"), new LinkedHashMap<>(Map.of(
                "w", Npz.Array.of(w0, 1, g.numWs(), g.wDim()), "w_edited", Npz.Array.of(wEdited, 1, g.numWs(), g.wDim()))));
        AtomicFiles.writeString(out.resolve(stem + ".json"), JSON.writeValueAsString(report));
        return String.format(Locale.ROOT, "%s → %s.png (‖Δw‖ %.3f%s)", report.path("source").asText(), stem, Math.sqrt(moved),
                report.has("inversion_lpips") ? String.format(Locale.ROOT, ", inversion LPIPS %.4f", report.path("inversion_lpips").asDouble()) : "");
    }

    /** A photo's latent; its aligned face is written first, before the (long) inversion. */
    private Latent invert(JobContext ctx, Path photo, Path alignedFile, ObjectNode report, List<Path> written) throws Exception {
        PhotoInversion.Settings inv = request.inversion();
        PhotoImport p = PhotoImport.load(ctx, request.networks(), inv.method());
        StyleGan3Generator pg = p.generator(), g = EditNetworks.generator(ctx, request.generator());
        if (pg.numWs() != g.numWs() || pg.wDim() != g.wDim()) {
            throw new IllegalArgumentException("the encoder's generator (" + pg.numWs() + "x" + pg.wDim()
                    + ") does not match the generator the recipe runs on");
        }
        RgbImage aligned = p.align(ctx, photo, 0, null);
        write(alignedFile, Images.toBufferedImage(aligned), written);
        PhotoInversion.Result r = p.invert(ctx, aligned, inv);
        report.put("source", "photo");
        report.put("inversion", inv.method().cliName());
        report.put("inversion_lpips", r.lpips());
        if (!Double.isNaN(r.idSimilarity())) report.put("inversion_id_similarity", r.idSimilarity());
        return new Latent(r.numWs(), r.wDim(), r.w());
    }

    private static void write(Path file, BufferedImage image, List<Path> written) throws IOException {
        AtomicFiles.write(file, os -> ImageIO.write(image, "png", os));
        written.add(file);
    }

    /** One line: the message (or the kind of failure when there is none), line breaks as spaces. */
    static String reason(Throwable t) {
        String m = t.getMessage();
        return (m == null || m.isBlank() ? t.getClass().getSimpleName() : m).replaceAll("[\\r\\n\\t]", " ");
    }

    private static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /**
     * The job's context for one input: its own manager (closed when the input ends, so a long folder does not pile up
     * arrays), its frames under the input's job name; all else is the job's.
     */
    private static final class InputContext extends ForwardingContext {
        private final String jobName;
        private final NDManager manager;

        InputContext(JobContext ctx, String jobName, NDManager manager) {
            super(ctx);
            this.jobName = jobName;
            this.manager = manager;
        }

        @Override
        public String jobName() {
            return jobName;
        }

        @Override
        public NDManager manager() {
            return manager;
        }
    }
}
