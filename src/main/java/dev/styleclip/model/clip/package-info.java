/**
 * OpenAI CLIP (ViT variants) in DJL, read from the official checkpoints.
 *
 * <ul>
 *   <li>{@link dev.styleclip.model.clip.ClipTokenizer}: {@code clip.tokenize} (byte-level BPE over the shipped
 *       {@code bpe_simple_vocab_16e6.txt.gz}, MIT, see NOTICE.txt); {@link dev.styleclip.model.clip.ClipTokenizer#requirePrompt}
 *       rejects empty prompts with an {@code IllegalArgumentException}.</li>
 *   <li>{@link dev.styleclip.model.clip.ClipModel#load}: the model from a state dict, e.g.
 *       {@code ClipModel.load(ModelFiles.openStore(Path.of("ViT-B-32.pt")), manager)}; configuration inferred from
 *       shapes ({@link dev.styleclip.model.clip.ClipConfig#infer}).</li>
 *   <li>Photos: {@code image.Images.read} (the app's one photo reader) gives an {@code image.RgbImage}, then
 *       {@link dev.styleclip.model.clip.ClipPreprocess#pixelValues} (Pillow-exact resize through
 *       {@code image.PilResample}, centre crop, mean/std).</li>
 *   <li>Generator images (StyleCLIP's loss): {@code new StyleClipFrontEnd(S, model.inputResolution())}, then
 *       {@code model.styleClipLoss(model.encodeImage(front.apply(img)), textFeatures)} = {@code 1 − 100·cos/100}
 *       [n_images, n_texts], differentiable w.r.t. {@code img}; text features from
 *       {@link dev.styleclip.model.clip.TextEmbeddingCache#features} (encoded once per model and prompt).</li>
 *   <li>{@link dev.styleclip.model.clip.ClipDemo}: a ViT-B/32-sized network with random weights (no checkpoint needed).</li>
 * </ul>
 *
 * Every call computes in a sub-manager of its input's manager and leaves only its result there.
 */
package dev.styleclip.model.clip;
