package dev.styleclip.edit.mapper;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.KeepLoss;
import dev.styleclip.edit.MemoryPlanner;
import dev.styleclip.edit.optim.Adam;
import dev.styleclip.edit.optim.ReduceLrOnPlateau;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.io.TensorStore;
import dev.styleclip.model.clip.ClipModel;
import dev.styleclip.model.arcface.IdentityLoss;
import dev.styleclip.model.lpips.Lpips;
import dev.styleclip.model.stylegan3.GeneratorImages;
import dev.styleclip.model.stylegan3.NumpyRandom;
import dev.styleclip.model.stylegan3.StyleGan3Generator;
import dev.styleclip.nn.MemoryFootprint;
import dev.styleclip.runtime.Frame;
import dev.styleclip.runtime.Job;
import dev.styleclip.runtime.JobContext;
import dev.styleclip.runtime.Pixels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trains a latent mapper for one prompt as a {@link Job}: batches of w from the mapping network (seeded random z at
 * ψ, or random picks from a list of saved latents), one {@link MapperTrainer} step per batch, ReduceLROnPlateau on the
 * epoch's mean loss, a preview of a fixed sample of edited faces each epoch, and an atomic checkpoint after every
 * epoch. A run started on a directory that holds a checkpoint resumes from it and ends with exactly the weights of
 * an uninterrupted run: batch k of the run is drawn from an RNG seeded by (seed, k), so the RNG position is the step
 * count, which the checkpoint stores.
 *
 * <p>Checkpoint layout in the output directory: {@code checkpoint-eNNNN.safetensors} (mapper weights as
 * {@code mapper.<key>}, AdamW moments as {@code adam.exp_avg.<key>} / {@code adam.exp_avg_sq.<key>}),
 * {@code checkpoint.json} (epoch, step, Adam step count, scheduler state, settings, prompt; written last, it names
 * the tensor file, so a kill between the two writes leaves the previous checkpoint in force) and
 * {@code mapper.safetensors} (the LevelsMapper state dict alone, for {@code apply-mapper}).
 */
public final class MapperTrainingJob implements Job<MapperTrainingJob.Result> {
    public static final String CHECKPOINT_JSON = "checkpoint.json";
    public static final String MAPPER_FILE = "mapper.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Everything that defines a run. {@code regions}: the parts of the face the mapper may change, with λ_keep (null:
     * all of it).
     */
    public record Settings(String prompt, int epochs, int stepsPerEpoch, int batch, double lr, double lambdaL2,
                           double lambdaId, double lambdaClip, double weightDecay, boolean[] groups,
                           double plateauFactor, int plateauPatience, double psi, long seed, int previewCount,
                           EditRegions regions) {
        /** Honest CPU defaults: 10 epochs × 8 steps × batch 2 (the reference's 100 × 20 are for GPUs). */
        public static Settings defaults(String prompt) {
            return new Settings(prompt, 10, 8, 2, 0.01, 0.3, 0.06, 1.0, 0.01, new boolean[]{true, true, true},
                    0.2, 10, 0.7, 0L, 2);
        }

        /** A run without regions. */
        public Settings(String prompt, int epochs, int stepsPerEpoch, int batch, double lr, double lambdaL2,
                        double lambdaId, double lambdaClip, double weightDecay, boolean[] groups,
                        double plateauFactor, int plateauPatience, double psi, long seed, int previewCount) {
            this(prompt, epochs, stepsPerEpoch, batch, lr, lambdaL2, lambdaId, lambdaClip, weightDecay, groups, plateauFactor,
                    plateauPatience, psi, seed, previewCount, null);
        }

        public Settings withEpochs(int e) {
            return new Settings(prompt, e, stepsPerEpoch, batch, lr, lambdaL2, lambdaId, lambdaClip, weightDecay, groups,
                    plateauFactor, plateauPatience, psi, seed, previewCount, regions);
        }

        public Settings withRegions(EditRegions r) {
            return new Settings(prompt, epochs, stepsPerEpoch, batch, lr, lambdaL2, lambdaId, lambdaClip, weightDecay, groups,
                    plateauFactor, plateauPatience, psi, seed, previewCount, r);
        }
    }

    /**
     * The networks a run uses (owned by the caller). latents: optional list of ws [num_ws·w_dim] to sample from;
     * lpips: the keep term's LPIPS (needed only with regions).
     */
    public record Networks(StyleGan3Generator generator, ClipModel clip, IdentityLoss idLoss, List<float[]> latents, Lpips lpips) {
        /** Without LPIPS (no regions). */
        public Networks(StyleGan3Generator generator, ClipModel clip, IdentityLoss idLoss, List<float[]> latents) {
            this(generator, clip, idLoss, latents, null);
        }
    }

    /** Final state of a run. */
    public record Result(int epochsDone, double lastLoss, double lr, Path mapperFile, boolean resumed) {
    }

    private final Settings settings;
    private final Networks nets;
    private final Path dir;

    public MapperTrainingJob(Settings settings, Networks nets, Path dir) {
        if (settings.prompt() == null || settings.prompt().isBlank()) throw new IllegalArgumentException("the prompt is empty");
        if (settings.epochs() < 1 || settings.stepsPerEpoch() < 1 || settings.batch() < 1) {
            throw new IllegalArgumentException("epochs, steps per epoch and batch must be at least 1");
        }
        if (!(settings.lr() > 0)) throw new IllegalArgumentException("the learning rate must be positive");
        this.settings = settings;
        this.nets = nets;
        this.dir = dir;
    }

    /** Whether {@code dir} holds a checkpoint to resume. */
    public static boolean hasCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(CHECKPOINT_JSON));
    }

    /** The settings stored in a checkpoint (the prompt and hyper-parameters of the run being resumed). */
    public static ObjectNode readCheckpoint(Path dir) throws IOException {
        Path file = dir.resolve(CHECKPOINT_JSON);
        com.fasterxml.jackson.databind.JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new dev.styleclip.io.ModelFileException(file, "is not a readable mapper checkpoint (" + e.getOriginalMessage() + ")");
        }
        if (!(n instanceof ObjectNode o)) {
            throw new dev.styleclip.io.ModelFileException(file, "is not a mapper checkpoint (a JSON object is expected)");
        }
        return o;
    }

    @Override
    public Result run(JobContext ctx) throws Exception {
        StyleGan3Generator g = nets.generator();
        NDManager m = ctx.manager();
        Files.createDirectories(dir);
        NDArray text = nets.clip().encodeText(List.of(settings.prompt()), m);
        LevelsMapper mapper = LevelsMapper.create(g.numWs(), g.wDim(), settings.groups(), settings.seed(), m);
        IdentityLoss id = settings.lambdaId() != 0 ? nets.idLoss() : null;
        EditRegions regions = settings.regions();
        if (regions != null && nets.lpips() == null) throw new IllegalArgumentException("a region-limited mapper needs LPIPS for its keep term");
        List<MemoryFootprint> others = new ArrayList<>(List.of(nets.clip()));
        if (id != null) others.add(id);
        if (regions != null) others.add(nets.lpips());
        MemoryPlanner.Plan mem = MemoryPlanner.plan(ctx, MemoryPlanner.Task.MAPPER_STEP, settings.batch(), g, others);
        StyleGan3Generator.Options synthesis = StyleGan3Generator.Options.with(mem.synthesis());
        // every step draws new faces, so no one face's landmarks fit them all: StyleGAN's faces are FFHQ-aligned by
        // construction, and the FFHQ mean face's regions lie within a few percent of the side of each of them
        FaceLandmarks lm = regions == null ? null
                : FaceLandmarks.meanFace(g.resolution(), "the mapper trains on new random faces every step, all FFHQ-aligned");
        KeepLoss keep = regions == null ? null : new KeepLoss(nets.lpips(), regions.keepMask(lm.points(), g.resolution()), m);
        MapperTrainer trainer = new MapperTrainer(mapper, g, nets.clip(), id, text,
                new MapperTrainer.Settings(settings.lambdaClip(), settings.lambdaL2(), settings.lambdaId(), settings.weightDecay(),
                        regions == null ? 0 : regions.keepWeight()),
                mem.synthesis(), keep, m);
        String regionNote = regions == null ? "" : "; " + regions.describe() + ": " + lm.note();
        ReduceLrOnPlateau plateau = new ReduceLrOnPlateau(settings.lr(), settings.plateauFactor(), settings.plateauPatience(),
                1e-4, 0, 1e-8);
        int startEpoch = 0;
        boolean resumed = false;
        if (hasCheckpoint(dir)) {
            startEpoch = restore(mapper, trainer, plateau);
            resumed = true;
        }
        int total = settings.epochs() * settings.stepsPerEpoch();
        double lastLoss = Double.NaN;
        NDArray previewW = previewLatents(m);
        for (int epoch = startEpoch; epoch < settings.epochs(); epoch++) {
            double sum = 0;
            for (int s = 0; s < settings.stepsPerEpoch(); s++) {
                int global = epoch * settings.stepsPerEpoch() + s;
                double lr = plateau.lr();
                MapperTrainer.StepResult r = ctx.step(tmp -> trainer.step(batch(global, tmp), lr, tmp, false));
                double loss = r.losses().get("total");
                ctx.requireFinite(global + 1, "total", loss);
                sum += loss;
                // the first step's frame says what the run plans to use in memory
                ctx.emit(new Frame(ctx.jobName(), global + 1, total, r.losses(), lr, Map.of("epoch", (double) epoch + 1),
                        null, ctx.elapsedMs(), global == startEpoch * settings.stepsPerEpoch() ? "memory: " + mem.summary() + regionNote : null));
            }
            lastLoss = sum / settings.stepsPerEpoch();
            plateau.step(lastLoss);
            Pixels preview = ctx.step(tmp -> preview(mapper, previewW, tmp, synthesis));
            checkpoint(mapper, trainer, plateau, epoch + 1);
            Map<String, Double> l = new LinkedHashMap<>();
            l.put("epoch_loss", lastLoss);
            ctx.emit(new Frame(ctx.jobName(), (epoch + 1) * settings.stepsPerEpoch(), total, l, plateau.lr(),
                    Map.of("epoch", (double) epoch + 1), preview, ctx.elapsedMs(),
                    "epoch " + (epoch + 1) + "/" + settings.epochs() + " checkpoint written"));
        }
        return new Result(settings.epochs(), lastLoss, plateau.lr(), dir.resolve(MAPPER_FILE), resumed);
    }

    /** Batch number {@code k} of the run: a deterministic function of (seed, k). */
    NDArray batch(int k, NDManager tmp) {
        StyleGan3Generator g = nets.generator();
        long seed = settings.seed() * 1_000_003L + k + 1;
        if (nets.latents() != null && !nets.latents().isEmpty()) {
            java.util.Random rnd = new java.util.Random(seed);
            int per = g.numWs() * g.wDim();
            float[] all = new float[settings.batch() * per];
            for (int b = 0; b < settings.batch(); b++) {
                float[] w = nets.latents().get(rnd.nextInt(nets.latents().size()));
                System.arraycopy(w, 0, all, b * per, per);
            }
            return tmp.create(all, new Shape(settings.batch(), g.numWs(), g.wDim()));
        }
        double[] z = new NumpyRandom(seed & 0xffffffffL).randn(settings.batch() * g.zDim());
        float[] zf = new float[z.length];
        for (int i = 0; i < z.length; i++) zf[i] = (float) z[i];
        return g.mapping(tmp.create(zf, new Shape(settings.batch(), g.zDim())), settings.psi(), null);
    }

    private NDArray previewLatents(NDManager m) {
        StyleGan3Generator g = nets.generator();
        int n = Math.max(1, settings.previewCount());
        return g.mapping(g.seedZ(m, java.util.stream.LongStream.range(0, n).toArray()), settings.psi(), null);
    }

    /**
     * Originals (top row) and edits at the training strength (bottom row) as one ARGB picture: one image at a time
     * under the job's memory plan, each pooled to at most 256² (a preview, not a result).
     */
    private Pixels preview(LevelsMapper mapper, NDArray w, NDManager tmp, StyleGan3Generator.Options synthesis) {
        StyleGan3Generator g = nets.generator();
        NDArray wl = w.duplicate();
        wl.attach(tmp);
        NDArray edited = mapper.edit(wl, MapperTrainer.TRAIN_DELTA_SCALE);
        NDList orig = new NDList(), edit = new NDList();
        for (int i = 0; i < wl.getShape().get(0); i++) {
            orig.add(Lpips.lossSized(g.synthesis(wl.get(i).expandDims(0), synthesis)));
            edit.add(Lpips.lossSized(g.synthesis(edited.get(i).expandDims(0), synthesis)));
        }
        return grid(List.of(NDArrays.concat(orig), NDArrays.concat(edit)), tmp);
    }

    /** Rows of image batches [B, 3, S, S] tiled into one ARGB picture. */
    public static Pixels grid(List<NDArray> rows, NDManager tmp) {
        int n = (int) rows.get(0).getShape().get(0);
        int s = (int) rows.get(0).getShape().get(2);
        int[] argb = new int[rows.size() * s * n * s];
        int width = n * s;
        for (int r = 0; r < rows.size(); r++) {
            float[] v = rows.get(r).toFloatArray();
            for (int b = 0; b < n; b++) {
                for (int y = 0; y < s; y++) {
                    for (int x = 0; x < s; x++) {
                        int base = b * 3 * s * s + y * s + x;
                        int red = GeneratorImages.toByte(v[base]);
                        int green = GeneratorImages.toByte(v[base + s * s]);
                        int blue = GeneratorImages.toByte(v[base + 2 * s * s]);
                        argb[(r * s + y) * width + b * s + x] = 0xff000000 | red << 16 | green << 8 | blue;
                    }
                }
            }
        }
        return new Pixels(width, rows.size() * s, argb);
    }

    private void checkpoint(LevelsMapper mapper, MapperTrainer trainer, ReduceLrOnPlateau plateau, int epoch) throws IOException {
        List<Tensor> tensors = new ArrayList<>(mapper.stateDict("mapper."));
        int adamStep = 0;
        for (Map.Entry<String, Adam> e : trainer.optimisers().entrySet()) {
            long[] shape = e.getValue().expAvg().getShape().getShape();
            tensors.add(Tensor.ofFloats("adam.exp_avg." + e.getKey(), shape, e.getValue().expAvg().toFloatArray()));
            tensors.add(Tensor.ofFloats("adam.exp_avg_sq." + e.getKey(), shape, e.getValue().expAvgSq().toFloatArray()));
            adamStep = e.getValue().stepCount();
        }
        String name = String.format("checkpoint-e%04d.safetensors", epoch);
        Safetensors.write(dir.resolve(name), tensors, Map.of("prompt", settings.prompt(), "epoch", Integer.toString(epoch)));
        Map<String, String> header = new LinkedHashMap<>(Map.of("prompt", settings.prompt(), "groups", mapper.groupsSpec(),
                "epoch", Integer.toString(epoch)));
        if (settings.regions() != null) header.put("regions", settings.regions().describe());
        Safetensors.write(dir.resolve(MAPPER_FILE), mapper.stateDict(""), header);
        ObjectNode j = JSON.createObjectNode();
        j.put("format", "styleclip-mapper-checkpoint/1");
        j.put("tensors", name);
        j.put("epoch", epoch);
        j.put("global_step", epoch * settings.stepsPerEpoch());
        j.put("rng_position", epoch * settings.stepsPerEpoch());
        j.put("adam_step", adamStep);
        ObjectNode sch = j.putObject("scheduler");
        sch.put("lr", plateau.lr());
        sch.put("best", Double.isInfinite(plateau.best()) ? "inf" : Double.toString(plateau.best()));
        sch.put("num_bad_epochs", plateau.numBadEpochs());
        j.put("prompt", settings.prompt());
        ObjectNode st = j.putObject("settings");
        st.put("epochs", settings.epochs());
        st.put("steps_per_epoch", settings.stepsPerEpoch());
        st.put("batch", settings.batch());
        st.put("lr", settings.lr());
        st.put("l2_lambda", settings.lambdaL2());
        st.put("id_lambda", settings.lambdaId());
        st.put("clip_lambda", settings.lambdaClip());
        st.put("weight_decay", settings.weightDecay());
        st.put("groups", mapper.groupsSpec());
        st.put("plateau_factor", settings.plateauFactor());
        st.put("plateau_patience", settings.plateauPatience());
        st.put("psi", settings.psi());
        st.put("seed", settings.seed());
        if (settings.regions() != null) st.set("regions", JSON.valueToTree(settings.regions().toMap()));
        AtomicFiles.writeString(dir.resolve(CHECKPOINT_JSON), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(j));
        // older tensor files are no longer referenced
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String f = p.getFileName().toString();
                if (f.startsWith("checkpoint-e") && f.endsWith(".safetensors") && !f.equals(name)) Files.deleteIfExists(p);
            }
        }
    }

    private int restore(LevelsMapper mapper, MapperTrainer trainer, ReduceLrOnPlateau plateau) throws Exception {
        ObjectNode j = readCheckpoint(dir);
        if (!settings.prompt().equals(j.path("prompt").asText())) {
            throw new IllegalArgumentException("the checkpoint in " + dir + " was trained for \"" + j.path("prompt").asText()
                    + "\", not \"" + settings.prompt() + "\": use another --out directory");
        }
        if (j.path("settings").path("steps_per_epoch").asInt() != settings.stepsPerEpoch()
                || j.path("settings").path("batch").asInt() != settings.batch()
                || j.path("settings").path("seed").asLong() != settings.seed()) {
            throw new IllegalArgumentException("the checkpoint in " + dir + " used other steps/batch/seed settings ("
                    + j.path("settings") + "): resume with the same ones");
        }
        TensorStore t = Safetensors.read(dir.resolve(j.path("tensors").asText()));
        LevelsMapper loaded = LevelsMapper.load(t, mapper.numWs(), ai.djl.ndarray.NDManager.newBaseManager());
        try {
            if (!loaded.stateDictKeys().equals(mapper.stateDictKeys())) {
                throw new IllegalArgumentException("the checkpoint's mapper groups (" + loaded.groupsSpec() + ") differ from --groups "
                        + mapper.groupsSpec());
            }
        } finally {
            loaded.close();
        }
        int adamStep = j.path("adam_step").asInt();
        for (String key : mapper.stateDictKeys()) {
            mapper.setParameter(key, t.get("mapper." + key).toFloatArray());
            trainer.optimisers().get(key).restore(t.get("adam.exp_avg." + key).toFloatArray(),
                    t.get("adam.exp_avg_sq." + key).toFloatArray(), adamStep);
        }
        JsonNodeHelper sch = new JsonNodeHelper(j.path("scheduler"));
        plateau.restore(sch.d("lr"), sch.d("best"), sch.node.path("num_bad_epochs").asInt());
        return j.path("epoch").asInt();
    }

    private record JsonNodeHelper(com.fasterxml.jackson.databind.JsonNode node) {
        double d(String k) {
            String s = node.path(k).asText();
            return s.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(s);
        }
    }
}
