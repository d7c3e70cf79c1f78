/**
 * The StyleGAN3 generator (NVIDIA's alias-free GAN, configs T and R) in DJL, built from official network pickles.
 *
 * <pre>{@code
 * try (NDManager m = NDManager.newBaseManager();
 *      StyleGan3Generator g = StyleGan3Files.open(Path.of("stylegan3-t-ffhqu-256x256.pkl"), m)) {
 *     NDArray z = g.seedZ(m, seed);
 *     NDArray ws = g.mapping(z, 0.7, null);                          // [N, num_ws, w_dim]
 *     Map<String, NDArray> s = g.styles(ws);                         // "input" → [N,4], each layer → [N, C_in]
 *     NDArray img = g.synthesisFromStyles(s, StyleGan3Generator.Options.defaults()
 *             .transform(InputTransform.identity()));             // [N, 3, R, R], raw range ≈ [-1, 1]
 * }
 * }</pre>
 *
 * <ul>
 * <li>{@link dev.styleclip.model.stylegan3.StyleGan3Generator}: mapping, styles, synthesis (from ws or from styles),
 *     per-call input transform, activation listener and memory plan; differentiable; the composition of
 *     {@code MappingNetwork}, {@code SynthesisInput}, {@code SynthesisLayer} and {@code SynthesisNetwork} (package
 *     private), as NVIDIA's {@code networks_stylegan3.py} reads.</li>
 * <li>{@link dev.styleclip.runtime.SynthesisPlan}: pieces and recomputation (memory for time);
 *     {@code SynthesisMemory} estimates what a plan needs ({@code StyleGan3Generator.memory}).</li>
 * <li>{@link dev.styleclip.model.stylegan3.StyleGan3Config}: the architecture derived from the init kwargs.</li>
 * <li>{@link dev.styleclip.model.stylegan3.InputTransform}: gen_images.py's 3×3 transforms of the input layer.</li>
 * <li>{@link dev.styleclip.model.stylegan3.NumpyRandom}: gen_images.py's latents for a seed.</li>
 * <li>{@link dev.styleclip.model.stylegan3.DemoNetworks}: random-weight generators in the published architectures
 *     ("demo network"); {@link dev.styleclip.model.stylegan3.GeneratorSource}: a file or a demo architecture.</li>
 * <li>{@link dev.styleclip.model.stylegan3.GeneratorImages}: raw output → 8-bit RGB as gen_images.py.</li>
 * </ul>
 */
package dev.styleclip.model.stylegan3;
