package dev.styleclip.edit.recipe;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.LatentFile;
import dev.styleclip.edit.PhotoImport;
import dev.styleclip.edit.PhotoInversion;
import dev.styleclip.edit.PhotoPaste;
import dev.styleclip.edit.batch.Shard;
import dev.styleclip.golden.Golden;
import dev.styleclip.image.AlphaMask;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.image.FaceRegions;
import dev.styleclip.image.Images;
import dev.styleclip.image.PasteBack;
import dev.styleclip.image.PhotoDiff;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.Npz;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Engines;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.JobCancelledException;
import dev.styleclip.runtime.JobHandle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The use case alone, on the tiny golden generator through the real compute thread: a folder of two latents and a
 * broken one, its outcomes, frames, files, skips and force, refusals before any input, and cancel between and within
 * inputs; a golden photo of two faces with the real face-api networks, every face edited and pasted back.
 */
class RecipeBatchTest {
    private static final int NUM_WS = 16, W_DIM = 32;
    private static final String JOB = "batch";
    private static final GeneratorSource SOURCE = GeneratorSource.file(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
    private static ComputeService service;

    @BeforeAll
    static void setUp() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void tearDown() {
        service.close();
    }

    private static float[] random(int n, long seed, double scale) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (r.nextGaussian() * scale);
        return v;
    }

    private static final float[] DELTA = random(NUM_WS * W_DIM, 1, 0.5);
    private static final Recipe RECIPE = new Recipe(null, List.of(
            new RecipeStep.LatentDelta("offset", NUM_WS, W_DIM, DELTA, 1.0, true, Map.of(), Map.of())));

    /** Two latents, a broken latent and a file that is no input. */
    private static Path folder(Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        LatentFile.write(in.resolve("a.npz"), new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 2, 1)));
        LatentFile.write(in.resolve("b.npz"), new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 3, 1)));
        Files.write(in.resolve("c.npz"), new byte[]{'P', 'K', 1, 2, 3});
        Files.writeString(in.resolve("notes.txt"), "not an input");
        return in;
    }

    private static RecipeBatch.Request request(Recipe recipe, Path in, Path out, boolean force) {
        return new RecipeBatch.Request(recipe, null, in, out, force, null, new PhotoImport.Networks(SOURCE, null, null, null, null));
    }

    /** What one run heard, in order. */
    private static class Heard implements RecipeBatch.Listener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final List<RecipeBatch.Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void checked() {
            events.add("checked");
        }

        @Override
        public void finished(int index, int count, RecipeBatch.Outcome o) {
            events.add(index + "/" + count + " " + o.name() + " " + o.status());
            outcomes.add(o);
        }
    }

    private static Set<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return new TreeSet<>(s.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void editsEachInputReportsFailuresAndSkipsWhatIsDone(@TempDir Path tmp) throws Exception {
        Path in = folder(tmp), out = tmp.resolve("out");
        Heard heard = new Heard();
        List<Frame> frames = Collections.synchronizedList(new ArrayList<>());
        List<RecipeBatch.Outcome> result = service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, false), heard), frames::add);

        assertEquals(List.of("checked", "0/3 a.npz DONE", "1/3 b.npz DONE", "2/3 c.npz FAILED"), heard.events);
        assertEquals(heard.outcomes, result, "the outcomes heard are the ones returned");
        RecipeBatch.Outcome failed = result.get(2);
        assertTrue(failed.detail().contains("c.npz"), failed.detail());
        assertFalse(failed.detail().contains("\n"));
        assertEquals(List.of(), failed.outputs());
        assertEquals(new TreeSet<>(Set.of("a.png", "a.source.png", "a.npz", "a.json", "b.png", "b.source.png", "b.npz", "b.json",
                "c.failed.json")), names(out), "every result whole, of the broken input its failure record, no temporary file left");
        assertEquals(failed.detail(), new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("c.failed.json").toFile())
                .path("reason").asText());
        assertEquals(List.of(out.resolve("a.png"), out.resolve("a.source.png"), out.resolve("a.npz"), out.resolve("a.json")),
                result.get(0).outputs(), "the edited picture first");
        assertTrue(result.get(0).detail().startsWith("latent → a.png (‖Δw‖ "), result.get(0).detail());
        for (String stem : new String[]{"a", "b"}) {
            Map<String, Npz.Array> z = Npz.read(out.resolve(stem + ".npz"));
            float[] w = z.get("w").toFloatArray(), we = z.get("w_edited").toFloatArray();
            float[] given = LatentFile.read(in.resolve(stem + ".npz")).values();
            for (int i = 0; i < w.length; i++) {
                assertEquals(given[i], w[i]);
                assertEquals(w[i] + DELTA[i], we[i], 1e-5);
            }
        }
        // the batch's own frames: input i of 3 with its name, then the end
        List<Frame> own = frames.stream().filter(f -> RecipeBatch.isBatchFrame(f, JOB)).toList();
        assertEquals(List.of("0/3 a.npz", "1/3 b.npz", "2/3 c.npz", "3/3 null"),
                own.stream().map(f -> f.step() + "/" + f.total() + " " + f.message()).toList());

        // again: the done inputs are skipped (their files listed), the broken one fails again; --force redoes them
        Heard again = new Heard();
        service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, false), again), null);
        assertEquals(List.of("checked", "0/3 a.npz SKIPPED", "1/3 b.npz SKIPPED", "2/3 c.npz FAILED"), again.events);
        assertEquals(out.resolve("a.png"), again.outcomes.get(0).outputs().get(0));
        Files.delete(out.resolve("a.png"));
        Heard forced = new Heard();
        service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, true), forced), null);
        assertEquals(List.of("checked", "0/3 a.npz DONE", "1/3 b.npz DONE", "2/3 c.npz FAILED"), forced.events);
        assertTrue(Files.isRegularFile(out.resolve("a.png")));

        // the broken input mended: done, and its failure record gone
        LatentFile.write(in.resolve("c.npz"), new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 5, 1)));
        Heard mended = new Heard();
        service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, false), mended), null);
        assertEquals(List.of("checked", "0/3 a.npz SKIPPED", "1/3 b.npz SKIPPED", "2/3 c.npz DONE"), mended.events);
        assertFalse(Files.exists(out.resolve("c.failed.json")));
    }

    /** Every regular file of {@code dir} with its bytes. */
    private static Map<String, List<Byte>> contents(Path dir) throws Exception {
        Map<String, List<Byte>> m = new java.util.TreeMap<>();
        for (String n : names(dir)) {
            List<Byte> bytes = new ArrayList<>();
            for (byte b : Files.readAllBytes(dir.resolve(n))) bytes.add(b);
            m.put(n, bytes);
        }
        return m;
    }

    @Test
    void shardsWriteTogetherWhatOneRunWritesAndACancelledShardResumes(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        for (int i = 0; i < 6; i++) LatentFile.write(in.resolve("face" + i + ".npz"), new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 10 + i, 1)));
        // x.npz and x.npy share a stem: their whole names must be kept even when they fall in different shards
        Latent x = new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 20, 1));
        LatentFile.write(in.resolve("x.npz"), x);
        Files.write(in.resolve("x.npy"), Npz.npyBytes(Npz.Array.of(x.values(), 1, NUM_WS, W_DIM)));
        Path single = tmp.resolve("single"), sharded = tmp.resolve("sharded");
        service.run(JOB, RecipeBatch.job(request(RECIPE, in, single, false), new Heard()), null);

        List<Path> all = RecipeBatch.inputs(in);
        java.util.Set<String> seen = new TreeSet<>();
        for (int k = 0; k < 3; k++) {
            Shard shard = new Shard(k, 3);
            RecipeBatch.Request r = new RecipeBatch.Request(RECIPE, null, in, sharded, false, null,
                    new PhotoImport.Networks(SOURCE, null, null, null, null), RecipeBatch.Faces.ALL, true, shard);
            Heard heard = new Heard();
            service.run(JOB, RecipeBatch.job(r, heard), null);
            List<String> ran = heard.outcomes.stream().map(RecipeBatch.Outcome::name).toList();
            assertEquals(shard.select(in, all).stream().map(p -> p.getFileName().toString()).toList(), ran, "shard " + shard);
            for (String n : ran) assertTrue(seen.add(n), n + " in two shards");
        }
        assertEquals(8, seen.size(), "every input in a shard");
        assertTrue(names(sharded).contains("x_npy.json") && names(sharded).contains("x_npz.json"), names(sharded).toString());
        assertEquals(contents(single), contents(sharded), "the same files with the same bytes");
        assertTrue(RecipeBatchReport.of(in, sharded, 3).complete());

        // a shard cancelled after its first input: the report lists the rest as missing, a re-run does only those
        Path resumed = tmp.resolve("resumed");
        Shard busiest = java.util.stream.IntStream.range(0, 3).mapToObj(k -> new Shard(k, 3))
                .max(java.util.Comparator.comparingInt(s -> s.select(in, all).size())).orElseThrow();
        int size = busiest.select(in, all).size();
        assertTrue(size >= 2, "a shard with two inputs or more: " + size);
        Heard first = new Heard() {
            @Override
            public void finished(int index, int count, RecipeBatch.Outcome o) {
                super.finished(index, count, o);
                HANDLE.get().cancel();
            }
        };
        CountDownLatch release = new CountDownLatch(1);
        service.submit("gate", ctx -> {
            release.await();
            return null;
        }, null);
        RecipeBatch.Request part = new RecipeBatch.Request(RECIPE, null, in, resumed, false, null,
                new PhotoImport.Networks(SOURCE, null, null, null, null), RecipeBatch.Faces.ALL, true, busiest);
        JobHandle<List<RecipeBatch.Outcome>> h = service.submit(JOB, RecipeBatch.job(part, first), null);
        HANDLE.set(h);
        release.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get());
        assertInstanceOf(JobCancelledException.class, e.getCause());
        RecipeBatchReport report = RecipeBatchReport.of(in, resumed, 3);
        assertFalse(report.complete());
        assertEquals(new RecipeBatchReport.Counts(1, 0, size - 1), report.counts(busiest.index()));
        assertEquals(all.size() - 1, report.in(RecipeBatchReport.State.MISSING).size());
        Heard again = new Heard();
        service.run(JOB, RecipeBatch.job(part, again), null);
        assertEquals(1, again.outcomes.stream().filter(o -> o.status() == RecipeBatch.Status.SKIPPED).count());
        assertEquals(size - 1, again.outcomes.stream().filter(o -> o.status() == RecipeBatch.Status.DONE).count());
        assertEquals(new RecipeBatchReport.Counts(size, 0, 0), RecipeBatchReport.of(in, resumed, 3).counts(busiest.index()));
    }

    @Test
    void theReportListsFailuresWithTheirReasons(@TempDir Path tmp) throws Exception {
        Path in = folder(tmp), out = tmp.resolve("out");
        RecipeBatchReport none = RecipeBatchReport.of(in, out, 1);
        assertEquals(new RecipeBatchReport.Counts(0, 0, 3), none.counts(), "no output folder yet: all missing");
        service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, false), new Heard()), null);
        RecipeBatchReport r = RecipeBatchReport.of(in, out, 2);
        assertFalse(r.complete());
        assertEquals(new RecipeBatchReport.Counts(2, 1, 0), r.counts());
        RecipeBatchReport.Entry c = r.in(RecipeBatchReport.State.FAILED).get(0);
        assertEquals("c.npz", c.input());
        assertEquals(Shard.of("c.npz", 2), c.shard());
        assertTrue(c.reason().contains("c.npz"), c.reason());
        assertEquals(r.counts(), new RecipeBatchReport.Counts(r.counts(0).done() + r.counts(1).done(),
                r.counts(0).failed() + r.counts(1).failed(), r.counts(0).missing() + r.counts(1).missing()));
    }


    private static final Path FACES = Path.of("src", "test", "resources", "golden", "faces", "images").toAbsolutePath();

    private static RecipeBatch.Request photoRequest(Path in, Path out, RecipeBatch.Faces faces, boolean pasteBack) {
        return new RecipeBatch.Request(RECIPE, null, in, out, false,
                new PhotoInversion.Settings(PhotoInversion.Method.PROJECTION, 2, null, false, 50, 0),
                new PhotoImport.Networks(SOURCE, null, null, null, FaceApi.defaultDir()), faces, pasteBack, Shard.ALL);
    }

    @Test
    void everyFaceOfAPhotoIsEditedAndPastedBackIntoTheWholePhoto(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        Files.copy(FACES.resolve("two_faces.png"), in.resolve("two_faces.png"));
        RgbImage photo = Images.read(in.resolve("two_faces.png"));
        RgbImage grey = new RgbImage(64, 64, new byte[64 * 64 * 3]);
        Arrays.fill(grey.rgb(), (byte) 128);
        try (OutputStream os = Files.newOutputStream(in.resolve("blank.png"))) {
            Images.write(grey, "png", os);
        }
        Heard heard = new Heard();
        List<RecipeBatch.Outcome> result = service.run(JOB, RecipeBatch.job(photoRequest(in, out, RecipeBatch.Faces.ALL, true), heard), null);

        assertEquals(List.of("checked", "0/2 blank.png FAILED", "1/2 two_faces.png DONE"), heard.events);
        assertEquals("blank.png: no face found — try a frontal photo", result.get(0).detail());
        assertEquals(new TreeSet<>(Set.of("two_faces.photo.png", "two_faces.png", "two_faces.source.png", "two_faces.npz",
                "two_faces.aligned.png", "two_faces.face2.png", "two_faces.face2.source.png", "two_faces.face2.npz",
                "two_faces.face2.aligned.png", "two_faces.json", "blank.failed.json")), names(out),
                "both faces' files, the whole photo, of the blank its failure record alone");
        RecipeBatch.Outcome done = result.get(1);
        assertEquals(out.resolve("two_faces.photo.png"), done.outputs().get(0), "the whole photo first");
        Set<String> doneFiles = names(out);
        doneFiles.remove("blank.failed.json");
        assertEquals(doneFiles, new TreeSet<>(done.outputs().stream().map(p -> p.getFileName().toString()).toList()));
        JsonNode report = new ObjectMapper().readTree(out.resolve("two_faces.json").toFile());
        assertEquals(2, report.path("faces").asInt());
        assertEquals("two_faces.photo.png", report.path("photo").asText());
        assertEquals("two_faces.png", report.path("edited").asText(), "face 1 where a photo's one face was");
        assertEquals("two_faces.face2.png", report.path("per_face").get(1).path("edited").asText());

        // the whole photo: the photo's size, each written edited face pasted where face-api finds it, nothing else touched
        RgbImage whole = Images.read(out.resolve("two_faces.photo.png"));
        List<PhotoPaste.PlacedFace> faces;
        try (NDManager m = Engines.pytorch().newBaseManager()) {
            faces = PhotoPaste.locateAll(m, FaceApi.defaultDir(), photo, "two_faces.png");
        }
        List<RgbImage> edited = List.of(Images.read(out.resolve("two_faces.png")), Images.read(out.resolve("two_faces.face2.png")));
        PhotoPaste.Pasted again = PhotoPaste.paste(photo, faces, edited, PasteBack.Options.DEFAULT);
        assertEquals(again.photo().sha256(), whole.sha256(), "the edited faces written are the ones pasted");
        float[] either = new float[photo.width() * photo.height()];
        for (int k = 0; k < 2; k++) {
            PasteBack.Result r = again.results().get(k);
            AlphaMask mask = FaceRegions.mask(faces.get(k).landmarks(), photo.width(), photo.height(), EnumSet.of(FaceRegion.FACE),
                    r.grow(), r.feather());
            double inside = PhotoDiff.of(photo, whole, mask).meanInside();
            assertTrue(inside > 3, "face " + (k + 1) + " is edited: mean abs diff " + inside);
            for (int i = 0; i < either.length; i++) either[i] = Math.max(either[i], mask.alpha()[i]);
        }
        assertEquals(0, PhotoDiff.of(photo, whole, new AlphaMask(photo.width(), photo.height(), either)).changedOutside(),
                "pixels outside both faces changed");

        // the largest face alone, no whole photo
        Path out2 = tmp.resolve("out2");
        Files.delete(in.resolve("blank.png"));
        service.run(JOB, RecipeBatch.job(photoRequest(in, out2, RecipeBatch.Faces.LARGEST, false), new Heard()), null);
        assertEquals(new TreeSet<>(Set.of("two_faces.png", "two_faces.source.png", "two_faces.npz", "two_faces.aligned.png",
                "two_faces.json")), names(out2));
        assertEquals(1, new ObjectMapper().readTree(out2.resolve("two_faces.json").toFile()).path("faces").asInt());
    }

    @Test
    void inputsThatShareAStemKeepTheirWholeNames(@TempDir Path tmp) throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in")), out = tmp.resolve("out");
        Latent w = new Latent(NUM_WS, W_DIM, random(NUM_WS * W_DIM, 4, 1));
        LatentFile.write(in.resolve("x.npz"), w);
        Files.write(in.resolve("x.npy"), Npz.npyBytes(Npz.Array.of(w.values(), 1, NUM_WS, W_DIM)));
        LatentFile.write(in.resolve("y.npz"), w);
        Heard heard = new Heard();
        service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, false), heard), null);
        assertEquals(List.of("checked", "0/3 x.npy DONE", "1/3 x.npz DONE", "2/3 y.npz DONE"), heard.events);
        assertTrue(Files.isRegularFile(out.resolve("x_npz.json")) && Files.isRegularFile(out.resolve("x_npy.json"))
                && Files.isRegularFile(out.resolve("y.json")), names(out).toString());
    }

    @Test
    void theRecipeAndThePlacesAreCheckedBeforeAnyInput(@TempDir Path tmp) throws Exception {
        Path in = folder(tmp), out = tmp.resolve("out");
        Recipe other = new Recipe(null, List.of(new RecipeStep.LatentDelta("x", 4, 8, new float[32], 1, true, Map.of(), Map.of())));
        Heard heard = new Heard();
        Exception e = assertThrows(IllegalArgumentException.class,
                () -> service.run(JOB, RecipeBatch.job(request(other, in, out, false), heard), null));
        assertTrue(e.getMessage().startsWith("the recipe does not fit: ") && e.getMessage().contains("another generator"), e.getMessage());
        assertEquals(List.of(), heard.events);
        assertEquals(Set.of(), names(out), "nothing written");

        e = assertThrows(IllegalArgumentException.class,
                () -> service.run(JOB, RecipeBatch.job(request(RECIPE, in, in, false), heard), null));
        assertTrue(e.getMessage().contains("must not be the input folder"), e.getMessage());

        Files.write(in.resolve("photo.png"), new byte[]{1});
        e = assertThrows(IllegalArgumentException.class,
                () -> service.run(JOB, RecipeBatch.job(request(RECIPE, in, out, false), heard), null));
        assertTrue(e.getMessage().contains("face-api's networks are not installed"), e.getMessage());
        assertEquals(List.of(), heard.events);
        assertThrows(IllegalArgumentException.class, () -> request(new Recipe(null, List.of()), in, out, false));
    }

    /**
     * Runs a batch whose {@code cancelAt} action may cancel it; the compute thread is held until the handle is known, so
     * the cancel cannot come before the handle exists.
     */
    private static List<String> cancelled(Path in, Path out, Heard heard, Consumer<Frame> frames) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        service.submit("gate", ctx -> {
            release.await();
            return null;
        }, null);
        JobHandle<List<RecipeBatch.Outcome>> h = service.submit(JOB, RecipeBatch.job(request(RECIPE, in, out, false), heard), frames);
        HANDLE.set(h);
        release.countDown();
        ExecutionException e = assertThrows(ExecutionException.class, () -> h.result().get());
        assertInstanceOf(JobCancelledException.class, e.getCause());
        return new ArrayList<>(names(out));
    }

    private static final AtomicReference<JobHandle<?>> HANDLE = new AtomicReference<>();

    @Test
    void aCancelStopsBetweenAndWithinInputsAndKeepsWhatIsWritten(@TempDir Path tmp) throws Exception {
        Path in = folder(tmp);
        // between: the first input ended, the second never starts
        Heard between = new Heard() {
            @Override
            public void finished(int index, int count, RecipeBatch.Outcome o) {
                super.finished(index, count, o);
                HANDLE.get().cancel();
            }
        };
        assertEquals(List.of("a.json", "a.npz", "a.png", "a.source.png"), cancelled(in, tmp.resolve("out1"), between, null));
        assertEquals(List.of("checked", "0/3 a.npz DONE"), between.events);

        // within: the second input started (its frame came), its render then stops at the step and writes nothing
        Heard within = new Heard();
        assertEquals(List.of("a.json", "a.npz", "a.png", "a.source.png"), cancelled(in, tmp.resolve("out2"), within, f -> {
            if (RecipeBatch.isBatchFrame(f, JOB) && "b.npz".equals(f.message())) HANDLE.get().cancel();
        }));
        assertEquals(List.of("checked", "0/3 a.npz DONE"), within.events, "a cancelled input is no outcome");
    }
}
