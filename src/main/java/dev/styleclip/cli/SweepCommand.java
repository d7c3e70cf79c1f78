package dev.styleclip.cli;

import dev.styleclip.cli.common.NetworkOptions;
import dev.styleclip.cli.common.ProgressBar;
import dev.styleclip.edit.EditNetworks;
import dev.styleclip.edit.EditRegions;
import dev.styleclip.edit.FaceLandmarks;
import dev.styleclip.edit.LatentOptimization;
import dev.styleclip.edit.Metrics;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.model.clip.ClipTokenizer;
import dev.styleclip.model.stylegan3.DemoNetworks;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.Pixels;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code ./styleclip sweep}: the seed report's prompt-tuning procedure. First every prompt variant runs at the lowest
 * λs (so the prompt alone drives the edit); the variant with the best CLIP score wins; then the winner runs over the
 * grid of λ_L2 × λ_ID to trade the edit against likeness. Writes one labelled grid picture ({@code sweep.png}, metrics
 * under each cell) and {@code sweep.json}.
 */
@Command(name = "sweep", description = {"Tune a prompt by the seed report's recipe: variants at low lambda, then a lambda grid.",
        "Tries the prompt variants at the lowest lambdas, keeps the best by CLIP score, then runs it over the lambda grid.",
        "Writes sweep.png (labelled grid) and sweep.json into --out."})
public final class SweepCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    NetworkOptions networks;

    @Mixin
    EditOptions.StartOptions startOptions;

    @Mixin
    EditOptions.Optimisation optimisation;

    @Mixin
    EditOptions.Regions regions;

    @Option(names = "--prompts", required = true, paramLabel = "LIST", description = "comma-separated prompt variants, e.g. \"bald,hairless,completely bald\"")
    String prompts;

    @Option(names = "--l2", paramLabel = "LIST", defaultValue = "0.001,0.1,0.5", description = "latent L2 weights (default ${DEFAULT-VALUE})")
    String l2s;

    @Option(names = "--id-weight", paramLabel = "LIST", defaultValue = "0.001,0.5", description = "identity weights (default ${DEFAULT-VALUE})")
    String ids;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
    Path out;

    /** One run of the sweep. */
    record Run(String phase, String prompt, double l2, double id, LatentOptimization.Result result) {
    }

    @Override
    public Integer call() throws Exception {
        AtomicFiles.prepareFolder(out); // before any work: a bad output place is known now, not at the end
        List<String> variants = new ArrayList<>();
        for (String p : prompts.split(",")) if (!p.isBlank()) variants.add(ClipTokenizer.requirePrompt(p.trim()));
        if (variants.isEmpty()) throw new IllegalArgumentException("--prompts needs at least one prompt");
        List<Double> l2List = EditOptions.parseDoubles(l2s, "--l2");
        List<Double> idList = EditOptions.parseDoubles(ids, "--id-weight");
        double l2Low = l2List.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double idLow = idList.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        for (String v : variants) optimisation.settings(v, l2Low, idLow, -1); // validate everything before loading networks
        EditRegions chosen = regions.regions();
        FaceLandmarks.Finder landmarks = EditOptions.Regions.landmarks(networks.generator.demoNetworks());
        EditNetworks.Files files = networks.files();
        LatentOptimization.Start start = startOptions.start(optimisation.space);
        if (optimisation.space.trim().equalsIgnoreCase("z") && start.psi() != 1.0) {
            throw new IllegalArgumentException("the z space optimises the untruncated z (StyleCLIP): drop --trunc or use --space w+");
        }
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        List<Run> phase1 = new ArrayList<>();
        List<Run> grid = new ArrayList<>();
        boolean[] demo = {false};
        String[] described = {""};
        try (ComputeService svc = new ComputeService()) {
            svc.setMemoryBudget(networks.memory.bytes());
            int total = variants.size() + l2List.size() * idList.size();
            int k = 0;
            for (String v : variants) {
                k++;
                phase1.add(run(svc, files, start, chosen, landmarks, "prompt", v, l2Low, idLow, err, k, total, demo, described, o));
            }
            Run best = phase1.get(0);
            for (Run r : phase1) if (r.result().metrics().clipScore() > best.result().metrics().clipScore()) best = r;
            o.println("best prompt by CLIP score: \"" + best.prompt() + "\" (" + EditOptions.fmt(best.result().metrics().clipScore()) + ")");
            for (double l2 : l2List) {
                for (double id : idList) {
                    k++;
                    if (l2 == l2Low && id == idLow) {
                        grid.add(new Run("grid", best.prompt(), l2, id, best.result()));
                        continue;
                    }
                    grid.add(run(svc, files, start, chosen, landmarks, "grid", best.prompt(), l2, id, err, k, total, demo, described, o));
                }
            }
            BufferedImage sheet = sheet(phase1, best, grid, l2List.size(), idList.size(), start, demo[0]);
            AtomicFiles.write(out.resolve("sweep.png"), os -> ImageIO.write(sheet, "png", os));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("method", "latent_optimization_sweep");
            j.put("networks", EditOptions.networks(files, demo[0], described[0]));
            j.put("start", EditOptions.start(start, startOptions.latent));
            j.put("settings", optimisation.settings(best.prompt(), l2Low, idLow, -1).withRegions(chosen).toMap());
            if (best.result().regionNote() != null) j.put("regions_note", best.result().regionNote());
            j.put("prompts", runs(phase1));
            j.put("best_prompt", best.prompt());
            j.put("grid", runs(grid));
            j.put("image", "sweep.png");
            EditOptions.writeJson(out.resolve("sweep.json"), j);
            for (Run r : grid) {
                o.println(String.format(Locale.ROOT, "L2 %-8s ID %-8s %s", num(r.l2()), num(r.id()), EditOptions.describe(r.result().metrics())));
            }
            o.println("wrote " + out.resolve("sweep.png") + " and sweep.json" + (demo[0] ? " (" + DemoNetworks.LABEL + ")" : ""));
            o.flush();
        }
        return 0;
    }

    private Run run(ComputeService svc, EditNetworks.Files files, LatentOptimization.Start start, EditRegions chosen,
                    FaceLandmarks.Finder landmarks, String phase, String prompt, double l2, double id, PrintWriter err, int k, int total,
                    boolean[] demo, String[] described, PrintWriter o) throws Exception {
        LatentOptimization.Settings s = optimisation.settings(prompt, l2, id, -1).withRegions(chosen);
        String label = String.format(Locale.ROOT, "run %d/%d \"%s\" L2 %s ID %s", k, total, shorten(prompt, 24), num(l2), num(id));
        // each run keeps its own line: the finished runs' last losses stay in view
        ProgressBar bar = ProgressBar.frames(err, label);
        LatentOptimization.Result r = svc.run("sweep", ctx -> {
            EditNetworks nets = EditNetworks.load(ctx.models(), files);
            if (k == 1) NetworkOptions.printUsing(files, err); // once they are open: a bad file stays a one-line error
            if (k == 1 && nets.isDemo()) {
                o.println("Using the " + DemoNetworks.LABEL + " — " + nets.describe() + ": results are patterns, not faces.");
                o.flush();
            }
            return new LatentOptimization(nets, s, start, landmarks, null).run(ctx);
        }, bar);
        bar.end();
        if (r.stoppedEarly()) err.println("warning: " + r.stopMessage());
        if (k == 1 && r.regionNote() != null) {
            o.println("regions: " + r.regionNote());
            o.flush();
        }
        demo[0] = r.demo();
        described[0] = r.networks();
        return new Run(phase, prompt, l2, id, r);
    }

    private static List<Map<String, Object>> runs(List<Run> runs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Run r : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("prompt", r.prompt());
            m.put("l2_weight", r.l2());
            m.put("id_weight", r.id());
            m.put("metrics", EditOptions.metrics(r.result().metrics()));
            m.put("steps_done", r.result().stepsDone());
            m.put("stopped_early", r.result().stoppedEarly());
            if (!r.result().history().isEmpty()) m.put("final_loss", r.result().history().get(r.result().stepsDone() - 1).total());
            out.add(m);
        }
        return out;
    }

    static String num(double v) {
        String s = String.format(Locale.ROOT, "%.4g", v);
        if (s.contains(".") && !s.contains("e")) s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        return s;
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 1) + "…";
    }

    // ------------------------------------------------------------------------------------------------- the picture

    private static final int PAD = 8;
    private static final int LINES = 3;

    /** Row 0: source + prompt variants (best framed); then one row per λ_L2 with a cell per λ_ID. */
    static BufferedImage sheet(List<Run> phase1, Run best, List<Run> grid, int rows, int cols, LatentOptimization.Start start,
                               boolean demo) {
        LatentOptimization.Result any = phase1.get(0).result();
        int res = any.resolution();
        int cell = Math.max(128, Math.min(256, res));
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
        Font title = new Font(Font.SANS_SERIF, Font.BOLD, 13);
        int lineH = 14;
        int captionH = LINES * lineH + 4;
        int columns = Math.max(phase1.size() + 1, cols);
        int cellW = cell + PAD;
        int rowH = cell + captionH + PAD;
        int titleH = 2 * lineH + PAD;
        int width = PAD + columns * cellW;
        int height = titleH + (1 + rows) * rowH + PAD;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(title);
        g.drawString("StyleCLIP sweep: " + start.describe() + ", best prompt \"" + best.prompt() + "\""
                + (demo ? "  [" + DemoNetworks.LABEL + ": random weights]" : ""), PAD, lineH + 2);
        g.setFont(font);
        g.drawString("top: prompts at the lowest weights (framed: best); below: L2 x ID weights",
                PAD, 2 * lineH + 2);
        int y0 = titleH;
        drawCell(g, font, PAD, y0, cell, any.imageBefore(), res, new String[]{"source", "", ""}, false);
        for (int i = 0; i < phase1.size(); i++) {
            Run r = phase1.get(i);
            drawCell(g, font, PAD + (i + 1) * cellW, y0, cell, r.result().imageAfter(), res, caption("\"" + r.prompt() + "\"", r), r == best);
        }
        for (int k = 0; k < grid.size(); k++) {
            Run r = grid.get(k);
            int row = k / cols + 1;
            int col = k % cols;
            drawCell(g, font, PAD + col * cellW, y0 + row * rowH, cell, r.result().imageAfter(), res,
                    caption("L2 " + num(r.l2()) + "  ID " + num(r.id()), r), false);
        }
        g.dispose();
        return img;
    }

    private static String[] caption(String head, Run r) {
        Metrics m = r.result().metrics();
        return new String[]{head + (r.result().stoppedEarly() ? " (stopped)" : ""),
                "CLIP " + String.format(Locale.ROOT, "%.3f", m.clipScore()) + "  ID " + String.format(Locale.ROOT, "%.3f", m.idSimilarity()),
                "LPIPS " + String.format(Locale.ROOT, "%.3f", m.lpips())};
    }

    private static void drawCell(Graphics2D g, Font font, int x, int y, int cell, float[] chw, int res, String[] lines, boolean framed) {
        Pixels p = LatentOptimization.pixels(chw, res, cell);
        BufferedImage pic = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        pic.setRGB(0, 0, p.width(), p.height(), p.argb(), 0, p.width());
        g.drawImage(pic, x, y, null);
        if (framed) {
            g.setColor(new Color(0xD0, 0x20, 0x20));
            g.setStroke(new BasicStroke(3));
            g.drawRect(x - 1, y - 1, cell + 1, cell + 1);
        }
        g.setColor(Color.BLACK);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        int ty = y + cell + fm.getAscent() + 2;
        for (String line : lines) {
            String s = line;
            while (s.length() > 3 && fm.stringWidth(s) > cell) s = s.substring(0, s.length() - 2) + "…";
            g.drawString(s, x, ty);
            ty += 14;
        }
    }
}
