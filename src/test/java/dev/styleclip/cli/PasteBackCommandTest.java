package dev.styleclip.cli;

import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code styleclip paste-back} on the golden photos, face-api detecting as {@code align} does. */
class PasteBackCommandTest {
    @TempDir
    Path tmp;

    static String errorLine(CliRun r) {
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), r.out() + r.err());
        return r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("");
    }

    /** An aligned face made by {@code align}, the way a user gets one. */
    Path aligned(String photo, int face, int size) {
        Path out = tmp.resolve(photo + "_" + face + "_" + size + ".png");
        CliRun r = CliRun.run("align", AlignCommandTest.photo(photo).toString(), "--out", out.toString(), "--size", String.valueOf(size),
                "--face", String.valueOf(face));
        assertEquals(0, r.code(), r.err());
        return out;
    }

    @Test
    void pastesTheFacesBackAtThePhotosSizeAsPngOrJpeg() throws Exception {
        Path first = aligned("two_faces", 1, 256), second = aligned("two_faces", 2, 256);
        Path png = tmp.resolve("whole.png");
        CliRun r = CliRun.run("paste-back", AlignCommandTest.photo("two_faces").toString(), "--edited", first.toString(),
                "--edited", second.toString(), "--out", png.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("face 1: ") && r.out().contains("face 2: "), r.out());
        assertTrue(r.out().contains("pixels changed (grow "), r.out());
        assertTrue(r.err().contains("using: face-api"), r.err());
        RgbImage photo = Images.read(AlignCommandTest.photo("two_faces"));
        RgbImage whole = Images.read(png);
        assertEquals(photo.width(), whole.width());
        assertEquals(photo.height(), whole.height());
        assertEquals(photo.get(0, 0, 0), whole.get(0, 0, 0), "a corner far from the faces is the photo's");

        Path jpg = tmp.resolve("mouth.jpg");
        CliRun j = CliRun.run("paste-back", AlignCommandTest.photo("two_faces").toString(), "--edited", second.toString(), "--face", "2",
                "--region", "mouth,eyes", "--grow", "3", "--feather", "0", "--no-colour-match", "--out", jpg.toString());
        assertEquals(0, j.code(), j.err());
        assertTrue(j.out().contains("face 2: ") && j.out().contains("grow 3.0 px, feather 0.0 px, colours as they are"), j.out());
        assertEquals(photo.width(), Images.read(jpg).width());
    }

    @Test
    void badInputGetsOneLineAndWritesNothing() throws Exception {
        Path out = tmp.resolve("out.png");
        Path photo = AlignCommandTest.photo("luciano");
        Path edited = aligned("luciano", 1, 128);

        assertTrue(errorLine(CliRun.run("paste-back", tmp.resolve("missing.jpg").toString(), "--edited", edited.toString(), "--out",
                out.toString())).contains("missing.jpg: no such file"));
        Path junk = Files.write(tmp.resolve("junk.png"), new byte[]{1, 2, 3});
        assertTrue(errorLine(CliRun.run("paste-back", photo.toString(), "--edited", junk.toString(), "--out", out.toString()))
                .contains("junk.png"));
        RgbImage wide = RgbImage.blank(64, 32);
        Path wideFile = tmp.resolve("wide.png");
        Images.writePng(wide, wideFile);
        assertEquals("error: --edited wide.png is 64x32: an aligned face is square",
                errorLine(CliRun.run("paste-back", photo.toString(), "--edited", wideFile.toString(), "--out", out.toString())));
        assertEquals("error: unknown face region 'hair' (choose from mouth, eyes, brows, nose, face, background)",
                errorLine(CliRun.run("paste-back", photo.toString(), "--edited", edited.toString(), "--region", "hair", "--out", out.toString())));
        assertTrue(errorLine(CliRun.run("paste-back", photo.toString(), "--edited", edited.toString(), "--out", tmp.resolve("out.gif").toString()))
                .contains("write .png or .jpg/.jpeg"));
        assertTrue(errorLine(CliRun.run("paste-back", photo.toString(), "--edited", edited.toString(), "--feather", "-1", "--out", out.toString()))
                .contains("feather must be 0 or more pixels"));
        assertTrue(errorLine(CliRun.run("paste-back", photo.toString(), "--edited", edited.toString(), "--face", "1", "--face", "2",
                "--out", out.toString())).contains("1 --edited image(s) but 2 --face"));
        assertEquals("error: face 2 not found: the photo has 1 face(s)",
                errorLine(CliRun.run("paste-back", photo.toString(), "--edited", edited.toString(), "--face", "2", "--out", out.toString())));

        RgbImage grey = RgbImage.blank(320, 240);
        java.util.Arrays.fill(grey.rgb(), (byte) 128);
        Path blank = tmp.resolve("blank.png");
        Images.writePng(grey, blank);
        assertEquals("error: blank.png: no face found — try a frontal photo",
                errorLine(CliRun.run("paste-back", blank.toString(), "--edited", edited.toString(), "--out", out.toString())));
        assertFalse(Files.exists(out), "nothing written");
    }
}
