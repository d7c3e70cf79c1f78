package dev.styleclip.runtime.models;

import java.io.IOException;

/** A download, import or verification that failed, with a one-line message meant for the user. */
public class ModelsException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelsException(String message) {
        super(message);
    }

    public ModelsException(String message, Throwable cause) {
        super(message, cause);
    }
}
