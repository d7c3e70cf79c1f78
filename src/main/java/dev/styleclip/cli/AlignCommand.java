package dev.styleclip.cli;

import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.edit.PhotoAlignment;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.image.FfhqAlign;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.runtime.ComputeService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip align PHOTO --out aligned.png}: finds the faces of a photo (face-api SSD or Tiny detector + 68
 * landmarks, on the compute thread), lists them with scores (largest first) and writes one FFHQ-aligned — the studio's
 * {@link PhotoAlignment}, with the size, variant and detector as options. Progress goes to stderr; bad input
 * (unreadable photo, no face, face-api not installed, bad options) exits with code 2 and a one-line message.
 */
@Command(name = "align", description = "Detect the faces of a photo and write one FFHQ-aligned (as StyleGAN expects).")
public final class AlignCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PHOTO", description = "a PNG, JPEG, BMP or GIF photo")
    Path photo;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the aligned PNG")
    Path out;

    @Option(names = "--size", defaultValue = "1024", description = "output size in pixels (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--variant", defaultValue = "ffhq", description = "ffhq (original FFHQ rule, default) or sg3e (stylegan3-editing: scaled by the eye distance)")
    String variant;

    @Option(names = "--face", paramLabel = "N", description = "which face to align, 1 = the largest (default 1)")
    Integer face;

    @Option(names = "--points", paramLabel = "LX,LY,RX,RY,MLX,MLY,MRX,MRY",
            description = "align from four points instead of detecting: eye centres (left, right) and outer mouth corners (left, right), pixels")
    String points;

    @Option(names = "--detector", defaultValue = "ssd", description = "ssd (default, accurate) or tiny (fast)")
    String detector;

    @Option(names = "--models", paramLabel = "DIR", description = "face-api model folder (default: the one installed, as the studio finds it: "
            + "the models folder, faceapi.dir, STYLECLIP_FACEAPI_DIR, ~/.cache/styleclip/face-api-1.7.15)")
    Path models;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFile(out); // before any work: a bad output place is known now, not at the end
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter o = spec.commandLine().getOut();
        if (size < 16 || size > 4096) throw new IllegalArgumentException("--size must be between 16 and 4096, got " + size);
        FfhqAlign.Variant v = FfhqAlign.Variant.parse(variant);
        FaceApi.Detector det = FaceApi.Detector.parse(detector);
        if (points != null && face != null) throw new IllegalArgumentException("use either --face or --points, not both");
        double[] pts = points == null ? null : parsePoints(points);
        Path faceApi = pts == null ? InstalledNetworks.requireFaceApi(models, "--models", "give the face's four --points") : null;

        err.println("reading " + photo + " ...");
        err.flush();
        RgbImage img = Images.read(photo);
        err.printf(Locale.ROOT, "  %d x %d pixels%n", img.width(), img.height());
        FfhqAlign.Result result;
        if (pts != null) {
            err.println("aligning from the given points (" + v.name().toLowerCase(Locale.ROOT) + ", " + size + " px) ...");
            err.flush();
            result = PhotoAlignment.fromPoints(img, pts, v, size);
        } else {
            try (ComputeService service = new ComputeService()) {
                result = service.run("align", ctx -> {
                    err.println("detecting faces (" + det.name().toLowerCase(Locale.ROOT) + ") ...");
                    err.flush();
                    List<FaceApi.Face> faces = PhotoAlignment.faces(ctx.manager(), faceApi, img, det, photo.getFileName().toString());
                    new InstalledNetworks.Using().add("face-api", faceApi.resolve(ModelRole.FACE_API.marker())).print(err);
                    o.println("faces found: " + faces.size() + " (largest first)");
                    for (int i = 0; i < faces.size(); i++) {
                        FaceApi.Detection d = faces.get(i).detection();
                        o.printf(Locale.ROOT, "  %d: score %.3f  box x=%.0f y=%.0f w=%.0f h=%.0f%n", i + 1, d.score(),
                                d.box().x(), d.box().y(), d.box().width(), d.box().height());
                    }
                    o.flush();
                    int k = face == null ? 1 : face;
                    if (k < 1 || k > faces.size()) {
                        throw new IllegalArgumentException("--face " + k + " out of range: the photo has " + faces.size() + " face(s)");
                    }
                    err.println("aligning face " + k + " (" + v.name().toLowerCase(Locale.ROOT) + ", " + size + " px) ...");
                    err.flush();
                    return PhotoAlignment.align(img, faces, k - 1, v, size);
                }, null);
            }
        }
        java.awt.image.BufferedImage aligned = Images.toBufferedImage(result.image());
        AtomicFiles.write(out, os -> ImageIO.write(aligned, "png", os));
        err.println("wrote " + out);
        return 0;
    }

    static double[] parsePoints(String s) {
        String[] p = s.split(",");
        if (p.length != 8) throw new IllegalArgumentException("--points needs 8 comma-separated numbers LX,LY,RX,RY,MLX,MLY,MRX,MRY, got " + p.length);
        double[] d = new double[8];
        for (int i = 0; i < 8; i++) d[i] = Numbers.finite(p[i], "--points");
        return d;
    }
}
