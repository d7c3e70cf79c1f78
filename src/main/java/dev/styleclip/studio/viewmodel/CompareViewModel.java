package dev.styleclip.studio.viewmodel;

import dev.styleclip.studio.service.DirectionsPort;
import dev.styleclip.studio.service.SourcePort;
import dev.styleclip.studio.service.EditPort;
import dev.styleclip.studio.service.StudioPort;
import dev.styleclip.edit.Latent;
import dev.styleclip.edit.Metrics;
import dev.styleclip.edit.recipe.RecipeStep;
import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.EditPort.EditRequest;
import dev.styleclip.studio.service.EditPort.EditResult;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The compare grid, queued on the compute thread, each cell filling in with its picture, CLIP score, ID similarity and
 * LPIPS: optimisation runs with λ_L2 down the rows (× prompt variants) and λ_ID across the columns; a mapper at each
 * λ_delta; a global direction with β down the rows (× target variants) and α across the columns. The best cell
 * (highest CLIP score + ID similarity) can be promoted to the edit stack.
 */
public final class CompareViewModel {

    /** The face the grid edits: source latent, its current stack, its input transform. */
    public record Base(Latent base, List<RecipeStep> edits, SourcePort.GenerateRequest source) {
    }

    /** One run of the grid. */
    public static final class Cell {
        public final int row, col;
        public final String prompt;
        /**
         * The values the grid varies, by row and by column: λ_L2 and λ_ID for the optimisation, β and α for a global
         * direction, the mapper's λ_delta as the column (its row value unused).
         */
        public final double rowValue, colValue;
        private final ObjectProperty<Pixels> image = new SimpleObjectProperty<>();
        private final StringProperty state = new SimpleStringProperty("queued");
        private final StringProperty caption = new SimpleStringProperty("");
        private Map<String, Double> metrics;
        private RecipeStep step;
        private StudioPort.Task task;

        Cell(int row, int col, String prompt, double rowValue, double colValue) {
            this.row = row;
            this.col = col;
            this.prompt = prompt;
            this.rowValue = rowValue;
            this.colValue = colValue;
        }

        /** The edit this cell adds to the stack (null while not done). */
        public RecipeStep step() {
            return metrics == null ? null : step;
        }

        public ObjectProperty<Pixels> imageProperty() {
            return image;
        }

        public StringProperty stateProperty() {
            return state;
        }

        public StringProperty captionProperty() {
            return caption;
        }

        /** Its scores (clip_score, id_similarity, lpips; empty while not done). */
        public Map<String, Double> metrics() {
            return metrics == null ? Map.of() : metrics;
        }

        /** CLIP score + ID similarity (NaN while not done). */
        public double score() {
            if (metrics == null) return Double.NaN;
            return metrics.getOrDefault("clip_score", 0.0) + metrics.getOrDefault("id_similarity", 0.0);
        }

        private void done(Pixels img, Map<String, Double> m) {
            metrics = m;
            image.set(img);
            state.set("done");
            caption.set(caption(m));
        }

        private void failed(Throwable error) {
            state.set("failed");
            caption.set("failed: " + error.getMessage());
        }
    }

    private final EditPort backend;
    private final DirectionsPort directionsBackend;
    private final StringProperty l2Values = new SimpleStringProperty(this, "l2Values", "0.001, 0.01");
    private final StringProperty idValues = new SimpleStringProperty(this, "idValues", "0, 0.01");
    private final StringProperty promptVariants = new SimpleStringProperty(this, "promptVariants", "");
    private final StringProperty strengthValues = new SimpleStringProperty(this, "strengthValues", "0.05, 0.1, 0.2");
    private final StringProperty alphaValues = new SimpleStringProperty(this, "alphaValues", "-3, 3, 6");
    private final StringProperty betaValues = new SimpleStringProperty(this, "betaValues", "0.08, 0.12");
    private final ObservableList<Cell> cells = FXCollections.observableArrayList();
    private final List<String> rowLabels = new ArrayList<>();
    private final List<String> colLabels = new ArrayList<>();
    private final BooleanProperty running = new SimpleBooleanProperty(this, "running");
    private final ObjectProperty<Cell> selected = new SimpleObjectProperty<>(this, "selected");
    /** What the grid shows, as the run started it (the panel's settings may have changed since). */
    private String title = "";
    private int columns;
    private int pending;

    public CompareViewModel(EditPort backend, DirectionsPort directionsBackend) {
        this.directionsBackend = directionsBackend;
        this.backend = backend;
    }

    public StringProperty l2ValuesProperty() {
        return l2Values;
    }

    public StringProperty idValuesProperty() {
        return idValues;
    }

    /** Extra prompts, separated by "|" (blank: only the current prompt). */
    public StringProperty promptVariantsProperty() {
        return promptVariants;
    }

    /** Mapper strengths λ_delta (columns). */
    public StringProperty strengthValuesProperty() {
        return strengthValues;
    }

    /** Global-direction strengths α (columns; negative values push the other way). */
    public StringProperty alphaValuesProperty() {
        return alphaValues;
    }

    /** Global-direction thresholds β (rows). */
    public StringProperty betaValuesProperty() {
        return betaValues;
    }

    public ObservableList<Cell> cells() {
        return cells;
    }

    public int columns() {
        return columns;
    }

    public List<String> rowLabels() {
        return List.copyOf(rowLabels);
    }

    public List<String> colLabels() {
        return List.copyOf(colLabels);
    }

    /** The cell the user clicked (shown beside the source, promoted by Promote), or null. */
    public ObjectProperty<Cell> selectedProperty() {
        return selected;
    }

    /** "λ_L2 0.01, λ_ID 0" — the cell's row and column as the grid labels them. */
    public String describe(Cell c) {
        String row = c.row < rowLabels.size() ? rowLabels.get(c.row) : "";
        String col = c.col < colLabels.size() ? colLabels.get(c.col) : "";
        return row.isEmpty() ? col : col.isEmpty() ? row : row + ", " + col;
    }

    /** "optimise w “purple hair” — λ_L2 (rows) × λ_ID (columns), 100 steps, lr 0.01, step", as the run was started. */
    public String title() {
        return title;
    }

    /** The cell Promote adds: the one clicked when it is done, else the best (highest CLIP score + ID similarity). */
    public Cell toPromote() {
        Cell c = selected.get();
        return c != null && c.step() != null ? c : best();
    }

    public BooleanProperty runningProperty() {
        return running;
    }

    public static List<Double> parseValues(String s, String what) {
        return parseValues(s, what, false);
    }

    /** Comma-separated numbers (≥ 0 unless {@code signed}), 1 to 6 of them. */
    public static List<Double> parseValues(String s, String what, boolean signed) {
        List<Double> out = new ArrayList<>();
        for (String p : (s == null ? "" : s).split("[,;\\s]+")) {
            if (p.isBlank()) continue;
            try {
                double v = Double.parseDouble(p);
                if (!Double.isFinite(v) || (!signed && v < 0)) throw new NumberFormatException();
                out.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + p + "' is not a number" + (signed ? "" : " ≥ 0"));
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException(what + ": give at least one value");
        if (out.size() > 6) throw new IllegalArgumentException(what + ": at most 6 values");
        return out;
    }

    /**
     * Queues the grid: one edit per (prompt, λ_L2) row and λ_ID column, from {@code template} (its λs replaced).
     * {@code onCellDone} is called on the FX thread as each cell finishes; {@code onAllDone} once at the end.
     */
    public void run(EditRequest template, Consumer<Cell> onCellDone, Consumer<Throwable> onError, Runnable onAllDone) {
        List<Double> l2 = parseValues(l2Values.get(), "λ_L2 values");
        List<Double> id = parseValues(idValues.get(), "λ_ID values");
        List<String> prompts = prompts(template.prompt());
        reset(id.size());
        title = String.format(Locale.ROOT, "%s “%s”%s — λ_L2 (rows) × λ_ID (columns), %d steps, lr %s, %s",
                template.method().label(), template.prompt(), prompts.size() > 1 ? " and its variants" : "", template.steps(),
                template.lr(), template.schedule());
        for (double v : id) colLabels.add(String.format(Locale.ROOT, "λ_ID %s", v));
        int row = 0;
        List<Cell> fresh = new ArrayList<>();
        for (String p : prompts) {
            for (double a : l2) {
                rowLabels.add((prompts.size() > 1 ? "“" + p + "” " : "") + String.format(Locale.ROOT, "λ_L2 %s", a));
                for (int c = 0; c < id.size(); c++) fresh.add(new Cell(row, c, p, a, id.get(c)));
                row++;
            }
        }
        start(fresh, onAllDone);
        for (Cell cell : fresh) {
            EditRequest r = template.with(cell.prompt, cell.rowValue, cell.colValue);
            cell.task = backend.edit(r, new CellListener<EditResult>(cell, onError, onAllDone) {
                @Override
                public void frame(dev.styleclip.runtime.Frame f) {
                    cell.state.set("running " + f.step() + "/" + f.total());
                    if (f.preview() != null) cell.image.set(f.preview());
                }

                @Override
                public void done(EditResult res) {
                    cell.step = Steps.of(res);
                    cell.done(res.image(), res.metrics());
                    if (onCellDone != null) onCellDone.accept(cell);
                    finishOne(onAllDone);
                }
            });
        }
    }

    private List<String> prompts(String first) {
        List<String> prompts = new ArrayList<>();
        prompts.add(first);
        for (String p : promptVariants.get().split("\\|")) if (!p.isBlank() && !prompts.contains(p.strip())) prompts.add(p.strip());
        return prompts;
    }

    private void reset(int cols) {
        cancel();
        selected.set(null);
        cells.clear();
        rowLabels.clear();
        colLabels.clear();
        columns = cols;
    }

    /** Queues the chosen mapper at each λ_delta on the face. */
    public void runMapper(Base base, java.nio.file.Path mapper, String label, Consumer<Throwable> onError, Runnable onAllDone) {
        List<Double> strengths = parseValues(strengthValues.get(), "λ_delta values", true);
        reset(strengths.size());
        title = "latent mapper “" + label + "” — λ_delta (columns)";
        for (double v : strengths) colLabels.add(String.format(Locale.ROOT, "λ_delta %s", v));
        rowLabels.add("mapper “" + label + "”");
        List<Cell> fresh = new ArrayList<>();
        for (int c = 0; c < strengths.size(); c++) {
            Cell cell = new Cell(0, c, label, 0, 0);
            cell.step = new RecipeStep.Mapper(label, mapper, strengths.get(c), true,
                    Map.of("method", EditPort.EditMethod.MAPPER.name(), "mapper", mapper.toString()), Map.of());
            fresh.add(cell);
        }
        start(fresh, onAllDone);
        for (Cell cell : fresh) render(base, cell, label, onError, onAllDone);
    }

    /** Queues the global direction neutral → each target variant at each β (rows) and α (columns). */
    public void runDirections(Base base, String neutral, String target, Consumer<Throwable> onError, Runnable onAllDone) {
        List<Double> alphas = parseValues(alphaValues.get(), "α values", true);
        List<Double> betas = parseValues(betaValues.get(), "β values");
        List<String> targets = prompts(target);
        reset(alphas.size());
        title = "global direction “" + neutral + "” → “" + target + "”" + (targets.size() > 1 ? " and its variants" : "")
                + " — β (rows) × α (columns)";
        for (double a : alphas) colLabels.add(String.format(Locale.ROOT, "α %s", a));
        List<Cell> fresh = new ArrayList<>();
        List<List<Cell>> rows = new ArrayList<>();
        int row = 0;
        for (String t : targets) {
            for (double b : betas) {
                rowLabels.add((targets.size() > 1 ? "“" + t + "” " : "") + String.format(Locale.ROOT, "β %s", b));
                List<Cell> r = new ArrayList<>();
                for (int c = 0; c < alphas.size(); c++) r.add(new Cell(row, c, t, b, alphas.get(c)));
                fresh.addAll(r);
                rows.add(r);
                row++;
            }
        }
        start(fresh, onAllDone);
        for (List<Cell> r : rows) {
            Cell first = r.get(0);
            // one direction per row (β), then one render per α
            StudioPort.Task t = directionsBackend.direction(new DirectionsPort.DirectionRequest(neutral, first.prompt, 1, first.rowValue),
                    new StudioPort.Listener<>() {
                        @Override
                        public void done(RecipeStep.Direction d) {
                            for (Cell cell : r) {
                                cell.step = d.withStrength(cell.colValue);
                                render(base, cell, cell.prompt, onError, onAllDone);
                            }
                        }

                        @Override
                        public void failed(Throwable error) {
                            for (Cell cell : r) {
                                cell.failed(error);
                                finishOne(onAllDone);
                            }
                            if (onError != null) onError.accept(error);
                        }

                        @Override
                        public void cancelled() {
                            for (Cell cell : r) {
                                cell.state.set("cancelled");
                                finishOne(onAllDone);
                            }
                        }
                    });
            for (Cell cell : r) cell.task = t;
        }
    }

    private void start(List<Cell> fresh, Runnable onAllDone) {
        cells.setAll(fresh);
        pending = fresh.size();
        running.set(!fresh.isEmpty());
        if (fresh.isEmpty() && onAllDone != null) onAllDone.run();
    }

    /** Renders the face with the stack plus the cell's step, scored against {@code prompt}. */
    private void render(Base base, Cell cell, String prompt, Consumer<Throwable> onError, Runnable onAllDone) {
        List<RecipeStep> steps = new ArrayList<>(base.edits());
        steps.add(cell.step);
        cell.state.set("rendering");
        cell.task = backend.renderStack(new EditPort.StackRequest(base.base(), steps, base.source(), prompt),
                new CellListener<SourcePort.Rendered>(cell, onError, onAllDone) {
                    @Override
                    public void done(SourcePort.Rendered r) {
                        cell.done(r.image(), r.metrics());
                        finishOne(onAllDone);
                    }
                });
    }

    /** A cell's job: a failure marks the cell and is reported, a cancel marks it; either way the grid counts it done. */
    private abstract class CellListener<R> implements StudioPort.Listener<R> {
        private final Cell cell;
        private final Consumer<Throwable> onError;
        private final Runnable onAllDone;

        CellListener(Cell cell, Consumer<Throwable> onError, Runnable onAllDone) {
            this.cell = cell;
            this.onError = onError;
            this.onAllDone = onAllDone;
        }

        @Override
        public void failed(Throwable error) {
            cell.failed(error);
            if (onError != null) onError.accept(error);
            finishOne(onAllDone);
        }

        @Override
        public void cancelled() {
            cell.state.set("cancelled");
            finishOne(onAllDone);
        }
    }

    private void finishOne(Runnable onAllDone) {
        if (--pending <= 0 && running.get()) {
            running.set(false);
            if (onAllDone != null) onAllDone.run();
        }
    }

    public static String caption(Map<String, Double> m) {
        StringBuilder b = new StringBuilder();
        if (m.containsKey("clip_score")) b.append(String.format(Locale.ROOT, "CLIP %.3f", m.get("clip_score")));
        if (m.containsKey("id_similarity")) b.append(String.format(Locale.ROOT, "  ID %.3f", m.get("id_similarity")));
        if (m.containsKey("lpips")) b.append(String.format(Locale.ROOT, "  LPIPS %.3f", m.get("lpips")));
        if (m.containsKey(Metrics.LPIPS_OUTSIDE)) b.append(String.format(Locale.ROOT, "  outside %.3f", m.get(Metrics.LPIPS_OUTSIDE)));
        return b.toString().strip();
    }

    public void cancel() {
        for (Cell c : cells) if (c.task != null) c.task.cancel();
    }

    /** The finished cell with the highest CLIP score + ID similarity, or null. */
    public Cell best() {
        Cell best = null;
        for (Cell c : cells) if (c.step() != null && (best == null || c.score() > best.score())) best = c;
        return best;
    }
}
