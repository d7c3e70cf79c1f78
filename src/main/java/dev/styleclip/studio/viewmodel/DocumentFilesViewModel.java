package dev.styleclip.studio.viewmodel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.Latent;
import dev.styleclip.AppInfo;
import dev.styleclip.edit.recipe.Recipe;
import dev.styleclip.edit.recipe.RecipeFiles;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.studio.service.PngExport;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableStringValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The document's files (File menu): exported pictures with their settings, the latent, sessions (the whole undo history
 * with settings and prompts), recipes (the edit stack alone). Each action says in one notice what it wrote or why not;
 * the folders used are remembered.
 */
public final class DocumentFilesViewModel {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StudioPrefs prefs;
    private final StatusViewModel status;
    private final Document document;
    private final EditSettings edit;
    private final CompareViewModel compare;
    private final ObservableStringValue inversionReport;
    private final ObjectProperty<Path> sessionFile = new SimpleObjectProperty<>(this, "sessionFile");
    private final Path autosaveFile;

    DocumentFilesViewModel(StudioPrefs prefs, StatusViewModel status, Document document, EditSettings edit,
                           CompareViewModel compare, ObservableStringValue inversionReport, Path autosaveFile) {
        this.autosaveFile = autosaveFile;
        this.prefs = prefs;
        this.status = status;
        this.document = document;
        this.edit = edit;
        this.compare = compare;
        this.inversionReport = inversionReport;
    }

    /** The session file last saved or opened (Save writes there again). */
    public ObjectProperty<Path> sessionFileProperty() {
        return sessionFile;
    }

    /** The text entries embedded in exported PNGs (and their JSON sidecars). */
    public Map<String, String> exportText() {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("Software", AppInfo.NAME + " " + AppInfo.version());
        Snapshot s = document.current();
        if (s != null) {
            t.put("styleclip.source", s.source().describe());
            t.put("styleclip.generator", s.source().generator());
            if (s.source().fromSeed()) {
                t.put("styleclip.seed", Long.toString(s.source().seed()));
                t.put("styleclip.psi", Double.toString(s.source().psi()));
            }
            if (s.source().demo()) t.put("styleclip.demo", "a demo network (random weights): patterns, not faces");
            StringBuilder edits = new StringBuilder();
            for (RecipeStep e : s.edits()) edits.append(Steps.describe(e)).append("; ");
            t.put("styleclip.edits", edits.toString().strip());
            // each step with the settings it was made with (not the panel's current ones, which may differ)
            List<Map<String, Object>> stack = new ArrayList<>();
            for (RecipeStep e : s.edits()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("kind", Steps.kind(e));
                m.put("label", e.label());
                m.put("strength", e.strength());
                m.put("enabled", e.enabled());
                m.put("settings", e.settings());
                stack.add(m);
            }
            t.put("styleclip.stack", json(stack));
            if (!inversionReport.get().isEmpty()) t.put("styleclip.inversion", inversionReport.get());
        }
        return t;
    }

    /** A value as one line of JSON (a text chunk of the PNG, and a string in its sidecar). */
    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Exports before | after side by side (Ctrl+E), with settings in tEXt chunks and a JSON sidecar. */
    public boolean exportBeforeAfter(Path file) {
        Snapshot s = document.current();
        if (s == null || s.current() == null) {
            status.warn("Export", "nothing to export yet");
            return false;
        }
        try {
            PngExport.write(file, PngExport.beforeAfter(s.baseImage(), s.current(), "before: " + s.source().describe(),
                    "after: " + Steps.count(s.edits())), exportText());
            rememberFolder("folder.export", file);
            status.info("Exported", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Export failed", e);
            return false;
        }
    }

    /** Exports the compare grid with row / column labels and each cell's scores. */
    public boolean exportGrid(Path file) {
        if (compare.cells().isEmpty()) {
            status.warn("Export grid", "the grid is empty: run it first");
            return false;
        }
        Snapshot s = document.current();
        // the source first in every row, so each cell is judged against what it started from
        PngExport.Cell source = new PngExport.Cell(s == null ? null : s.current(), "source");
        List<List<PngExport.Cell>> rows = new ArrayList<>();
        List<Map<String, Object>> cells = new ArrayList<>();
        for (CompareViewModel.Cell c : compare.cells()) {
            while (rows.size() <= c.row) rows.add(new ArrayList<>(List.of(source)));
            rows.get(c.row).add(new PngExport.Cell(c.imageProperty().get(), c.captionProperty().get()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("row", compare.rowLabels().get(c.row));
            m.put("column", compare.colLabels().get(c.col));
            m.put("state", c.stateProperty().get());
            if (c.step() != null) {
                m.put("strength", c.step().strength());
                m.put("settings", c.step().settings());
            }
            m.put("metrics", c.metrics());
            cells.add(m);
        }
        List<String> columns = new ArrayList<>(List.of("source"));
        columns.addAll(compare.colLabels());
        String title = compare.title() + (s == null ? "" : "\nsource: " + s.source().describe()
                + (s.edits().isEmpty() ? "" : " with " + Steps.count(s.edits()) + " before the grid's")
                + (s.source().demo() ? " — demo network: random weights, not a face" : ""));
        try {
            Map<String, String> t = exportText();
            t.put("styleclip.grid.title", compare.title());
            t.put("styleclip.grid.rows", String.join(" | ", compare.rowLabels()));
            t.put("styleclip.grid.columns", String.join(" | ", compare.colLabels()));
            t.put("styleclip.grid.cells", json(cells));
            PngExport.write(file, PngExport.grid(rows, compare.rowLabels(), columns, title), t);
            rememberFolder("folder.export", file);
            status.info("Exported grid", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Export failed", e);
            return false;
        }
    }

    /** Writes the current latent (W+) as the edit engine's {@code .npz} ({@link dev.styleclip.edit.LatentFile}, key "w"). */
    public boolean exportLatents(Path file) {
        Snapshot s = document.current();
        Latent w = s == null ? null : s.composed();
        if (w == null) {
            status.warn("Export latents", "the current face has no latent");
            return false;
        }
        try {
            dev.styleclip.edit.LatentFile.write(file, w);
            status.info("Exported latents", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Export failed", e);
            return false;
        }
    }

    private void rememberFolder(String key, Path file) {
        Path p = file.toAbsolutePath().getParent();
        if (p != null) prefs.put(key, p.toString());
    }

    /** Where the document is saved when the window closes, and restored from at the next start. */
    public Path autosaveFile() {
        return autosaveFile;
    }

    /**
     * Saves the whole document (history, settings, prompts) to {@link #autosaveFile()} — on close, so nothing is lost
     * without a question; false (and the reason on stderr, the window being gone) when it could not be written.
     */
    public boolean autosave() {
        if (document.current() == null) return false;
        try {
            SessionFiles.save(autosaveFile, session());
            return true;
        } catch (IOException | RuntimeException e) {
            System.err.println("styleclip: the session was not autosaved to " + autosaveFile + ": " + Notice.describe(e));
            return false;
        }
    }

    /** Opens the autosaved document of the last run, if there is one (Save still asks where: it is not the user's file). */
    public boolean restoreAutosave() {
        if (!Files.isRegularFile(autosaveFile) || document.current() != null) return false;
        try {
            open(SessionFiles.open(autosaveFile));
            status.info("Restored", "the last session (saved when the window closed): undo history, settings and prompts");
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("The last session could not be restored", e);
            return false;
        }
    }

    private SessionFiles.Session session() {
        Map<String, Object> settings = new LinkedHashMap<>(edit.toMap());
        return new SessionFiles.Session(settings, List.copyOf(edit.promptHistory()), document.history().states(), document.history().index());
    }

    private void open(SessionFiles.Session s) {
        edit.fromMap(s.settings());
        edit.promptHistory().setAll(s.promptHistory());
        document.reset(s.history(), s.index());
    }

    public boolean saveSession(Path file) {
        if (document.current() == null) {
            status.warn("Save", "nothing to save yet");
            return false;
        }
        try {
            SessionFiles.save(file, session());
            sessionFile.set(file);
            rememberFolder("folder.sessions", file);
            status.info("Saved", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Save failed", e);
            return false;
        }
    }

    public boolean openSession(Path file) {
        if (document.busyProperty().get()) {
            status.warn("Open", "cancel the running edit first");
            return false;
        }
        try {
            open(SessionFiles.open(file));
            sessionFile.set(file);
            rememberFolder("folder.sessions", file);
            status.info("Opened", file.toString());
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Open failed", e);
            return false;
        }
    }

    public boolean saveRecipe(Path file) {
        Snapshot s = document.current();
        if (s == null || s.edits().isEmpty()) {
            status.warn("Recipe", "the edit stack is empty");
            return false;
        }
        try {
            RecipeFiles.write(file, new Recipe(s.source().generator(), s.edits()));
            rememberFolder("folder.sessions", file);
            status.info("Recipe saved", file + " — ./styleclip apply-recipe runs it over a folder of photos or latents");
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Save failed", e);
            return false;
        }
    }

    /** Applies a recipe's edits (after the current ones) to the current face (undoable). */
    public boolean openRecipe(Path file) {
        Snapshot s = document.current();
        if (s == null || s.base() == null) {
            status.warn("Recipe", "generate a face first, or invert a photo");
            return false;
        }
        try {
            Recipe r = RecipeFiles.read(file);
            for (RecipeStep e : r.steps()) {
                if (e instanceof RecipeStep.LatentDelta d && (d.numWs() != s.base().numWs() || d.wDim() != s.base().wDim())) {
                    throw new IOException("the recipe's edit “" + e.label() + "” was made for another generator ("
                            + (r.generator() == null ? "unknown" : r.generator()) + ")");
                }
            }
            List<RecipeStep> all = new ArrayList<>(document.latestEdits());
            all.addAll(r.steps());
            rememberFolder("folder.sessions", file);
            document.changeEdits(all, "apply recipe " + file.getFileName(), null);
            return true;
        } catch (IOException | RuntimeException e) {
            status.fail("Recipe not applied", e);
            return false;
        }
    }
}
