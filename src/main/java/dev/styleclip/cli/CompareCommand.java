package dev.styleclip.cli;

import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.runtime.models.ModelRole;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.io.ModelFileException;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.arcface.IrSeBackbone;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.runtime.Engines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.styleclip.image.Images;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.face.FaceCheck;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ./styleclip compare A.png B.png}: identity similarity (ArcFace IR-SE) and LPIPS distance of two images. */
@Command(name = "compare", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Compare two face images: identity cosine similarity (StyleCLIP's ArcFace IR-SE ID loss = 1 - cosine)"
                + " and LPIPS v0.1 VGG distance.",
                "Images are read with javax.imageio as RGB (alpha dropped, grey expanded) and mapped to [-1, 1].",
                "Identity: each image is treated as an FFHQ-aligned face, as StyleCLIP does: average-pooled to 256x256"
                        + " (unless it is 256 pixels high), cropped to rows 35-222 / columns 32-219, average-pooled to 112x112."
                        + " The two images may differ in size.",
                "LPIPS: both images are resized to --lpips-size x --lpips-size (area averaging when shrinking, bilinear when"
                        + " enlarging); with --lpips-size 0 they are compared at A's size (B resized to it if different).",
                "Without model files, demo networks with deterministic random weights (IR-SE-50 and VGG16 architectures) are"
                        + " used and labelled \"demo network\": their numbers are not meaningful."},
        footer = {"", "Model files: model_ir_se50.pth (StyleCLIP/pSp), vgg16-397923af.pth (torchvision) and lpips' weights/v0.1/vgg.pth"
                + " (bundled; --lpips-lin overrides it)."})
public final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "A", description = "first image (e.g. the source)")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "second image (e.g. the edit)")
    Path b;

    @Option(names = "--id", paramLabel = "FILE", description = "ArcFace IR-SE weights (model_ir_se50.pth or a state dict of the same family; default: the models folder's, else a demo network)")
    Path idFile;

    @Option(names = "--lpips-vgg", paramLabel = "FILE", description = "torchvision VGG16 weights (vgg16-397923af.pth; default: the models folder's, else a demo trunk)")
    Path vggFile;

    @Option(names = "--lpips-lin", paramLabel = "FILE", description = "LPIPS lin weights (weights/v0.1/vgg.pth; default: the bundled copy)")
    Path linFile;

    @Option(names = "--lpips-size", paramLabel = "N", defaultValue = "256",
            description = "side both images are resized to for LPIPS (default ${DEFAULT-VALUE}; 0 = A's size)")
    int lpipsSize;

    @Option(names = "--face-api", paramLabel = "DIR",
            description = "face-api model folder: adds face-api's opinion (descriptor distance: same person?, expression, age, gender). "
                    + "Default: the one installed (models folder, faceapi.dir, STYLECLIP_FACEAPI_DIR, ~/.cache/styleclip/face-api-1.7.15), as the studio")
    Path faceApiDir;

    @Option(names = "--demo-networks", description = "demo ID and LPIPS networks (random weights) unless given as files, "
            + "whatever the models folder holds")
    boolean demoNetworks;

    @Option(names = "--no-face-api", description = "skip the face-api comparison")
    boolean noFaceApi;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        idFile = InstalledNetworks.find(idFile, "--id", ModelRole.IDENTITY, demoNetworks);
        vggFile = InstalledNetworks.find(vggFile, "--lpips-vgg", ModelRole.VGG16, demoNetworks);
        if (linFile != null && vggFile == null) throw new IllegalArgumentException("--lpips-lin needs --lpips-vgg (lin weights on a random trunk mean nothing)");
        // above 1024² LPIPS-VGG's activations alone pass 1 GB per image; the reference metric is taken at 256
        if (lpipsSize != 0 && (lpipsSize < 32 || lpipsSize > 1024)) {
            throw new IllegalArgumentException("--lpips-size must be 0 or between 32 and 1024, got " + lpipsSize);
        }
        for (Path p : new Path[]{idFile, vggFile, linFile}) {
            if (p != null && !Files.isRegularFile(p)) throw new ModelFileException(p, "no such model file");
        }
        Path faceApiUsed = noFaceApi ? null : InstalledNetworks.faceApi(faceApiDir, "--face-api");
        InstalledNetworks.Using using = new InstalledNetworks.Using().add("ID", idFile).add("LPIPS", vggFile);
        if (!noFaceApi) using.add("face-api", faceApiUsed == null ? null : faceApiUsed.resolve(ModelRole.FACE_API.marker()));
        BufferedImage ia = readImage(a);
        BufferedImage ib = readImage(b);
        Engines.pytorch();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("a", a.toString());
        result.put("b", b.toString());
        try (NDManager m = NDManager.newBaseManager();
             IrSeBackbone net = idFile == null ? IrSeBackbone.demo() : IrSeBackbone.load(idFile);
             IdentityLoss id = new IdentityLoss(net);
             Lpips lp = vggFile == null ? Lpips.demo() : Lpips.load(vggFile, linFile)) {
            using.print(spec.commandLine().getErr()); // once the networks are open: a bad file stays a one-line error
            // identity
            {
                NDArray fa = id.features(toTensor(m, ia));
                NDArray fb = id.features(toTensor(m, ib));
                double cos = fa.mul(fb).sum().getFloat();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("cosine", cos);
                r.put("id_loss", 1 - cos);
                r.put("network", idFile == null ? "demo network (random IR-SE-50 weights)" : idFile.toString());
                r.put("demo", idFile == null);
                result.put("identity", r);
            }
            // LPIPS
            int w = lpipsSize == 0 ? ia.getWidth() : lpipsSize;
            int h = lpipsSize == 0 ? ia.getHeight() : lpipsSize;
            {
                if (w < lp.minInputSize() || h < lp.minInputSize()) {
                    throw new IllegalArgumentException("LPIPS needs images at least " + lp.minInputSize() + " pixels wide and high, A is " + w + "x" + h);
                }
                NDArray x0 = toTensor(m, resize(ia, w, h));
                NDArray x1 = toTensor(m, resize(ib, w, h));
                double d = lp.distance(x0, x1).getFloat();
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("distance", d);
                r.put("size", w + "x" + h);
                r.put("network", vggFile == null ? "demo network (random VGG16 trunk, bundled v0.1 lin weights)"
                        : vggFile + " + " + (linFile == null ? "bundled v0.1 lin weights" : linFile.toString()));
                r.put("demo", vggFile == null);
                result.put("lpips", r);
            }
        }
        // face-api: a second opinion on identity (descriptor distance) plus expression, age and gender
        Path fa = faceApiUsed;
        FaceCheck.Result faces = null;
        if (fa != null) {
            try (NDManager m = NDManager.newBaseManager(); FaceApi api = FaceApi.open(fa, m)) {
                faces = FaceCheck.compare(api, Images.read(a), Images.read(b));
            }
            result.put("face_api", faces.asMap());
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result));
        } else {
            @SuppressWarnings("unchecked") Map<String, Object> idr = (Map<String, Object>) result.get("identity");
            @SuppressWarnings("unchecked") Map<String, Object> lr = (Map<String, Object>) result.get("lpips");
            out.printf(Locale.ROOT, "identity cosine: %.6f  (ID loss 1 - cos = %.6f)  [%s]%n",
                    (Double) idr.get("cosine"), (Double) idr.get("id_loss"), idr.get("network"));
            out.printf(Locale.ROOT, "LPIPS distance:  %.6f  (at %s)  [%s]%n", (Double) lr.get("distance"), lr.get("size"), lr.get("network"));
            if (faces != null) out.println("face-api:        " + faces.describe("A", "B"));
            else if (!noFaceApi) out.println("face-api:        not installed (scripts/fetch-face-api, or --face-api DIR)");
        }
        return 0;
    }

    /** Reads an image with javax.imageio; the message names the file when it cannot. */
    /** Through the app's one photo reader (sizes from the header, colour models, EXIF; bombs refused). */
    static BufferedImage readImage(Path p) throws IOException {
        try {
            return dev.styleclip.image.Images.toBufferedImage(dev.styleclip.image.Images.read(p));
        } catch (dev.styleclip.image.ImageFileException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** RGB in [-1, 1] as {@code [1,3,H,W]} float32. */
    static NDArray toTensor(NDManager m, BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] v = new float[3 * w * h];
        int plane = w * h;
        for (int i = 0; i < plane; i++) {
            int p = argb[i];
            v[i] = ((p >> 16) & 0xff) / 127.5f - 1f;
            v[plane + i] = ((p >> 8) & 0xff) / 127.5f - 1f;
            v[2 * plane + i] = (p & 0xff) / 127.5f - 1f;
        }
        return m.create(v, new Shape(1, 3, h, w));
    }

    /**
     * Resizes to w x h: per axis, area averaging (box filter with fractional edge weights) when shrinking, bilinear
     * (half-pixel centres, edges clamped) when enlarging. Returns the image itself when the size already matches.
     */
    static BufferedImage resize(BufferedImage src, int w, int h) {
        int sw = src.getWidth();
        int sh = src.getHeight();
        if (sw == w && sh == h) return src;
        int[] argb = src.getRGB(0, 0, sw, sh, null, 0, sw);
        float[][] ch = new float[3][sw * sh];
        for (int i = 0; i < argb.length; i++) {
            ch[0][i] = (argb[i] >> 16) & 0xff;
            ch[1][i] = (argb[i] >> 8) & 0xff;
            ch[2][i] = argb[i] & 0xff;
        }
        double[][] mx = resampleMatrix(sw, w);
        double[][] my = resampleMatrix(sh, h);
        int[] out = new int[w * h];
        for (int c = 0; c < 3; c++) {
            // rows first: [sh][w]
            double[] tmp = new double[sh * w];
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    double[] row = mx[x];
                    for (int k = 0; k < sw; k++) if (row[k] != 0) s += row[k] * ch[c][y * sw + k];
                    tmp[y * w + x] = s;
                }
            }
            for (int y = 0; y < h; y++) {
                double[] col = my[y];
                for (int x = 0; x < w; x++) {
                    double s = 0;
                    for (int k = 0; k < sh; k++) if (col[k] != 0) s += col[k] * tmp[k * w + x];
                    int v = (int) Math.round(Math.max(0, Math.min(255, s)));
                    out[y * w + x] |= v << (8 * (2 - c));
                }
            }
        }
        BufferedImage r = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        r.setRGB(0, 0, w, h, out, 0, w);
        return r;
    }

    /** out x in weights of one axis (rows sum to 1). */
    static double[][] resampleMatrix(int in, int out) {
        double[][] m = new double[out][in];
        double scale = (double) in / out;
        for (int i = 0; i < out; i++) {
            if (out < in) {
                double lo = i * scale;
                double hi = (i + 1) * scale;
                for (int k = (int) Math.floor(lo); k < Math.min(in, (int) Math.ceil(hi)); k++) {
                    double wgt = Math.min(hi, k + 1) - Math.max(lo, k);
                    if (wgt > 0) m[i][k] = wgt / scale;
                }
            } else {
                double pos = (i + 0.5) * scale - 0.5;
                int k0 = (int) Math.floor(pos);
                double f = pos - k0;
                int a0 = Math.max(0, Math.min(in - 1, k0));
                int a1 = Math.max(0, Math.min(in - 1, k0 + 1));
                m[i][a0] += 1 - f;
                m[i][a1] += f;
            }
        }
        return m;
    }
}
