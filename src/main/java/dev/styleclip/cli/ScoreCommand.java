package dev.styleclip.cli;

import dev.styleclip.cli.common.InstalledNetworks;
import dev.styleclip.runtime.models.ModelRole;
import dev.styleclip.cli.common.TextTable;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.image.Images;
import dev.styleclip.image.RgbImage;
import dev.styleclip.io.ModelFiles;
import dev.styleclip.model.clip.ClipDemo;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.clip.ClipPreprocess;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.model.clip.TextEmbeddingCache;
import dev.styleclip.runtime.Engines;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip score --clip FILE --image PNG --prompt TEXT [--prompt TEXT ...]}: CLIP cosine similarity of a photo
 * and each prompt, and StyleCLIP's CLIP loss {@code 1 − exp(logit_scale)·cos / 100}. Without {@code --clip} a demo
 * network with random weights (ViT-B/32 architecture) is used, so the numbers are meaningless.
 */
@Command(name = "score", mixinStandardHelpOptions = true, description = "Score how well an image matches text prompts with CLIP (cosine similarity and StyleCLIP's CLIP loss).")
public final class ScoreCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--clip", paramLabel = "FILE", description = "OpenAI CLIP checkpoint (e.g. ViT-B-32.pt, or its state dict as "
            + "safetensors); default: the models folder's, else a demo network with random weights")
    Path clip;

    @Option(names = "--demo-networks", description = "the demo CLIP (random weights) unless --clip is given, whatever the models folder holds")
    boolean demoNetworks;

    @Option(names = "--image", paramLabel = "PNG", required = true, description = "the image to score (PNG, JPEG, ...)")
    Path image;

    @Option(names = "--prompt", paramLabel = "TEXT", required = true, description = "a text prompt (repeat for several)")
    List<String> prompts;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Override
    public Integer call() throws Exception {
        for (String p : prompts) ClipTokenizer.requirePrompt(p);
        clip = InstalledNetworks.find(clip, "--clip", ModelRole.CLIP, demoNetworks);
        // the app's one photo reader (size limits from the header, colour models, EXIF), handed to CLIP as plain RGB
        RgbImage img = Images.read(image);
        NDManager root = Engines.pytorch().newBaseManager();
        try (root; ClipModel model = clip == null ? ClipDemo.create(root) : ClipModel.load(ModelFiles.openStore(clip), root)) {
            new InstalledNetworks.Using().add("CLIP", clip).print(spec.commandLine().getErr()); // once it is open
            List<double[]> rows = score(model, img, prompts, TextEmbeddingCache.shared(), root);
            print(spec.commandLine().getOut(), model, rows);
        }
        return 0;
    }

    /** Per prompt {cosine, loss} for one image. */
    static List<double[]> score(ClipModel model, RgbImage img, List<String> prompts, TextEmbeddingCache cache, NDManager parent) {
        int r = model.inputResolution();
        List<double[]> rows = new ArrayList<>();
        try (NDManager m = parent.newSubManager()) {
            NDArray px = ClipPreprocess.pixelValues(List.of(img), r, m);
            NDArray fi = model.encodeImage(px);
            NDArray ft = cache.features(model, prompts, m);
            float[] cos = ClipModel.cosine(fi, ft).toFloatArray();
            float[] loss = model.styleClipLoss(fi, ft).toFloatArray();
            for (int i = 0; i < prompts.size(); i++) rows.add(new double[]{cos[i], loss[i]});
        }
        return rows;
    }

    private void print(PrintWriter out, ClipModel model, List<double[]> rows) throws Exception {
        boolean demo = clip == null;
        String modelLabel = demo ? "demo network (random weights, ViT-B/32 architecture; scores are meaningless)" : clip.toString();
        if (json) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("model", demo ? "demo network" : clip.toString());
            r.put("demo", demo);
            r.put("config", model.config().toMap());
            r.put("image", image.toString());
            r.put("logit_scale_exp", model.logitScaleExp());
            List<Map<String, Object>> list = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("prompt", prompts.get(i));
                e.put("cosine", rows.get(i)[0]);
                e.put("clip_loss", rows.get(i)[1]);
                list.add(e);
            }
            r.put("scores", list);
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
            return;
        }
        out.println("model:  " + modelLabel);
        out.println("        " + model.config().describe());
        out.println("image:  " + image);
        List<String[]> table = new ArrayList<>();
        table.add(new String[]{"prompt", "cosine", "clip_loss"});
        for (int i = 0; i < rows.size(); i++) {
            table.add(new String[]{"\"" + prompts.get(i) + "\"", String.format("%.4f", rows.get(i)[0]),
                    String.format("%.4f", rows.get(i)[1])});
        }
        out.print(TextTable.format(table));
        out.println("clip_loss = 1 - exp(logit_scale) * cosine / 100 (StyleCLIP), exp(logit_scale) = "
                + String.format("%.4f", model.logitScaleExp()));
    }
}
