package dev.styleclip.edit;

/**
 * A job was refused before it started because even its most frugal memory plan exceeds the budget; the message is one
 * line naming the need and the budget (the CLI prints it and exits 2, the studio shows it in a dialog).
 */
public final class NotEnoughMemoryException extends Exception {
    public NotEnoughMemoryException(String message) {
        super(message);
    }
}
