package dev.styleclip.model.clip;

import dev.styleclip.io.ModelFileException;
import dev.styleclip.io.TensorStore;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The architecture of a ViT CLIP model, inferred from the state dict's tensor shapes exactly as CLIP's
 * {@code build_model} does (heads are not stored: {@code heads = width / 64} for both towers).
 */
public record ClipConfig(int embedDim, int imageResolution, int visionLayers, int visionWidth, int visionPatchSize,
                         int contextLength, int vocabSize, int transformerWidth, int transformerHeads,
                         int transformerLayers) {

    private static final Pattern TEXT_BLOCK = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.");

    /** The channels per attention head of every CLIP model. */
    public static final int HEAD_WIDTH = 64;

    public int visionHeads() {
        return visionWidth / HEAD_WIDTH;
    }

    /** Patches per side. */
    public int grid() {
        return imageResolution / visionPatchSize;
    }

    /** Tokens of the image transformer: grid² patches plus the class token. */
    public int visionTokens() {
        return grid() * grid() + 1;
    }

    /** Infers the configuration from a CLIP state dict. @throws ModelFileException when it is not a ViT CLIP */
    public static ClipConfig infer(TensorStore store) throws ModelFileException {
        if (!store.contains("visual.conv1.weight") || !store.contains("text_projection")) {
            if (store.contains("visual.layer1.0.conv1.weight")) {
                throw new ModelFileException(store.source(), "is a ResNet CLIP model; only ViT CLIP models (ViT-B/32, ViT-B/16, ViT-L/14...) are supported");
            }
            throw new ModelFileException(store.source(), "is not a CLIP model (no visual.conv1.weight / text_projection)");
        }
        long[] conv = store.get("visual.conv1.weight").shape();
        int visionWidth = Math.toIntExact(conv[0]);
        int patch = Math.toIntExact(conv[conv.length - 1]);
        long visionPos = store.get("visual.positional_embedding").shape()[0];
        int grid = (int) Math.round(Math.sqrt(visionPos - 1));
        int visionLayers = 0;
        TreeSet<Integer> textBlocks = new TreeSet<>();
        for (String name : store.names()) {
            if (name.startsWith("visual.") && name.endsWith(".attn.in_proj_weight")) visionLayers++;
            Matcher m = TEXT_BLOCK.matcher(name);
            if (m.find()) textBlocks.add(Integer.parseInt(m.group(1)));
        }
        long[] tp = store.get("text_projection").shape();
        int embed = Math.toIntExact(tp[1]);
        int context = Math.toIntExact(store.get("positional_embedding").shape()[0]);
        int vocab = Math.toIntExact(store.get("token_embedding.weight").shape()[0]);
        int textWidth = Math.toIntExact(store.get("ln_final.weight").shape()[0]);
        ClipConfig c = new ClipConfig(embed, patch * grid, visionLayers, visionWidth, patch, context, vocab, textWidth,
                textWidth / HEAD_WIDTH, textBlocks.size());
        if (grid * grid + 1 != visionPos) {
            throw new ModelFileException(store.source(), "visual.positional_embedding has " + visionPos
                    + " rows, not a square grid plus the class token");
        }
        if (visionWidth < HEAD_WIDTH || visionWidth % c.visionHeads() != 0 || textWidth < HEAD_WIDTH
                || textWidth % c.transformerHeads() != 0) {
            throw new ModelFileException(store.source(), "widths " + visionWidth + "/" + textWidth
                    + " are not usable with heads = width / 64");
        }
        if (visionLayers == 0 || textBlocks.isEmpty()) {
            throw new ModelFileException(store.source(), "has no transformer blocks");
        }
        if (textBlocks.last() != textBlocks.size() - 1) {
            throw new ModelFileException(store.source(), "text transformer block numbers are not 0.." + (textBlocks.size() - 1));
        }
        return c;
    }

    /** As plain data (for reports and JSON). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("embed_dim", embedDim);
        m.put("image_resolution", imageResolution);
        m.put("vision_layers", visionLayers);
        m.put("vision_width", visionWidth);
        m.put("vision_patch_size", visionPatchSize);
        m.put("context_length", contextLength);
        m.put("vocab_size", vocabSize);
        m.put("transformer_width", transformerWidth);
        m.put("transformer_heads", transformerHeads);
        m.put("transformer_layers", transformerLayers);
        return m;
    }

    /** A one-line description, e.g. "ViT-P32 224px, vision 768×12, text 512×12, embed 512". */
    public String describe() {
        return "ViT patch " + visionPatchSize + " at " + imageResolution + "px, vision width " + visionWidth + " × "
                + visionLayers + " layers, text width " + transformerWidth + " × " + transformerLayers
                + " layers, embed " + embedDim;
    }
}
