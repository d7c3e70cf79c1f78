package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.recipe.RecipeStep;
import javafx.collections.ObservableList;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The Edit tab's stack: each step's strength (previewed while a slider is dragged, committed on release), on/off,
 * removal. Every change is one undoable state of the {@link Document}, rendered by its queue.
 */
public final class EditStackViewModel {
    private final Document document;

    EditStackViewModel(Document document) {
        this.document = document;
    }

    public ObservableList<RecipeStep> steps() {
        return document.editStack();
    }

    /**
     * Shows the stack with one step at another strength without committing it (a strength slider being dragged): only
     * the latest position is rendered; {@link #setStrength} on release makes it an undoable change.
     */
    public void previewStrength(int index, double strength) {
        if (!Double.isFinite(strength)) return;
        List<RecipeStep> e = changed(index, s -> s.withStrength(strength));
        if (e != null) document.preview(e);
    }

    public void setStrength(int index, double strength) {
        if (!Double.isFinite(strength)) return;
        List<RecipeStep> e = changed(index, s -> s.withStrength(strength));
        if (e != null) {
            document.changeEdits(e, String.format(Locale.ROOT, "%s of “%s” → %.2f", Steps.strengthName(e.get(index)),
                    e.get(index).label(), strength), null);
        }
    }

    public void setEnabled(int index, boolean enabled) {
        List<RecipeStep> e = changed(index, s -> s.withEnabled(enabled));
        if (e != null) document.changeEdits(e, (enabled ? "enable “" : "disable “") + e.get(index).label() + "”", null);
    }

    public void removeEdit(int index) {
        List<RecipeStep> e = new ArrayList<>(document.latestEdits());
        if (index < 0 || index >= e.size()) return;
        RecipeStep gone = e.remove(index);
        document.changeEdits(e, "remove “" + gone.label() + "”", null);
    }

    /** The latest stack with step {@code index} replaced, or null when there is no such step. */
    private List<RecipeStep> changed(int index, UnaryOperator<RecipeStep> change) {
        List<RecipeStep> e = new ArrayList<>(document.latestEdits());
        if (index < 0 || index >= e.size()) return null;
        e.set(index, change.apply(e.get(index)));
        return e;
    }
}
