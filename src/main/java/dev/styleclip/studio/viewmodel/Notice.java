package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.NotEnoughMemoryException;

/**
 * A message for the user: the view shows it as a notification, or as a dialog the user must close ({@link Level#DIALOG}:
 * a job refused because it cannot fit in memory; the user has to change something before trying again).
 */
public record Notice(Level level, String title, String text) {
    public enum Level { INFO, WARNING, ERROR, DIALOG }

    /** The notice for a failed job: a dialog when it was refused for memory, else an error notification. */
    public static Notice error(String title, Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof NotEnoughMemoryException) {
                return new Notice(Level.DIALOG, "Not enough memory", c.getMessage()
                        + ". The budget is under Models ▸ Memory budget; a smaller generator or batch needs less.");
            }
        }
        return new Notice(Level.ERROR, title, describe(t));
    }

    /** A one-line description of an error (its message, else its type). */
    public static String describe(Throwable t) {
        Throwable c = t;
        while ((c.getMessage() == null || c.getMessage().isBlank()) && c.getCause() != null) c = c.getCause();
        if (c instanceof OutOfMemoryError) return "out of memory: " + c.getMessage();
        String m = c.getMessage();
        return m == null || m.isBlank() ? c.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
