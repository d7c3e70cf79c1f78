package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.mapper.MapperPlaces;
import dev.styleclip.studio.service.MapperFolders;
import dev.styleclip.studio.service.MapperFolders.MapperInfo;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The Mapper tab's library: the trained mappers (those in the mappers folder, then those the user opened elsewhere,
 * remembered), the one selected, and applying it to the current face at λ_delta.
 */
public final class MapperLibraryViewModel {
    private final StudioPrefs prefs;
    private final Path root;
    private final StatusViewModel status;
    private final BiConsumer<Path, Double> apply;
    private final ObservableList<MapperInfo> mappers = FXCollections.observableArrayList();
    private final ObjectProperty<MapperInfo> selected = new SimpleObjectProperty<>(this, "selected");
    private final List<Path> opened = new ArrayList<>();
    /** λ_delta: w' = w + λ_delta·M(w); training uses 0.1; the seed report applies 0.1 … 1 (0.5 usually enough). */
    private final NumberParam strength = new NumberParam("λ_delta", 0.1, 0, 1, -2, 5, false);
    private final BooleanBinding canApply;

    /**
     * @param root    where trained mappers live ({@link MapperPlaces#defaultRoot})
     * @param hasFace whether there is a current face to apply a mapper to
     * @param apply   applies a mapper file at a strength to the current face
     */
    MapperLibraryViewModel(StudioPrefs prefs, Path root, StatusViewModel status, ObservableBooleanValue hasFace,
                           BiConsumer<Path, Double> apply) {
        this.prefs = prefs;
        this.root = root;
        this.status = status;
        this.apply = apply;
        strength.set(prefs.getDouble("mapper.strength", strength.get()));
        for (String line : prefs.get("mapper.opened", "").split("\n")) {
            if (line.isBlank()) continue;
            try {
                opened.add(Paths.get(line));
            } catch (RuntimeException e) {
                // a stale or foreign path: not offered
            }
        }
        canApply = Bindings.createBooleanBinding(() -> hasFace.get() && selected.get() != null, hasFace, selected);
        refresh();
    }

    /** Trained mappers: those in the mappers folder, then those the user opened. */
    public ObservableList<MapperInfo> mappers() {
        return mappers;
    }

    public ObjectProperty<MapperInfo> selectedProperty() {
        return selected;
    }

    /** λ_delta of "Apply to current face". */
    public NumberParam strength() {
        return strength;
    }

    /** A face to edit and a mapper chosen. */
    public BooleanBinding canApplyProperty() {
        return canApply;
    }

    /** Re-reads the mappers folder (and the opened mappers), keeping the selection when it is still there. */
    public void refresh() {
        List<MapperInfo> all = new ArrayList<>(MapperFolders.scan(root));
        for (Path p : opened) {
            if (all.stream().anyMatch(m -> m.file().equals(p))) continue;
            try {
                all.add(MapperFolders.read(p));
            } catch (IOException | RuntimeException e) {
                // gone or broken since it was opened: not offered
            }
        }
        MapperInfo sel = selected.get();
        mappers.setAll(all);
        MapperInfo keep = sel == null ? null : all.stream().filter(m -> m.file().equals(sel.file())).findFirst().orElse(null);
        selected.set(keep != null ? keep : all.isEmpty() ? null : all.get(0));
    }

    /** Adds a mapper file (or a folder holding one) to the list, remembered, and selects it. */
    public boolean open(Path fileOrFolder) {
        MapperInfo m;
        try {
            m = MapperFolders.read(fileOrFolder);
        } catch (IOException | RuntimeException e) {
            status.notice(Notice.error("Mapper not opened", e));
            return false;
        }
        added(m.file());
        return true;
    }

    /** A mapper just written (trained) or opened: listed (remembered when outside the mappers folder) and selected. */
    void added(Path file) {
        Path f = file.toAbsolutePath().normalize();
        if (f.getParent() == null || !root.equals(f.getParent().getParent())) remember(f);
        refresh();
        mappers.stream().filter(x -> x.file().equals(f)).findFirst().ifPresent(selected::set);
    }

    /** Keeps a mapper outside the mappers folder in the list (remembered, at most 20). */
    private void remember(Path file) {
        if (!opened.contains(file)) opened.add(file);
        while (opened.size() > 20) opened.remove(0);
        prefs.put("mapper.opened", String.join("\n", opened.stream().map(Path::toString).toList()));
    }

    /** Applies the selected mapper to the current face at λ_delta. */
    public void applySelected() {
        MapperInfo m = selected.get();
        if (m == null || !canApply.get()) {
            status.notice(new Notice(Notice.Level.WARNING, "Apply mapper", m == null ? "choose a trained mapper first" : "generate a face first"));
            return;
        }
        prefs.putDouble("mapper.strength", strength.get());
        apply.accept(m.file(), strength.get());
    }
}
