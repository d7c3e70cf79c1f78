package dev.styleclip.image;

/** A photo in which the detector finds no face. */
public class NoFaceException extends ImageFileException {
    public NoFaceException(String photoName) {
        super((photoName == null || photoName.isEmpty() ? "" : photoName + ": ") + "no face found — try a frontal photo");
    }
}
