package dev.styleclip.image;

/** A photo that cannot be used, with a one-line message fit for the user (names the file and the reason). */
public class ImageFileException extends Exception {
    public ImageFileException(String message) {
        super(message);
    }

    public ImageFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
