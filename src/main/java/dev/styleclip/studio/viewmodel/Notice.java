package dev.styleclip.studio.viewmodel;

/** A message for the user (the view shows it as a notification). */
public record Notice(Level level, String title, String text) {
    public enum Level { INFO, WARNING, ERROR }

    public static Notice error(String title, Throwable t) {
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
