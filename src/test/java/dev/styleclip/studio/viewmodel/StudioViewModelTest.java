package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.PngText;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.studio.service.PngExport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.*;

/** The view models without a stage or DJL: a synchronous fake backend stands in for the compute thread. */
class StudioViewModelTest {
    @TempDir
    Path tmp;
    private Preferences node;
    private FakeBackend backend;
    private StudioViewModel vm;
    private long now;

    @BeforeEach
    void setUp() throws Exception {
        node = Preferences.userRoot().node("/dev/styleclip/test/vm-" + System.nanoTime());
        backend = new FakeBackend();
        Files.createDirectories(tmp.resolve("models"));
        vm = new StudioViewModel(backend, new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run),
                new StudioPrefs(node), () -> now += 1000);
    }

    @AfterEach
    void tearDown() throws Exception {
        node.removeNode();
    }

    @Test
    void generateUndoRedo() {
        vm.source().seedProperty().set(5);
        vm.source().generate();
        assertNotNull(vm.live().currentProperty().get());
        assertTrue(vm.document().hasLatentProperty().get());
        assertEquals(FakeBackend.latent(5), vm.document().current().base());
        vm.source().nextSeed();
        assertEquals(6, vm.source().seedProperty().get());
        assertEquals(FakeBackend.latent(6), vm.document().current().base());
        assertTrue(vm.document().history().canUndoProperty().get());
        vm.document().undo();
        assertEquals(5, vm.source().seedProperty().get(), "undo restores the seed");
        assertEquals(FakeBackend.latent(5), vm.document().current().base());
        assertSame(vm.document().current().current(), vm.live().currentProperty().get());
        vm.document().redo();
        assertEquals(6, vm.source().seedProperty().get());
        assertFalse(vm.document().history().canRedoProperty().get());
    }

    @Test
    void sourceSlidersRenderTheSeedAgainAsOneUndoStep() {
        vm.source().seedProperty().set(3);
        vm.source().generate();
        int states = vm.document().history().states().size();
        vm.source().psiProperty().set(0.5);
        vm.source().psiProperty().set(0.4);
        vm.source().rotateProperty().set(10);
        SourceState s = vm.document().current().source();
        assertEquals(0.4, s.psi(), 1e-12, "the latest position is rendered");
        assertEquals(10, s.rotateDeg(), 1e-12);
        assertEquals(states + 1, vm.document().history().states().size(), "one undo step for the whole adjustment");
        assertEquals("before — seed 3, ψ 0.40, shift 0.00, 0.00, rotate 10° (demo network)", vm.live().beforeLabelProperty().get());
        vm.document().undo();
        assertEquals(0.7, vm.source().psiProperty().get(), 1e-12, "undo brings the sliders back");
        assertEquals(0, vm.source().rotateProperty().get(), 1e-12);
        assertTrue(vm.document().history().canRedoProperty().get(), "moving the sliders back rendered nothing new");
        assertEquals(states + 1, vm.document().history().states().size());
    }

    @Test
    void theLiveViewDescribesWhatTheDocumentHolds() {
        vm.source().generate();
        vm.edit().promptProperty().set("purple hair");
        vm.edit().steps().set(3);
        vm.run().runEdit();
        assertEquals("current — 1 edit", vm.live().currentLabelProperty().get());
        assertEquals("10 ms/step", vm.live().timingProperty().get(), "measured from the frames (the fake's 10 ms a step)");
        vm.edit().steps().set(300);
        assertTrue(vm.run().runEstimateProperty().get().startsWith("≈ 3 s for 300 steps (10 ms/step, measured here)"),
                vm.run().runEstimateProperty().get());
        vm.edit().steps().set(4);
        vm.run().runEdit();
        assertEquals("current — 2 edits", vm.live().currentLabelProperty().get());
        assertEquals(4, vm.live().losses("total").size(), "the finished run's curve stays");
        vm.stack().setEnabled(0, false);
        assertEquals("current — 1 edit (1 off)", vm.live().currentLabelProperty().get());
        vm.document().undo();
        vm.document().undo();
        // back to the first edit: the second run's curves and counters are gone, the scores are the first edit's
        assertTrue(vm.live().losses("total").isEmpty());
        assertEquals(0, vm.live().stepProperty().get());
        assertEquals(vm.document().current().edits().get(0).metrics().get("clip_score"), vm.live().clipScoreProperty().get(), 1e-12);
        vm.document().undo();
        assertTrue(Double.isNaN(vm.live().clipScoreProperty().get()), "no edit, no score");
        assertEquals("current (no edits)", vm.live().currentLabelProperty().get());
    }

    @Test
    void longRunsStartFromTheDevicesDefaultsUnlessRemembered() {
        // not a CPU: the seed report's 300 steps and 100 faces
        assertEquals(300, vm.edit().steps().get());
        assertEquals(200, vm.source().invertSteps().get());
        assertEquals(100, vm.directions().images().get());
        // a CPU: about a tenth of the work
        backend.device = "cpu";
        StudioViewModel onCpu = new StudioViewModel(backend, new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run),
                new StudioPrefs(node));
        assertEquals(30, onCpu.edit().steps().get());
        assertEquals(100, onCpu.source().invertSteps().get());
        assertEquals(10, onCpu.directions().images().get());
        // what the user chose is remembered and wins
        onCpu.edit().steps().set(120);
        onCpu.saveSettings();
        StudioViewModel again = new StudioViewModel(backend, new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run),
                new StudioPrefs(node));
        assertEquals(120, again.edit().steps().get());
        // a default is not remembered as if chosen: the next start (another device, another generator) has its own
        assertNull(node.get("edit.lambda_l2", null), "an untouched λ is not written");
    }

    @Test
    void compareGoesOnOnlyWithTwoPictures() {
        assertFalse(vm.live().canCompareProperty().get());
        vm.live().toggleCompare();
        assertFalse(vm.live().comparingProperty().get(), "no picture: nothing to compare");
        vm.source().generate();
        vm.live().toggleCompare();
        assertTrue(vm.live().comparingProperty().get());
        vm.live().currentProperty().set(null); // a photo just imported: no current picture yet
        assertTrue(vm.live().canCompareProperty().get(), "on: it can always be switched off");
        vm.live().toggleCompare();
        assertFalse(vm.live().comparingProperty().get());
        assertFalse(vm.live().canCompareProperty().get());
    }

    @Test
    void theDefaultsFollowTheGeneratorsSizeUnlessChosen() {
        backend.device = "cpu";
        StudioViewModel onCpu = new StudioViewModel(backend, new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run),
                new StudioPrefs(node));
        onCpu.source().invertSteps().set(77); // the user's own number
        onCpu.source().chooseGenerator(dev.styleclip.model.stylegan3.GeneratorSource.demo("stylegan3-t-1024"));
        assertEquals(1024, backend.generatorResolution());
        assertEquals(5, onCpu.edit().steps().get(), "an untouched default follows the 1024² network");
        assertEquals(2, onCpu.directions().images().get());
        assertEquals(77, onCpu.source().invertSteps().get(), "a chosen value stays");
        onCpu.source().chooseGenerator(dev.styleclip.model.stylegan3.GeneratorSource.demo("stylegan3-r-512"));
        assertEquals(10, onCpu.edit().steps().get());
        // a session file bringing the value shown changes nothing; another value is a choice that then stays
        onCpu.edit().fromMap(Map.of("steps", 10));
        assertFalse(onCpu.edit().steps().chosen());
        onCpu.edit().fromMap(Map.of("steps", 12));
        onCpu.source().chooseGenerator(dev.styleclip.model.stylegan3.GeneratorSource.demo("stylegan3-t-256"));
        assertEquals(12, onCpu.edit().steps().get());
        assertEquals(10, onCpu.directions().images().get(), "back at 256²: the untouched default is the 256² one again");
        // remembered: only what was chosen
        onCpu.saveSettings();
        onCpu.directions().prepare();
        assertEquals(12, node.getDouble("edit.steps", 0));
        assertNull(node.get("directions.images", null), "the faces were a default when the preparation started");
    }

    @Test
    void badSeedAndFailingGeneratorBecomeNotices() {
        assertFalse(vm.source().setSeedText("abc"));
        assertFalse(vm.source().setSeedText("-3"));
        assertEquals(Notice.Level.WARNING, vm.status().notices().get(vm.status().notices().size() - 1).level());
        vm.source().generate();
        backend.failGenerate = true;
        vm.source().nextSeed();
        Notice n = vm.status().notices().get(vm.status().notices().size() - 1);
        assertEquals(Notice.Level.ERROR, n.level());
        assertTrue(n.text().contains("bad generator file"), n.text());
        assertEquals(0, vm.document().current().source().seed(), "the document is unchanged");
        assertFalse(vm.status().busyProperty().get());
        vm.source().importPhoto(tmp.resolve("nope.jpg"));
        assertEquals(Notice.Level.ERROR, vm.status().notices().get(vm.status().notices().size() - 1).level());
    }

    @Test
    void settingsRangesAndWarnings() {
        EditSettings s = vm.edit();
        assertFalse(s.lambdaL2().outsideSafeRange());
        s.lambdaL2().parse("2");
        assertTrue(s.lambdaL2().outsideSafeRange());
        assertTrue(s.lambdaL2().warningProperty().get().contains("outside the safe range"));
        s.lambdaL2().parse("1e9");
        assertEquals(s.lambdaL2().hardMax(), s.lambdaL2().get(), "clamped to the hard limit");
        assertThrows(IllegalArgumentException.class, () -> s.lr().parse("fast"));
        s.steps().parse("12.6");
        assertEquals(13, s.steps().get());
        // remembered through the redirected preferences node
        s.lambdaId().set(0.02);
        vm.saveSettings();
        EditSettings again = new EditSettings();
        again.load(new StudioPrefs(node));
        assertEquals(0.02, again.lambdaId().get(), 1e-12);
    }

    @Test
    void editRunStackStrengthAndDivergence() {
        vm.source().generate();
        vm.edit().promptProperty().set("purple hair");
        vm.edit().steps().set(5);
        vm.run().runEdit();
        assertEquals(5, vm.live().stepProperty().get());
        assertEquals(5, vm.live().losses("total").size(), "a loss point per frame");
        assertEquals(5, vm.live().framesShown(), "frames 1 s apart (fake clock) all shown");
        assertEquals(1, vm.document().editStack().size());
        assertEquals("purple hair", vm.edit().promptHistory().get(0));
        var withEdit = vm.document().current().composed();
        vm.stack().setStrength(0, 0);
        assertEquals(vm.document().current().base(), vm.document().current().composed(), "strength 0 = no edit");
        vm.stack().setStrength(0, 1);
        assertEquals(withEdit, vm.document().current().composed());
        vm.stack().setEnabled(0, false);
        assertEquals(vm.document().current().base(), vm.document().current().composed());
        vm.document().undo();
        assertTrue(vm.document().current().edits().get(0).enabled());

        vm.edit().lr().parse("8");
        vm.run().runEdit();
        Notice n = vm.status().notices().get(vm.status().notices().size() - 1);
        assertTrue(n.title().contains("diverged"), n.title());
        assertEquals(1, vm.document().editStack().size(), "the failed run left the stack as it was");
        assertFalse(vm.run().editRunningProperty().get());
    }

    @Test
    void cancelKeepsTheFace() {
        vm.source().generate();
        var before = vm.document().current();
        backend.hold = true;
        vm.run().runEdit();
        assertTrue(vm.run().editRunningProperty().get());
        vm.run().togglePause();
        assertEquals("editing: paused after step 0/300 — Resume continues", vm.status().jobProperty().get());
        vm.cancel();
        assertEquals("cancelling the edit…", vm.status().jobProperty().get(), "until the job has stopped");
        backend.release();
        assertFalse(vm.run().editRunningProperty().get());
        assertEquals("idle", vm.status().jobProperty().get());
        assertSame(before, vm.document().current());
        assertTrue(vm.status().notices().get(vm.status().notices().size() - 1).title().contains("Cancelled"));
    }

    @Test
    void preparingDirectionsShowsProgressWithEtaAndHoldsRunBack() {
        vm.source().generate();
        vm.edit().promptProperty().set("smiling");
        backend.hold = true;
        vm.directions().prepare();
        assertTrue(vm.directions().preparingProperty().get());
        assertFalse(vm.run().canRunProperty().get(), "a run would wait behind the preparation");
        assertTrue(vm.run().runUnavailableReason().contains("being prepared"), vm.run().runUnavailableReason());
        vm.run().runEdit();
        assertEquals(0, backend.editsRun, "Ctrl+Enter does not queue an edit behind it either");
        vm.directions().cancel();
        assertEquals("cancelling after the current channel…", vm.directions().progressProperty().get());
        backend.release();
        assertFalse(vm.directions().preparingProperty().get());
        assertTrue(vm.directions().progressProperty().get().startsWith("cancelled"), vm.directions().progressProperty().get());
        backend.hold = false;
        List<String> shown = new java.util.ArrayList<>();
        vm.directions().progressProperty().addListener((o, a, b) -> shown.add(b));
        vm.directions().prepare();
        // progress with the time per channel measured from the frames (the fake's 100 ms) and what remains
        assertTrue(shown.contains("3 / 3 (100 %) · 100 ms/step"), shown.toString());
        assertTrue(shown.contains("2 / 3 (67 %) · 100 ms/step · ETA 100 ms"), shown.toString());
        assertTrue(vm.status().notices().stream().anyMatch(n -> n.text().contains("no directions in the fake backend")));
        assertTrue(vm.run().canRunProperty().get());
    }

    @Test
    void compareGridFillsPromotesAndExportsWithMetadata() throws Exception {
        vm.source().generate();
        vm.compare().l2ValuesProperty().set("0.004, 0.05");
        vm.compare().idValuesProperty().set("0, 0.01");
        vm.run().runCompare();
        assertEquals(4, vm.compare().cells().size());
        for (CompareViewModel.Cell c : vm.compare().cells()) {
            assertEquals("done", c.stateProperty().get());
            assertNotNull(c.imageProperty().get());
            assertTrue(c.captionProperty().get().contains("CLIP"), c.captionProperty().get());
        }
        CompareViewModel.Cell best = vm.compare().best();
        assertEquals(0.004, best.rowValue);
        assertEquals(0.01, best.colValue);
        // a clicked cell is shown beside the source and is what Promote adds (not the best one)
        CompareViewModel.Cell other = vm.compare().cells().stream().filter(c -> c != best).findFirst().orElseThrow();
        vm.compare().selectedProperty().set(other);
        assertSame(other.imageProperty().get(), vm.live().currentProperty().get());
        assertTrue(vm.live().currentLabelProperty().get().contains(vm.compare().describe(other)), vm.live().currentLabelProperty().get());
        assertEquals(other.metrics().get("clip_score"), vm.live().clipScoreProperty().get(), 1e-12);
        vm.run().promote();
        assertEquals(1, vm.document().editStack().size());
        assertEquals(other.step().settings(), vm.document().editStack().get(0).settings(), "the clicked cell's edit");
        vm.document().undo();
        vm.run().promote();
        assertEquals(best.step().settings(), vm.document().editStack().get(0).settings(), "none clicked: the best cell");

        Path grid = tmp.resolve("out/grid.png");
        assertTrue(vm.files().exportGrid(grid));
        Map<String, String> text = PngText.read(grid);
        assertTrue(text.get("styleclip.grid.rows").contains("λ_L2 0.004") || text.get("styleclip.grid.rows").contains("L2 0.004"),
                text.toString());
        // the sidecar describes exactly what is shown: the grid's own title and each cell's settings, not the panel's
        assertTrue(text.get("styleclip.grid.title").contains("“" + vm.edit().promptProperty().get() + "”"), text.get("styleclip.grid.title"));
        var cells = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text.get("styleclip.grid.cells"));
        assertEquals(4, cells.size());
        assertEquals(0.05, cells.get(2).path("settings").path("lambda_l2").asDouble(), 1e-12, cells.toString());
        assertEquals(0.01, cells.get(3).path("settings").path("lambda_id").asDouble(), 1e-12, cells.toString());
        assertFalse(text.keySet().stream().anyMatch(k -> k.startsWith("styleclip.settings.")), text.keySet().toString());
        assertTrue(text.containsKey("styleclip.demo"), "the fake's faces are marked as a demo network's");
        assertTrue(Files.exists(PngExport.sidecar(grid)));
        BufferedImage img = ImageIO.read(grid.toFile());
        assertTrue(img.getWidth() > 2 * 128 && img.getHeight() > 2 * 128);

        vm.compare().l2ValuesProperty().set("x");
        vm.run().runCompare();
        assertTrue(vm.status().notices().get(vm.status().notices().size() - 1).text().contains("not a number"));
    }

    @Test
    void promptVariantsMakeRowsOfTheGrid() {
        vm.source().generate();
        vm.edit().promptProperty().set("bald");
        vm.compare().l2ValuesProperty().set("0.001, 0.1");
        vm.compare().idValuesProperty().set("0.001");
        vm.compare().promptVariantsProperty().set("hairless | completely bald | bald |  ");
        vm.run().runCompare();
        // the seed report's recipe: each synonym × each λ_L2 down the rows, λ_ID across
        assertEquals(6, vm.compare().cells().size());
        assertEquals(6, vm.compare().rowLabels().size());
        assertEquals(List.of("bald", "bald", "hairless", "hairless", "completely bald", "completely bald"),
                vm.compare().cells().stream().map(c -> c.prompt).toList());
        assertTrue(vm.compare().rowLabels().get(2).contains("hairless"), vm.compare().rowLabels().toString());
        assertTrue(vm.compare().cells().stream().allMatch(c -> "done".equals(c.stateProperty().get())));
    }

    @Test
    void exportBeforeAfterAndLatents() throws Exception {
        vm.source().seedProperty().set(42);
        vm.source().generate();
        Path png = tmp.resolve("ba.png");
        assertTrue(vm.files().exportBeforeAfter(png));
        Map<String, String> text = PngText.read(png);
        assertEquals("42", text.get("styleclip.seed"));
        assertTrue(text.get("Software").startsWith("StyleCLIP"), text.get("Software"));
        Path npz = tmp.resolve("w.npz");
        assertTrue(vm.files().exportLatents(npz));
        var ws = dev.styleclip.edit.LatentFile.read(npz);
        assertEquals(FakeBackend.NUM_WS, ws.numWs());
        assertArrayEquals(FakeBackend.latent(42).values(), ws.values());
        // the exported latent opens again as the source
        vm.source().nextSeed();
        vm.source().importLatent(npz);
        assertEquals("latent", vm.document().current().source().kind());
        assertEquals(FakeBackend.latent(42), vm.document().current().base());
        vm.source().importLatent(tmp.resolve("missing.npz"));
        assertEquals(Notice.Level.ERROR, vm.status().notices().get(vm.status().notices().size() - 1).level());
        // a write into a folder that cannot be created fails with a notice
        Path blocker = tmp.resolve("file");
        Files.writeString(blocker, "x");
        assertFalse(vm.files().exportBeforeAfter(blocker.resolve("sub/x.png")));
        assertEquals(Notice.Level.ERROR, vm.status().notices().get(vm.status().notices().size() - 1).level());
    }

    @Test
    void sessionSaveAndReopen() throws Exception {
        vm.source().seedProperty().set(3);
        vm.source().generate();
        vm.edit().promptProperty().set("smiling");
        vm.edit().steps().set(3);
        vm.run().runEdit();
        vm.stack().setStrength(0, 0.5);
        Path file = tmp.resolve("s/session.json");
        assertTrue(vm.files().saveSession(file));
        var saved = vm.document().current();

        StudioViewModel other = new StudioViewModel(new FakeBackend(),
                new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run), new StudioPrefs(node));
        assertTrue(other.files().openSession(file), () -> other.status().notices().toString());
        assertEquals(saved.base(), other.document().current().base());
        assertEquals(saved.source(), other.document().current().source());
        assertEquals(saved.composed(), other.document().current().composed());
        assertEquals(0.5, other.document().editStack().get(0).strength());
        assertEquals("smiling", other.edit().promptProperty().get());
        assertEquals(3, other.document().history().states().size());
        other.document().undo();
        assertEquals(1.0, other.document().editStack().get(0).strength(), "history came back too");

        Files.writeString(tmp.resolve("bad.json"), "{not json");
        assertFalse(other.files().openSession(tmp.resolve("bad.json")));
        assertEquals(saved.composed(), other.document().history().redo().composed(), "state intact after a bad file");
    }

    /**
     * A session whose pictures are bombs — a PNG whose header claims 100000² pixels, an entry inflating to 256 MiB —
     * is refused in one notice before anything is decoded or inflated whole, and the open face stays.
     */
    @Test
    void aSessionWithPictureBombsIsRefused() throws Exception {
        vm.source().generate();
        Path file = tmp.resolve("b/session.json");
        assertTrue(vm.files().saveSession(file));
        var before = vm.document().current();
        Path pictures = SessionFiles.imagesFile(file);
        byte[] ihdr = new byte[33];
        java.nio.ByteBuffer.wrap(ihdr).put(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13)
                .putInt(0x49484452).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2);
        byte[][] bombs = {ihdr, new byte[256 << 20]};
        for (byte[] bomb : bombs) {
            try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(pictures))) {
                out.setLevel(java.util.zip.Deflater.BEST_SPEED);
                out.putNextEntry(new java.util.zip.ZipEntry("s0_base.png"));
                out.write(bomb);
                out.closeEntry();
            }
            assertTrue(Files.size(pictures) < 2 << 20, "small on disk");
            assertFalse(vm.files().openSession(file));
            Notice n = vm.status().notices().get(vm.status().notices().size() - 1);
            assertEquals(Notice.Level.ERROR, n.level());
            assertTrue(n.text().contains("larger than"), n.text());
            assertFalse(n.text().contains("\n") || n.text().contains("Exception"), n.text());
            assertSame(before, vm.document().current(), "the open face stays");
        }
    }

    @Test
    void recipeRoundTrip() throws Exception {
        vm.source().generate();
        vm.edit().promptProperty().set("old");
        vm.edit().steps().set(2);
        vm.run().runEdit();
        Path r = tmp.resolve("recipe.json");
        assertTrue(vm.files().saveRecipe(r));
        vm.source().seedProperty().set(9);
        vm.source().generate();
        assertTrue(vm.files().openRecipe(r));
        assertEquals(1, vm.document().editStack().size());
        assertEquals("old", vm.document().editStack().get(0).label());
        assertNotEquals(vm.document().current().base(), vm.document().current().composed());
    }

    /** Apply recipe to folder: each thing missing is one message and nothing starts; then it runs and lists the inputs. */
    @Test
    void recipeBatchSaysWhatIsMissingThenRuns() throws Exception {
        RecipeBatchViewModel b = vm.recipeBatch();
        java.util.function.Consumer<String> refused = expected -> {
            int notices = vm.status().notices().size();
            assertFalse(b.start());
            assertTrue(b.messageProperty().get().contains(expected), b.messageProperty().get());
            assertEquals(notices + 1, vm.status().notices().size(), "one notice");
            assertFalse(b.runningProperty().get());
            assertFalse(vm.status().busyProperty().get());
            assertTrue(backend.batches.isEmpty(), "nothing submitted");
        };
        refused.accept("the edit stack is empty");
        b.recipeSourceProperty().set(RecipeBatchViewModel.RecipeSource.FILE);
        refused.accept("choose a recipe file");
        Path broken = Files.writeString(tmp.resolve("broken.json"), "{");
        b.chooseRecipeFile(broken);
        refused.accept("the recipe cannot be read");

        vm.source().generate();
        vm.edit().promptProperty().set("old");
        vm.run().runEdit();
        b.recipeSourceProperty().set(RecipeBatchViewModel.RecipeSource.EDIT_STACK);
        refused.accept("choose the input folder");
        b.chooseInputFolder(tmp.resolve("nowhere"));
        refused.accept("is not a folder");
        Path in = Files.createDirectories(tmp.resolve("in"));
        b.chooseInputFolder(in);
        refused.accept("choose the output folder");
        b.chooseOutputFolder(in);
        refused.accept("must not be the input folder");
        b.chooseOutputFolder(tmp.resolve("out"));
        refused.accept("holds no photos");

        Files.writeString(in.resolve("a.npz"), "");
        Files.writeString(in.resolve("b.png"), "");
        assertTrue(b.start());
        assertEquals(1, backend.batches.size());
        var r = backend.batches.get(0);
        assertEquals(List.of("old"), r.recipe().steps().stream().map(s -> s.label()).toList(), "the current stack");
        assertNull(r.recipeFile());
        assertEquals(vm.source().invertMethodProperty().get(), r.method(), "photos are inverted as the Source tab would");
        assertEquals(List.of("a.npz", "b.png"), b.rows().stream().map(RecipeBatchViewModel.Row::input).toList());
        assertTrue(b.messageProperty().get().startsWith("finished: 2 done, 0 skipped, 0 failed"), b.messageProperty().get());
        assertFalse(b.runningProperty().get());
        assertEquals(in.toAbsolutePath().toString(), node.get(RecipeBatchViewModel.INPUTS_KEY, null), "the folders are remembered");
        assertEquals(tmp.resolve("out").toAbsolutePath().toString(), node.get(RecipeBatchViewModel.OUTPUT_KEY, null));
    }

    @Test
    void picturesAtMostTenPerSecond() {
        var live = new dev.styleclip.studio.viewmodel.LiveViewModel();
        live.startRun(50);
        for (int s = 1; s <= 50; s++) {
            live.onFrame(new dev.styleclip.runtime.Frame("e", s, 50, Map.of("total", 1.0 / s), 0.1, Map.of(),
                    FakeBackend.picture(FakeBackend.latent(s)), s * 10L, null), s * 10L);
        }
        assertEquals(50, live.losses("total").size(), "every loss point kept");
        assertTrue(live.framesShown() <= 6, "frames 10 ms apart: at most one picture per 100 ms, got " + live.framesShown());
        assertEquals(50, live.stepProperty().get());
    }

    @Test
    void importingAMissingModelFileIsANotice() {
        ModelsViewModel m = new ModelsViewModel(new ModelCatalog(tmp.resolve("models")), Runnable::run);
        java.util.List<Notice> got = new java.util.ArrayList<>();
        m.setNotices(got::add);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        m.setNotices(n -> {
            got.add(n);
            done.countDown();
        });
        m.importFile(tmp.resolve("nope.pkl"), m.entries().get(0), null);
        assertDoesNotThrow(() -> assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS)));
        assertEquals(Notice.Level.ERROR, got.get(0).level());
        assertTrue(got.get(0).text().contains("no such file"), got.get(0).text());
        assertFalse(m.transferringProperty().get());
    }
}
