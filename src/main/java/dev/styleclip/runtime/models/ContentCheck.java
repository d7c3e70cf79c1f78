package dev.styleclip.runtime.models;

import dev.styleclip.io.Checkpoint;
import dev.styleclip.io.ModelFileException;

/**
 * A check of what a model file holds, beyond reading it: that it is the network its catalog entry names, with a
 * configuration that network accepts. The installer runs every check found through {@link java.util.ServiceLoader}
 * before a file may land; the networks provide them (they live above this package, which cannot see them).
 */
public interface ContentCheck {

    /**
     * Refuses (one-line {@link ModelFileException}) a file that is not what {@code entry} stands for; returns quietly for
     * entries and formats it has no opinion on.
     */
    void check(ModelEntry entry, Checkpoint file) throws ModelFileException;
}
