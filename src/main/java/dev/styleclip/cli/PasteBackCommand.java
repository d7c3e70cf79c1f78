package dev.styleclip.cli;

import ai.djl.ndarray.NDManager;
import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.edit.PhotoPaste;
import dev.styleclip.image.FaceRegion;
import dev.styleclip.image.Images;
import dev.styleclip.image.PasteBack;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.runtime.Engines;
import dev.styleclip.runtime.models.ModelRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip paste-back PHOTO --edited EDITED.png --out OUT.jpg}: puts edited aligned faces back into the photo
 * they were aligned from, at the photo's size and upright ({@link PhotoPaste}). Faces are found as {@code align} finds
 * them for an inversion (face-api's SSD detector, the FFHQ rule), or given by four points. Progress goes to stderr, one
 * line per pasted face to stdout; bad input exits with code 2 and a one-line message, and nothing is written.
 */
@Command(name = "paste-back", description = "Put edited aligned faces back into the original photo (full size, feathered, colour-matched).")
public final class PasteBackCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PHOTO", description = "the photo the faces were aligned from (PNG, JPEG, BMP, GIF, WebP)")
    Path photo;

    @Option(names = "--edited", required = true, paramLabel = "FILE",
            description = "an edited aligned face (square PNG/JPEG, any size); repeat for several faces, each with its --face or --points")
    List<Path> edited;

    @Option(names = "--face", paramLabel = "N",
            description = "which face each --edited image belongs to, 1 = the largest (default: 1, 2, … in the order of --edited)")
    List<Integer> faces;

    @Option(names = "--points", paramLabel = "LX,LY,RX,RY,MLX,MLY,MRX,MRY",
            description = "the face of each --edited image given by four points instead of detecting: eye centres (left, right) and outer mouth corners (left, right), pixels")
    List<String> points;

    @Option(names = "--grow", paramLabel = "PX",
            description = "move the mask's edge out by PX photo pixels (negative: in); default 2% of the face's aligned square")
    Double grow;

    @Option(names = "--feather", paramLabel = "PX", description = "width of the mask's soft edge in photo pixels (0 = hard); default 4% of the face's aligned square")
    Double feather;

    @Option(names = "--region", paramLabel = "LIST", defaultValue = "face",
            description = "the regions the edit replaces, comma-separated: mouth, eyes, brows, nose, face, background (default: ${DEFAULT-VALUE})")
    String region;

    @Option(names = "--no-colour-match", description = "paste the edit's colours as they are (default: matched to the photo at the seam)")
    boolean noColourMatch;

    @Option(names = "--face-api", paramLabel = "DIR", description = "face-api model folder (default: the one installed, as the studio)")
    Path faceApi;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the photo: .png or .jpg/.jpeg")
    Path out;

    @Override
    public Integer call() throws Exception {
        String format = Images.outputFormat(out);
        AtomicFiles.prepareFile(out); // before any work: a bad output place is known now, not at the end
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        PasteBack.Options options = new PasteBack.Options(FaceRegion.parse(region), grow == null ? Double.NaN : grow,
                feather == null ? Double.NaN : feather, !noColourMatch);
        List<PhotoPaste.EditedFace> edits = edits();

        boolean detect = edits.stream().anyMatch(e -> e.points() == null);
        Path faceApiDir = detect ? InstalledNetworks.requireFaceApi(faceApi, "--face-api", "give each face's --points") : null;
        err.println("reading " + photo + " and finding " + (detect ? "its faces (ssd)" : "the faces from the points") + " ...");
        err.flush();
        PhotoPaste.Pasted pasted;
        if (detect) {
            new InstalledNetworks.Using().add("face-api", faceApiDir.resolve(ModelRole.FACE_API.marker())).print(err);
            Engines.configureOffline();
            try (NDManager manager = Engines.pytorch().newBaseManager()) {
                pasted = PhotoPaste.pasteFile(manager, faceApiDir, photo, edits, options);
            }
        } else {
            pasted = PhotoPaste.pasteFile(null, null, photo, edits, options);
        }
        for (int i = 0; i < edits.size(); i++) {
            PasteBack.Result r = pasted.results().get(i);
            PasteBack.ColourMatch c = r.colour();
            String colour = c.bandPixels() == 0 ? "colours as they are"
                    : String.format(Locale.ROOT, "colour gain %.3f/%.3f/%.3f offset %+.1f/%+.1f/%+.1f", c.gain()[0], c.gain()[1], c.gain()[2],
                    c.offset()[0], c.offset()[1], c.offset()[2]);
            o.printf(Locale.ROOT, "%s: %d pixels changed (grow %.1f px, feather %.1f px, %s%s)%n", label(edits.get(i), i), r.changedPixels(),
                    r.grow(), r.feather(), colour, pasted.faces().get(i).estimated() ? "; landmarks estimated from the points" : "");
        }
        o.flush();
        RgbImage whole = pasted.photo();
        AtomicFiles.write(out, os -> Images.write(whole, format, os));
        err.printf(Locale.ROOT, "wrote %s (%d x %d)%n", out, whole.width(), whole.height());
        return 0;
    }

    /** The --edited images with their faces, read and checked before any detection. */
    private List<PhotoPaste.EditedFace> edits() throws Exception {
        if (faces != null && points != null) throw new IllegalArgumentException("use either --face or --points, not both");
        int n = edited.size();
        if (faces != null && faces.size() != n) throw new IllegalArgumentException(n + " --edited image(s) but " + faces.size() + " --face");
        if (points != null && points.size() != n) throw new IllegalArgumentException(n + " --edited image(s) but " + points.size() + " --points");
        List<PhotoPaste.EditedFace> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RgbImage img = Images.read(edited.get(i));
            if (img.width() != img.height()) {
                throw new IllegalArgumentException("--edited " + edited.get(i).getFileName() + " is " + img.width() + "x" + img.height()
                        + ": an aligned face is square");
            }
            int face = faces != null ? faces.get(i) : i + 1;
            if (face < 1) throw new IllegalArgumentException("--face must be 1 or more, got " + face);
            out.add(new PhotoPaste.EditedFace(face - 1, points != null ? AlignCommand.parsePoints(points.get(i)) : null, img));
        }
        return out;
    }

    private static String label(PhotoPaste.EditedFace e, int i) {
        return e.points() != null ? "face " + (i + 1) + " (points)" : "face " + (e.face() + 1);
    }
}
