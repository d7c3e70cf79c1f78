package dev.styleclip.studio.viewmodel;

import dev.styleclip.runtime.Pixels;
import dev.styleclip.studio.service.StudioBackend;
import dev.styleclip.studio.service.StudioBackend.EditRequest;
import dev.styleclip.studio.service.StudioBackend.EditResult;
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
 * The compare grid: runs of the current edit with λ_L2 down the rows (× prompt variants) and λ_ID across the columns,
 * queued on the compute thread; each cell fills in with its picture, CLIP score, ID similarity and LPIPS.
 * The best cell (highest CLIP score + ID similarity) can be promoted to the edit stack.
 */
public final class CompareViewModel {

    /** One run of the grid. */
    public static final class Cell {
        public final int row, col;
        public final String prompt;
        public final double lambdaL2, lambdaId;
        private final ObjectProperty<Pixels> image = new SimpleObjectProperty<>();
        private final StringProperty state = new SimpleStringProperty("queued");
        private final StringProperty caption = new SimpleStringProperty("");
        private EditResult result;
        private StudioBackend.Task task;

        Cell(int row, int col, String prompt, double l2, double id) {
            this.row = row;
            this.col = col;
            this.prompt = prompt;
            this.lambdaL2 = l2;
            this.lambdaId = id;
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

        public EditResult result() {
            return result;
        }

        /** CLIP score + ID similarity (NaN while not done). */
        public double score() {
            if (result == null) return Double.NaN;
            return result.metrics().getOrDefault("clip_score", 0.0) + result.metrics().getOrDefault("id_similarity", 0.0);
        }
    }

    private final StudioBackend backend;
    private final StringProperty l2Values = new SimpleStringProperty(this, "l2Values", "0.001, 0.01");
    private final StringProperty idValues = new SimpleStringProperty(this, "idValues", "0, 0.01");
    private final StringProperty promptVariants = new SimpleStringProperty(this, "promptVariants", "");
    private final ObservableList<Cell> cells = FXCollections.observableArrayList();
    private final List<String> rowLabels = new ArrayList<>();
    private final List<String> colLabels = new ArrayList<>();
    private final BooleanProperty running = new SimpleBooleanProperty(this, "running");
    private int columns;
    private int pending;

    public CompareViewModel(StudioBackend backend) {
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

    public BooleanProperty runningProperty() {
        return running;
    }

    public static List<Double> parseValues(String s, String what) {
        List<Double> out = new ArrayList<>();
        for (String p : s.split("[,;\\s]+")) {
            if (p.isBlank()) continue;
            try {
                double v = Double.parseDouble(p);
                if (!Double.isFinite(v) || v < 0) throw new NumberFormatException();
                out.add(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + p + "' is not a number ≥ 0");
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
        List<String> prompts = new ArrayList<>();
        prompts.add(template.prompt());
        for (String p : promptVariants.get().split("\\|")) if (!p.isBlank() && !prompts.contains(p.strip())) prompts.add(p.strip());
        cancel();
        cells.clear();
        rowLabels.clear();
        colLabels.clear();
        columns = id.size();
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
        cells.setAll(fresh);
        pending = fresh.size();
        running.set(true);
        for (Cell cell : fresh) {
            EditRequest r = new EditRequest(cell.prompt, template.method(), template.start(), template.source(), cell.lambdaL2,
                    cell.lambdaId, template.lr(), template.steps(), template.schedule(), template.coarse(), template.medium(),
                    template.fine());
            cell.task = backend.edit(r, new StudioBackend.Listener<>() {
                @Override
                public void frame(dev.styleclip.runtime.Frame f) {
                    cell.state.set("running " + f.step() + "/" + f.total());
                    if (f.preview() != null) cell.image.set(f.preview());
                }

                @Override
                public void done(EditResult res) {
                    cell.result = res;
                    cell.image.set(res.image());
                    cell.state.set("done");
                    cell.caption.set(caption(res.metrics()));
                    if (onCellDone != null) onCellDone.accept(cell);
                    finishOne(onAllDone);
                }

                @Override
                public void failed(Throwable error) {
                    cell.state.set("failed");
                    cell.caption.set("failed: " + error.getMessage());
                    if (onError != null) onError.accept(error);
                    finishOne(onAllDone);
                }

                @Override
                public void cancelled() {
                    cell.state.set("cancelled");
                    finishOne(onAllDone);
                }
            });
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
        return b.toString().strip();
    }

    public void cancel() {
        for (Cell c : cells) if (c.task != null) c.task.cancel();
    }

    /** The finished cell with the highest CLIP score + ID similarity, or null. */
    public Cell best() {
        Cell best = null;
        for (Cell c : cells) if (c.result != null && (best == null || c.score() > best.score())) best = c;
        return best;
    }
}
