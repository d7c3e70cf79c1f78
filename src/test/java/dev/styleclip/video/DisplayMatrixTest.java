package dev.styleclip.video;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Display matrices (16.16 fixed point, as FFmpeg stores them) to EXIF orientations. */
class DisplayMatrixTest {
    private static final int ONE = 1 << 16;

    /** FFmpeg's {@code av_display_rotation_set(m, θ)}: θ degrees anticlockwise on screen. */
    private static int[] rotation(double degrees) {
        double r = Math.toRadians(degrees);
        int[] m = new int[9];
        m[0] = (int) Math.round(Math.cos(r) * ONE);
        m[1] = (int) Math.round(-Math.sin(r) * ONE);
        m[3] = (int) Math.round(Math.sin(r) * ONE);
        m[4] = (int) Math.round(Math.cos(r) * ONE);
        m[8] = 1 << 30;
        return m;
    }

    @Test
    void quarterTurnsAndMirrorsMapToTheirOrientation() {
        assertEquals(1, DisplayMatrix.orientation(rotation(0)));
        assertEquals(8, DisplayMatrix.orientation(rotation(90)), "a quarter turn anticlockwise");
        assertEquals(3, DisplayMatrix.orientation(rotation(180)));
        assertEquals(6, DisplayMatrix.orientation(rotation(-90)), "a quarter turn clockwise (a phone's portrait clip)");
        int[] mirrored = rotation(0);
        mirrored[0] = -ONE; // x → −x: mirrored left to right
        assertEquals(2, DisplayMatrix.orientation(mirrored));
    }

    @Test
    void aTiltThatIsNoQuarterTurnIsShownAsStored() {
        assertEquals(1, DisplayMatrix.orientation(rotation(10)));
        assertEquals(1, DisplayMatrix.orientation(rotation(45)));
        assertEquals(1, DisplayMatrix.orientation(new int[9]), "an empty matrix");
    }
}
