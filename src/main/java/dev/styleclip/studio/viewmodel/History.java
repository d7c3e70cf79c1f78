package dev.styleclip.studio.viewmodel;

import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;

import java.util.ArrayList;
import java.util.List;

/** Linear undo / redo over immutable snapshots (a new action after undo drops the redo branch). */
public final class History<T> {
    private final List<T> states = new ArrayList<>();
    private final int limit;
    private int index = -1;
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper();
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper();

    public History(int limit) {
        this.limit = Math.max(2, limit);
    }

    public void push(T state) {
        while (states.size() > index + 1) states.remove(states.size() - 1);
        states.add(state);
        if (states.size() > limit) states.remove(0);
        index = states.size() - 1;
        update();
    }

    /** Replaces the current state (drops the redo branch): consecutive adjustments of one thing are one undo step. */
    public void replace(T state) {
        if (index < 0) {
            push(state);
            return;
        }
        while (states.size() > index + 1) states.remove(states.size() - 1);
        states.set(index, state);
        update();
    }

    public T current() {
        return index < 0 ? null : states.get(index);
    }

    public T undo() {
        if (index > 0) index--;
        update();
        return current();
    }

    public T redo() {
        if (index < states.size() - 1) index++;
        update();
        return current();
    }

    /** All states, oldest first, and the position of the current one (for saving sessions). */
    public List<T> states() {
        return List.copyOf(states);
    }

    public int index() {
        return index;
    }

    /** Replaces the whole history (reopening a session). */
    public void reset(List<T> all, int current) {
        states.clear();
        states.addAll(all);
        index = all.isEmpty() ? -1 : Math.max(0, Math.min(current, all.size() - 1));
        update();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    private void update() {
        canUndo.set(index > 0);
        canRedo.set(index >= 0 && index < states.size() - 1);
    }
}
