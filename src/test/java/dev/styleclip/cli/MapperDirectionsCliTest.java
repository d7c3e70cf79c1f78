package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.io.Npz;
import dev.styleclip.io.Safetensors;
import dev.styleclip.io.Tensor;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** train-mapper / apply-mapper / directions import + apply on the edit golden set's tiny models, and bad input. */
class MapperDirectionsCliTest {

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Cli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private static String model(String key) {
        JsonNode m = Golden.manifest("edit").path("models").path(key);
        return Golden.set("edit").resolve(m.path("path").asText()).normalize().toString();
    }

    @Test
    void trainsResumesAndAppliesAMapper(@TempDir Path tmp) {
        Path dir = tmp.resolve("m");
        String[] common = {"--prompt", "a person with purple hair", "--generator", model("stylegan3"), "--clip", model("clip"),
                "--id", model("idloss"), "--steps", "1", "--batch", "1", "--groups", "medium,fine", "--out", dir.toString()};
        StringWriter out = new StringWriter(), err = new StringWriter();
        String[] a1 = concat(new String[]{"train-mapper", "--epochs", "1"}, common);
        assertEquals(0, run(out, err, a1), err.toString());
        assertTrue(Files.isRegularFile(dir.resolve("mapper.safetensors")));
        out = new StringWriter();
        assertEquals(0, run(out, err, concat(new String[]{"train-mapper", "--epochs", "2"}, common)), err.toString());
        assertTrue(out.toString().contains("resumed"), out.toString());
        out = new StringWriter();
        assertEquals(0, run(out, err, "apply-mapper", "--mapper", dir.toString(), "--generator", model("stylegan3"), "--seed", "4",
                "--strength", "0.5", "--out", tmp.resolve("a").toString()), err.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("a/edited.png")));
        // bad input: one line, exit 2
        StringWriter e2 = new StringWriter();
        assertEquals(2, run(new StringWriter(), e2, "apply-mapper", "--mapper", dir.toString(), "--out", tmp.toString()));
        assertTrue(e2.toString().contains("exactly one of --seed and --latent"), e2.toString());
        StringWriter e3 = new StringWriter();
        assertEquals(2, run(new StringWriter(), e3, "train-mapper", "--prompt", "x", "--groups", "nose", "--out", tmp.resolve("x").toString()));
        assertTrue(e3.toString().startsWith("error:"), e3.toString());
    }

    @Test
    void importsChannelEffectsAndAppliesAGrid(@TempDir Path tmp) throws Exception {
        int c = Golden.manifest("edit").path("cases").findValue("num_channels").asInt();
        int d = 32;
        Random rnd = new Random(3);
        float[] dic = new float[c * d];
        for (int i = 0; i < dic.length; i++) dic[i] = (float) rnd.nextGaussian() * 0.2f;
        float[] mean = new float[c], std = new float[c];
        for (int i = 0; i < c; i++) std[i] = 0.1f;
        Path src = tmp.resolve("pub");
        Files.createDirectories(src);
        Files.write(src.resolve("delta_i_c.npy"), Npz.npyBytes(Npz.Array.of(dic, c, d)));
        Files.write(src.resolve("s_mean.npy"), Npz.npyBytes(Npz.Array.of(mean, c)));
        Files.write(src.resolve("s_std.npy"), Npz.npyBytes(Npz.Array.of(std, c)));
        Path file = tmp.resolve("dirs.safetensors");
        StringWriter out = new StringWriter(), err = new StringWriter();
        assertEquals(0, run(out, err, "directions", "import", src.toString(), "--out", file.toString()), err.toString());
        out = new StringWriter();
        assertEquals(0, run(out, err, "directions", "apply", "--generator", model("stylegan3"), "--clip", model("clip"),
                "--directions", file.toString(), "--target", "a smiling face", "--alpha", "-3,0,3", "--beta", "0.0,0.05",
                "--out", tmp.resolve("g").toString()), err.toString());
        assertTrue(out.toString().contains("channels active"), out.toString());
        assertTrue(Files.isRegularFile(tmp.resolve("g/grid.png")));
        StringWriter e2 = new StringWriter();
        assertEquals(2, run(new StringWriter(), e2, "directions", "apply", "--generator", model("stylegan3"), "--clip", model("clip"),
                "--directions", file.toString(), "--target", "a smiling face", "--beta", "5", "--out", tmp.resolve("h").toString()));
        assertTrue(e2.toString().contains("leaves no channel active"), e2.toString());
        StringWriter e3 = new StringWriter();
        assertEquals(2, run(new StringWriter(), e3, "directions", "import", tmp.resolve("nothing").toString(), "--out", file.toString()));
    }

    @Test
    void preparePrecisionIsAnOptionAndNeverMixes(@TempDir Path tmp) throws Exception {
        StringWriter e1 = new StringWriter();
        assertEquals(2, run(new StringWriter(), e1, "directions", "prepare", "--precision", "float16", "--cache", tmp.toString()));
        assertTrue(e1.toString().contains("unknown precision 'float16'"), e1.toString());
        // a float32 preparation refuses the float64 statistics an explicit --cache holds (before any sweep)
        int c = Golden.manifest("edit").path("cases").findValue("num_channels").asInt();
        Path dir = tmp.resolve("cache");
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("stats.safetensors"), List.of(Tensor.ofDoubles("S", new long[]{2, c}, new double[2 * c]),
                Tensor.ofDoubles("s_mean", new long[]{c}, new double[c]), Tensor.ofDoubles("s_std", new long[]{c}, new double[c])),
                Map.of("precision", "float64"));
        StringWriter e2 = new StringWriter();
        assertEquals(2, run(new StringWriter(), e2, "directions", "prepare", "--generator", model("stylegan3"), "--clip", model("clip"),
                "--images", "2", "--cache", dir.toString(), "--precision", "float32"));
        assertTrue(e2.toString().contains("holds a float64 preparation, this one runs in float32"), e2.toString());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = new String[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
