package dev.styleclip.video;

/**
 * A stream's display matrix (rotation metadata: how a stored frame is turned for showing) as the EXIF orientation
 * that does the same, so frames are turned upright by {@link dev.styleclip.image.Images#applyExifOrientation}, the one
 * place photos are.
 * <p>
 * FFmpeg's matrix {@code [a b u; c d v; x y w]} (16.16 fixed point) sends a stored pixel (x, y), y downwards, to
 * {@code (a·x + c·y, b·x + d·y)} on screen; FFmpeg's own player and converter turn frames that way (checked against the
 * {@code ffmpeg} command's automatic rotation: docs/stack.md). A matrix that is no quarter turn or mirror
 * (a clip tilted by 10°) is shown as stored.
 */
final class DisplayMatrix {
    private DisplayMatrix() {
    }

    /** The EXIF orientation (1…8) of a 3×3 display matrix. */
    static int orientation(int[] m) {
        double a = m[0], b = m[1], c = m[3], d = m[4];
        double sx = Math.hypot(a, c), sy = Math.hypot(b, d);
        if (!(sx > 0) || !(sy > 0)) return 1;
        long na = Math.round(a / sx), nb = Math.round(b / sy), nc = Math.round(c / sx), nd = Math.round(d / sy);
        // only exact quarter turns: cos 45° rounds to 1, but such a clip is no quarter turn
        if (Math.abs(a / sx - na) > 0.01 || Math.abs(b / sy - nb) > 0.01 || Math.abs(c / sx - nc) > 0.01
                || Math.abs(d / sy - nd) > 0.01) {
            return 1;
        }
        String key = na + "," + nc + "," + nb + "," + nd; // screen X = a·x + c·y, Y = b·x + d·y
        return switch (key) {
            case "-1,0,0,1" -> 2;
            case "-1,0,0,-1" -> 3;
            case "1,0,0,-1" -> 4;
            case "0,1,1,0" -> 5;
            case "0,-1,1,0" -> 6;
            case "0,-1,-1,0" -> 7;
            case "0,1,-1,0" -> 8;
            default -> 1;
        };
    }
}
