package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.PhotoPaste;
import dev.styleclip.edit.batch.Shard;
import dev.styleclip.image.Images;
import dev.styleclip.image.PasteBack;
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
 * ({@code .npz} / {@code .npy}) are edited as they are; in a photo face-api's faces are located once
 * ({@link PhotoPaste#locateAll}: all of them, largest first, or only the largest, {@link Request#faces}) and each is
 * aligned and inverted ({@link PhotoImport}, which keeps {@code <face>.aligned.png} before the long inversion). For each
 * input, and each face of a photo, it writes {@code <face>.png} (edited), {@code <face>.source.png} (unedited),
 * {@code <face>.npz} ({@code w}, {@code w_edited}), where {@code <face>} is {@code <stem>} for a latent and a photo's
 * face 1 (today's names) and {@code <stem>.face<k>} for face k ≥ 2; for a photo, unless {@link Request#pasteBack} is
 * off, {@code <stem>.photo.png}: the whole photo at its size with every edited face pasted back ({@link PhotoPaste});
 * and, last, {@code <stem>.json} (what was done): an input whose JSON exists is skipped unless
 * {@link Request#force} ({@link #isDone}). The recipe is checked against the generator once, before any input (its faults
 * are the recipe's, not an input's); then an input that fails is reported with its reason and the rest go on, and its
 * reason is kept in {@code <stem>.failed.json} ({@code input}, {@code reason}; removed when the input is done later) so
 * that {@link RecipeBatchReport} can list it after the process has gone.
 *
 * <p>A {@link Request#shard} runs only the inputs of that shard ({@link Shard}: by a hash of the input's name); output
 * names come from the whole folder, so the shards of a folder together write exactly what one run over it writes.
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
     * @param faces      which of a photo's faces are edited
     * @param pasteBack  write a photo's whole picture with its edited faces pasted back ({@code <stem>.photo.png})
     * @param shard      the part of the folder to run (null: {@link Shard#ALL})
     */
    public record Request(Recipe recipe, Path recipeFile, Path inputs, Path out, boolean force,
                          PhotoInversion.Settings inversion, PhotoImport.Networks networks, Faces faces, boolean pasteBack,
                          Shard shard) {
        public Request {
            if (recipe == null || recipe.steps().isEmpty()) throw new IllegalArgumentException("the recipe has no steps");
            if (inputs == null || out == null) throw new IllegalArgumentException("an input and an output folder are needed");
            if (inversion == null) inversion = PhotoInversion.Settings.of(PhotoInversion.Method.PROJECTION);
            if (faces == null) faces = Faces.ALL;
            if (shard == null) shard = Shard.ALL;
        }

        /** The whole folder, every face of a photo, pasted back. */
        public Request(Recipe recipe, Path recipeFile, Path inputs, Path out, boolean force,
                       PhotoInversion.Settings inversion, PhotoImport.Networks networks) {
            this(recipe, recipeFile, inputs, out, force, inversion, networks, Faces.ALL, true, Shard.ALL);
        }

        GeneratorSource generator() {
            return networks.generator();
        }
    }

    /** Which faces of a photo are edited: the largest alone, or every face face-api finds. */
    public enum Faces {
        LARGEST, ALL;

        /** "largest" or "all" (the CLI's words). */
        public static Faces parse(String s) {
            for (Faces f : values()) if (f.name().equalsIgnoreCase(s)) return f;
            throw new IllegalArgumentException("faces must be largest or all, not " + s);
        }
    }

    /** What became of one input. */
    public enum Status { DONE, SKIPPED, FAILED }

    /**
     * @param detail  one line: what was done (DONE), why it failed (FAILED), or that it was done before (SKIPPED)
     * @param outputs the input's files in the output folder: a photo's whole picture first, else the edited picture
     *                (DONE, SKIPPED: those that exist), or what was written before it failed (FAILED: aligned faces at
     *                most)
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

    /** What an input folder may hold, for messages: "photos (.png .jpg …) or latents (.npz .npy)". */
    public static String acceptedInputs() {
        return "photos (" + String.join(" ", IMAGE_EXT) + ") or latents (" + String.join(" ", LATENT_EXT) + ")";
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
        List<Path> all = inputs(request.inputs());
        Map<Path, String> stems = stems(all); // of the whole folder: a shard names its results as one run would
        List<Path> files = request.shard().select(request.inputs(), all);
        StyleGan3Generator g = check(ctx, files);
        listener.checked();
        List<Outcome> outcomes = new ArrayList<>();
        int n = files.size();
        for (int i = 0; i < n; i++) {
            Path in = files.get(i);
            String stem = stems.get(in);
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
     * The stem of each input's results ({@code <stem>.png}, {@code <stem>.json}, …): the name without its extension, or,
     * for inputs that share one (alice.png, alice.npz), the whole name with '_' for '.', so no result overwrites another's.
     */
    public static Map<Path, String> stems(List<Path> inputs) {
        Map<String, Long> stemCount = inputs.stream().collect(Collectors.groupingBy(RecipeBatch::stem, Collectors.counting()));
        Map<Path, String> stems = new LinkedHashMap<>();
        for (Path in : inputs) stems.put(in, stemCount.get(stem(in)) > 1 ? in.getFileName().toString().replace('.', '_') : stem(in));
        return stems;
    }

    /**
     * Whether the input of {@code stem} is done in {@code out}: its report (written last) is there and no later attempt
     * failed (a forced redo that failed leaves the old results and its failure record).
     */
    public static boolean isDone(Path out, String stem) {
        return Files.exists(out.resolve(stem + ".json")) && !Files.exists(failureRecord(out, stem));
    }

    /** Where the reason an input failed is kept, beside its results. */
    public static Path failureRecord(Path out, String stem) {
        return out.resolve(stem + ".failed.json");
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
        List<Path> results = List.of(out.resolve(stem + ".photo.png"), out.resolve(stem + ".png"), out.resolve(stem + ".source.png"),
                out.resolve(stem + ".npz"), out.resolve(stem + ".json"));
        if (!request.force() && isDone(out, stem)) {
            List<Path> done = new ArrayList<>(results);
            for (int k = 2; Files.exists(out.resolve(faceStem(stem, k - 1) + ".png")); k++) {
                for (String ext : new String[]{".png", ".source.png", ".npz", ".aligned.png"}) done.add(out.resolve(faceStem(stem, k - 1) + ext));
            }
            return new Outcome(in, Status.SKIPPED, "done before", done.stream().filter(Files::exists).toList(), ctx.elapsedMs());
        }
        List<Path> written = new ArrayList<>();
        try (NDManager inputManager = ctx.manager().newSubManager()) {
            String summary = apply(new InputContext(ctx, ctx.jobName() + " " + in.getFileName(), inputManager), g, in, stem, written);
            Files.deleteIfExists(failureRecord(out, stem)); // an old failure is over
            List<Path> all = new ArrayList<>(results.stream().filter(written::contains).toList());
            all.add(out.resolve(stem + ".json"));
            written.stream().filter(p -> !all.contains(p)).forEach(all::add); // aligned faces, further faces
            return new Outcome(in, Status.DONE, summary, all, ctx.elapsedMs());
        } catch (JobCancelledException e) {
            throw e;
        } catch (Exception e) {
            String reason = reason(e);
            ObjectNode record = JSON.createObjectNode().put("input", in.getFileName().toString()).put("reason", reason);
            try {
                AtomicFiles.writeString(failureRecord(out, stem), JSON.writeValueAsString(record));
            } catch (IOException recordFailed) {
                reason += " (and its failure record cannot be written: " + reason(recordFailed) + ")";
            }
            return new Outcome(in, Status.FAILED, reason, written, ctx.elapsedMs());
        }
    }

    private String apply(JobContext ctx, StyleGan3Generator g, Path in, String stem, List<Path> written) throws Exception {
        GeneratorSource source = request.generator();
        Path out = request.out();
        ObjectNode report = JSON.createObjectNode();
        report.put("input", in.toAbsolutePath().toString());
        if (request.recipeFile() != null) report.put("recipe", request.recipeFile().toAbsolutePath().toString());
        report.put("generator", source.isDemo() ? source.describe() : source.file().toAbsolutePath().toString());
        if (isImage(in)) return photo(ctx, g, in, stem, report, written);
        Latent w = LatentFile.read(in);
        if (w.numWs() != g.numWs() || w.wDim() != g.wDim()) {
            throw new IllegalArgumentException("the latent is " + w.numWs() + "x" + w.wDim() + ", the generator takes "
                    + g.numWs() + "x" + g.wDim());
        }
        report.put("source", "latent");
        Edited e = edit(ctx, w, stem, report);
        // a cancel that came during the render stops here, so the input is written whole or not at all; the JSON last
        ctx.checkCancelled();
        e.write(g, written);
        AtomicFiles.writeString(out.resolve(stem + ".json"), JSON.writeValueAsString(report));
        return String.format(Locale.ROOT, "latent → %s.png (‖Δw‖ %.3f)", stem, e.moved());
    }

    /**
     * A photo: its faces located once, each aligned (written at once), inverted and edited; then, all or nothing, each
     * face's files, the whole photo with the edited faces pasted back, and the JSON: face 1's entries where a single
     * face's were, every face's under {@code per_face}.
     */
    private String photo(JobContext ctx, StyleGan3Generator g, Path in, String stem, ObjectNode report, List<Path> written) throws Exception {
        Path out = request.out();
        PhotoInversion.Settings inv = request.inversion();
        PhotoImport p = PhotoImport.load(ctx, request.networks(), inv.method());
        StyleGan3Generator pg = p.generator();
        if (pg.numWs() != g.numWs() || pg.wDim() != g.wDim()) {
            throw new IllegalArgumentException("the encoder's generator (" + pg.numWs() + "x" + pg.wDim()
                    + ") does not match the generator the recipe runs on");
        }
        RgbImage photo = Images.read(in);
        List<PhotoPaste.PlacedFace> faces = PhotoPaste.locateAll(ctx.manager(), request.networks().faceApiDir(), photo,
                in.getFileName().toString());
        if (request.faces() == Faces.LARGEST) faces = faces.subList(0, 1);
        report.put("source", "photo");
        report.put("inversion", inv.method().cliName());
        report.put("faces", faces.size());
        List<Edited> edits = new ArrayList<>();
        for (int k = 0; k < faces.size(); k++) {
            String fs = faceStem(stem, k);
            RgbImage aligned = p.align(photo, faces.get(k));
            write(out.resolve(fs + ".aligned.png"), Images.toBufferedImage(aligned), written); // kept before the long inversion
            PhotoInversion.Result r = p.invert(ctx, aligned, inv);
            ObjectNode face = JSON.createObjectNode();
            face.put("face", k + 1);
            face.put("aligned", fs + ".aligned.png");
            face.put("inversion_lpips", r.lpips());
            if (!Double.isNaN(r.idSimilarity())) face.put("inversion_id_similarity", r.idSimilarity());
            edits.add(edit(ctx, new Latent(r.numWs(), r.wDim(), r.w()), fs, face));
        }
        ctx.checkCancelled();
        for (Edited e : edits) e.write(g, written);
        // face 1 where a photo's one face was before, so readers of those reports go on working
        edits.get(0).report().fields().forEachRemaining(en -> {
            if (!en.getKey().equals("face")) report.set(en.getKey(), en.getValue());
        });
        ArrayNode perFace = report.putArray("per_face");
        edits.forEach(e -> perFace.add(e.report()));
        if (request.pasteBack()) {
            List<RgbImage> edited = edits.stream().map(e -> Images.withAlpha(e.rendering().image())).toList();
            RgbImage whole = PhotoPaste.paste(photo, faces, edited, PasteBack.Options.DEFAULT).photo();
            write(out.resolve(stem + ".photo.png"), Images.toBufferedImage(whole), written);
            report.put("photo", stem + ".photo.png");
        }
        AtomicFiles.writeString(out.resolve(stem + ".json"), JSON.writeValueAsString(report));
        Edited first = edits.get(0);
        return String.format(Locale.ROOT, "photo → %s, %d face(s) (face 1: ‖Δw‖ %.3f, inversion LPIPS %.4f)",
                request.pasteBack() ? stem + ".photo.png" : stem + ".png", faces.size(), first.moved(),
                first.report().path("inversion_lpips").asDouble());
    }

    /** One latent edited by the recipe, its files still to write, named after {@code fileStem}. */
    private record Edited(Path out, String fileStem, Latent w, StackRendering.Result rendering, double moved, ObjectNode report) {
        void write(StyleGan3Generator g, List<Path> written) throws IOException {
            RecipeBatch.write(out.resolve(fileStem + ".source.png"), rendering.source(), written);
            RecipeBatch.write(out.resolve(fileStem + ".png"), rendering.image(), written);
            Path npz = out.resolve(fileStem + ".npz");
            // entries in a fixed order (Map.of's differs from one JVM to the next): every run writes the same bytes
            Map<String, Npz.Array> latents = new LinkedHashMap<>();
            latents.put("w", Npz.Array.of(w.values(), 1, g.numWs(), g.wDim()));
            latents.put("w_edited", Npz.Array.of(rendering.edited().values(), 1, g.numWs(), g.wDim()));
            Npz.write(npz, latents);
            written.add(npz);
        }
    }

    /** Renders the recipe's stack on {@code w}; what it did goes into {@code report}. */
    private Edited edit(JobContext ctx, Latent w, String fileStem, ObjectNode report) throws Exception {
        // the generator's own input transform, as a recipe is applied to latents that carry no Source-tab transform
        StackRendering.Result res = StackRendering.render(ctx, new EditNetworks.Files(request.generator(), null, null, null),
                new StackRendering.Request(w, request.recipe().steps(), null, null, true));
        float[] w0 = w.values(), wEdited = res.edited().values();
        double moved = 0;
        for (int k = 0; k < w0.length; k++) moved += (wEdited[k] - w0[k]) * (double) (wEdited[k] - w0[k]);
        moved = Math.sqrt(moved);
        report.put("w_l2_change", moved);
        report.put("edited", fileStem + ".png");
        report.put("unedited", fileStem + ".source.png");
        report.put("latents", fileStem + ".npz");
        return new Edited(request.out(), fileStem, w, res, moved, report);
    }

    /** The files of a photo's face number {@code k} (0-based): face 1 keeps the input's stem, face k is {@code <stem>.face<k>}. */
    static String faceStem(String stem, int k) {
        return k == 0 ? stem : stem + ".face" + (k + 1);
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
