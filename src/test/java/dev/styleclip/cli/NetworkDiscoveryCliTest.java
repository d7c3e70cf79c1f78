package dev.styleclip.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.styleclip.edit.FaceGeneration;
import dev.styleclip.golden.Golden;
import dev.styleclip.model.face.FaceApi;
import dev.styleclip.model.stylegan3.GeneratorSource;
import dev.styleclip.model.stylegan3.InputTransform;
import dev.styleclip.runtime.ComputeService;
import dev.styleclip.runtime.models.ModelCatalog;
import dev.styleclip.runtime.models.ModelRole;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 20 (3, 11): every command finds its networks as the studio does (the file given, else the models folder's, else
 * the demo network) and says which in one "using: …" line; face-api, ψ and the mappers folder as the studio has them;
 * the root help cuts no description.
 */
class NetworkDiscoveryCliTest {
    private static final Path GEN = Golden.set("stylegan3").resolve("models/sg3t-32.pkl");
    private static final Path GEN_R = Golden.set("stylegan3").resolve("models/sg3r-32.pkl");
    private static final Path CLIP = Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt");
    private static final Path ID = Golden.set("idloss").resolve("models/irse_tiny_a.pth");

    @TempDir
    Path tmp;
    Path models;
    private final Map<String, String> saved = new java.util.HashMap<>();

    @BeforeEach
    void modelsFolder() throws Exception {
        models = Files.createDirectories(tmp.resolve("app").resolve("models"));
        set("styleclip.models", models.toString());
    }

    @AfterEach
    void restore() {
        saved.forEach((k, v) -> {
            if (v == null) System.clearProperty(k);
            else System.setProperty(k, v);
        });
    }

    private void set(String key, String value) {
        if (!saved.containsKey(key)) saved.put(key, System.getProperty(key));
        System.setProperty(key, value);
    }

    private void install(Path file, String name) throws Exception {
        Files.copy(file, models.resolve(name));
    }

    private static BufferedImage png(Path p) throws Exception {
        return ImageIO.read(p.toFile());
    }

    private static int[] rgb(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void generateUsesTheInstalledGeneratorAnExplicitOneWinsAndDemoNetworksSkipTheFolder() throws Exception {
        install(GEN, "sg3t-32.pkl");
        Path out = tmp.resolve("out");
        CliRun r = CliRun.run("generate", "--seeds", "1", "--outdir", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator sg3t-32.pkl\n"), r.err());
        assertEquals(32, png(out.resolve("seed0001.png")).getWidth(), "the models folder's 32x32 generator drew it");

        r = CliRun.run("generate", "--generator", GEN_R.toString(), "--seeds", "1", "--outdir", tmp.resolve("r").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator sg3r-32.pkl"), "the flag wins: " + r.err());

        r = CliRun.run("generate", "--demo", "stylegan3-t-256", "--seeds", "1", "--outdir", tmp.resolve("d").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator demo stylegan3-t-256"), r.err());
        assertEquals(256, png(tmp.resolve("d").resolve("seed0001.png")).getWidth());
    }

    @Test
    void anEmptyModelsFolderMeansTheDemoNetworks() throws Exception {
        CliRun r = CliRun.run("generate", "--seeds", "1", "--outdir", tmp.resolve("out").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator demo stylegan3-t-256"), r.err());
        assertEquals(256, png(tmp.resolve("out").resolve("seed0001.png")).getWidth());
    }

    @Test
    void editWithoutNetworkFlagsUsesEveryInstalledFileAndSaysWhich() throws Exception {
        install(GEN, "sg3t-32.pkl");
        install(CLIP, "ViT-tiny-P8.pt");
        install(ID, "model_ir_se50_tiny.pth");
        Path out = tmp.resolve("edit");
        CliRun r = CliRun.run("edit", "--seed", "3", "--prompt", "a smiling face", "--steps", "2", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator sg3t-32.pkl · CLIP ViT-tiny-P8.pt · ID model_ir_se50_tiny.pth · LPIPS demo"),
                r.err());
        assertFalse(r.out().contains("using:"), "stdout keeps the command's own output");
        JsonNode j = new ObjectMapper().readTree(out.resolve("result.json").toFile());
        assertTrue(j.path("networks").path("clip").asText().endsWith("ViT-tiny-P8.pt"), j.path("networks").toString());
        assertEquals(0.7, j.path("start").path("trunc").asDouble(), 0, "the studio's ψ");

        // --demo-networks: the demo networks whatever the folder holds, a given file still wins
        r = CliRun.run("edit", "--demo-networks", "--generator", GEN.toString(), "--seed", "3", "--prompt", "a smiling face",
                "--steps", "1", "--out", tmp.resolve("edit2").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: generator sg3t-32.pkl · CLIP demo · ID demo · LPIPS demo"), r.err());
    }

    @Test
    void scoreJsonKeepsStdoutCleanAndNamesTheInstalledClip() throws Exception {
        install(CLIP, "ViT-tiny-P8.pt");
        Path img = tmp.resolve("face.png");
        ImageIO.write(new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB), "png", img.toFile());
        CliRun r = CliRun.run("score", "--image", img.toString(), "--prompt", "a face", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertFalse(j.path("demo").asBoolean(true), r.out());
        assertTrue(r.err().contains("using: CLIP ViT-tiny-P8.pt"), r.err());

        Path other = Files.copy(CLIP, tmp.resolve("ViT-explicit.pt"));
        r = CliRun.run("score", "--clip", other.toString(), "--image", img.toString(), "--prompt", "a face");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("using: CLIP ViT-explicit.pt"), r.err());
    }

    @Test
    void modelsListAndTheStudioAgreeAboutFaceApi() throws Exception {
        Path faceApi = Files.createDirectories(tmp.resolve("face-api").resolve("model"));
        Files.writeString(faceApi.resolve(ModelRole.FACE_API.marker()), "[]");
        set("faceapi.dir", tmp.resolve("face-api").toString());
        // the studio's rule: the catalog finds face-api's weights (ComputeBackend.faceApiDir, FaceApi.defaultDir)
        ModelCatalog catalog = new ModelCatalog(models);
        assertTrue(catalog.find(ModelRole.FACE_API).isPresent());
        assertEquals(faceApi.toAbsolutePath().normalize(), FaceApi.defaultDir().toAbsolutePath().normalize());

        CliRun r = CliRun.run("models", "list", "--dir", models.toString());
        assertEquals(0, r.code(), r.err());
        String row = r.out().lines().filter(l -> l.startsWith("face-api ")).findFirst().orElseThrow();
        assertTrue(row.contains(" installed "), row);
        assertTrue(r.out().contains("found:   " + faceApi.toAbsolutePath().normalize()), r.out());
        CliRun j = CliRun.run("models", "list", "--dir", models.toString(), "--json");
        for (JsonNode e : new ObjectMapper().readTree(j.out()).path("models")) {
            if (e.path("role").asText().equals("FACE_API")) assertTrue(e.path("installed").asBoolean(), e.toString());
        }
    }

    @Test
    void alignFindsFaceApiByTheCatalogsRuleAndSaysHowToInstallIt() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("STYLECLIP_FACEAPI_DIR") == null, "the environment names a face-api folder");
        set("user.home", tmp.resolve("home").toString()); // no cache of scripts/fetch-face-api either
        set("faceapi.dir", tmp.resolve("face-api").toString());
        Path photo = AlignCommandTest.photo("astronaut");
        CliRun r = CliRun.run("align", photo.toString(), "--out", tmp.resolve("a.png").toString());
        assertEquals(Cli.EXIT_BAD_INPUT, r.code(), r.err());
        assertEquals("error: face-api's networks are not installed: ./styleclip models fetch face-api (or scripts/fetch-face-api),"
                + " or give their folder with --models DIR; or give the face's four --points", r.err().strip());
        r = CliRun.run("align", photo.toString(), "--out", tmp.resolve("p.png").toString(), "--size", "64",
                "--points", "180,200,260,200,190,300,250,300");
        assertEquals(0, r.code(), "four points need no face-api: " + r.err());
        assertTrue(Files.isRegularFile(tmp.resolve("p.png")));

        // the npm package's root, as scripts/fetch-face-api unpacks it: found by the catalog, or given, at its model/ folder
        Path model = Files.createDirectories(tmp.resolve("face-api").resolve("model"));
        Files.writeString(model.resolve(ModelRole.FACE_API.marker()), "[]");
        assertEquals(model.toAbsolutePath().normalize(), dev.styleclip.cli.common.InstalledNetworks.faceApi(null, "--models"));
        assertEquals(model, dev.styleclip.cli.common.InstalledNetworks.faceApi(tmp.resolve("face-api"), "--models"));
        Path file = Files.writeString(tmp.resolve("notes.txt"), "x");
        r = CliRun.run("align", photo.toString(), "--out", tmp.resolve("b.png").toString(), "--models", file.toString());
        assertEquals("error: --models " + file + " is not a folder", r.err().strip());
    }

    @Test
    void generatesDefaultPsiIsTheStudiosSoASeedGivesTheStudiosFace() throws Exception {
        Path out = tmp.resolve("out");
        CliRun r = CliRun.run("generate", "--generator", GEN.toString(), "--seeds", "7", "--outdir", out.toString());
        assertEquals(0, r.code(), r.err());
        int[] cli = rgb(png(out.resolve("seed0007.png")));
        int[] studio;
        int[] untruncated;
        try (ComputeService s = new ComputeService("cpu")) {
            GeneratorSource g = GeneratorSource.file(GEN);
            studio = rgb(s.run("studio", FaceGeneration.job(g, new FaceGeneration.Request(7, 0.7, null, InputTransform.make(0, 0, 0))), null).image());
            untruncated = rgb(s.run("psi 1", FaceGeneration.job(g, new FaceGeneration.Request(7, 1.0, null, InputTransform.make(0, 0, 0))), null).image());
        }
        assertEquals(0.7, FaceGeneration.DEFAULT_PSI);
        assertArrayEquals(studio, cli, "generate's default ψ is the studio's 0.7");
        assertFalse(java.util.Arrays.equals(untruncated, cli), "ψ matters for this seed");
    }

    @Test
    void trainMapperWritesIntoTheStudiosMappersFolderNotTheApplications() throws Exception {
        install(GEN, "sg3t-32.pkl");
        install(CLIP, "ViT-tiny-P8.pt");
        CliRun r = CliRun.run("train-mapper", "--prompt", "Purple hair", "--epochs", "1", "--steps", "1", "--batch", "1",
                "--id-weight", "0");
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("using: generator sg3t-32.pkl · CLIP ViT-tiny-P8.pt"), r.err());
        Path folder = tmp.resolve("app").resolve("mappers").resolve("purple-hair");
        assertTrue(Files.isRegularFile(folder.resolve("mapper.safetensors")), r.out());
        assertEquals(folder, dev.styleclip.edit.mapper.MapperPlaces.defaultRoot(models).resolve(
                dev.styleclip.edit.mapper.MapperPlaces.slug("Purple hair")), "the studio's folder for the prompt");
    }

    @Test
    void theRootHelpCutsNoCommandsDescriptionMidSentence() {
        CliRun r = CliRun.run("--help");
        assertEquals(0, r.code(), r.err());
        CommandLine cl = new CommandLine(new Cli());
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) continue;
            String[] d = e.getValue().getCommandSpec().usageMessage().description();
            assertTrue(d.length > 0, e.getKey());
            String first = d[0].strip();
            assertTrue(first.endsWith(".") || first.endsWith(")") || first.endsWith(":"),
                    e.getKey() + "'s summary in the root help stops mid-sentence: " + first);
        }
        String flat = r.out().replaceAll("\\s+", " ");
        String sweep = cl.getSubcommands().get("sweep").getCommandSpec().usageMessage().description()[0];
        assertTrue(flat.contains(" sweep " + sweep.replaceAll("\\s+", " ")), "the root help shows the whole sentence: " + r.out());
        String readme = readme();
        String example = readme.lines().filter(l -> l.contains("`sweep ")).findFirst().orElseThrow();
        assertTrue(example.contains("--seed "), "the README's sweep example has the required --seed: " + example);
    }

    private static String readme() {
        try {
            return Files.readString(Path.of("README.md"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
