package dev.styleclip.runtime.models;

import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Installing catalog files from a loopback HTTP server, importing, verifying. */
class ModelInstallerTest {

    @TempDir
    Path tmp;
    Path models;
    LoopbackServer server;
    byte[] vgg;
    byte[] pickle;
    ModelInstaller inst;

    @BeforeEach
    void start() throws Exception {
        models = tmp.resolve("models");
        vgg = Files.readAllBytes(Golden.set("lpips").resolve("models/real_v0.1/vgg.pth"));
        pickle = Files.readAllBytes(Golden.set("stylegan3").resolve("models/sg3t-32.pkl"));
        server = new LoopbackServer().put("vgg.pth", vgg).put("sg3.pkl", pickle);
        inst = new ModelInstaller(models, new Downloader().retryDelay(Duration.ofMillis(10)).maxRetries(3));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static ModelEntry entry(String name, String file, String url, String sha256, String prefix, List<String> formats) {
        return new ModelEntry(name, ModelRole.GENERATOR, file, url, null, null, sha256, prefix, null, null, null,
                null, formats, false, "test", "test", false);
    }

    List<String> filesLeft() throws IOException {
        if (!Files.exists(models)) return List.of();
        try (Stream<Path> s = Files.walk(models)) {
            return s.filter(Files::isRegularFile).map(p -> models.relativize(p).toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void theCatalogsLpipsEntryInstallsFromAMirrorWithItsPublishedHash() throws Exception {
        ModelEntry e = ModelEntries.require("lpips-vgg").withUrl(server.uri("/file/vgg.pth").toString());
        Path p = inst.fetch(e, null, null);
        assertEquals(models.resolve("lpips/vgg.pth"), p);
        assertArrayEquals(vgg, Files.readAllBytes(p));
        assertEquals(List.of(".verified.json", "lpips/vgg.pth"), filesLeft(), "no partial left");
        VerifiedStore.Record r = inst.verified().get("lpips/vgg.pth").orElseThrow();
        assertEquals(e.sha256(), r.sha256());
        assertTrue(r.published());
        assertEquals(ModelInstaller.State.OK, inst.verify(e).state());
        assertEquals(p, new ModelCatalog(models).find(ModelRole.LPIPS).orElseThrow());
    }

    @Test
    void aDroppedConnectionIsResumedAndTheFileInstalled() throws Exception {
        ModelEntry e = ModelEntries.require("lpips-vgg").withUrl(server.uri("/drop/vgg.pth").toString());
        Path p = inst.fetch(e, null, null);
        assertArrayEquals(vgg, Files.readAllBytes(p));
        assertEquals("bytes=3000-", server.ranges.get(1));
    }

    @Test
    void aWrongHashIsRefusedAndDeletesThePartial() throws Exception {
        ModelEntry e = entry("x", "x.pth", server.uri("/drop/vgg.pth").toString(), "00".repeat(32), null,
                List.of("torch-legacy"));
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(ex.getMessage().contains("does not match the published"), ex.getMessage());
        assertEquals(List.of(), filesLeft());
    }

    @Test
    void aWrongPrefixIsRefused() throws Exception {
        ModelEntry bad = entry("x", "vgg16-397923af.pth", server.uri("/file/vgg.pth").toString(), null, "397923af",
                List.of("torch-legacy"));
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(bad, null, null));
        assertTrue(ex.getMessage().contains("does not start with the published 397923af"), ex.getMessage());
        assertEquals(List.of(), filesLeft());
        String prefix = Hashes.hex(Hashes.digest("SHA-256").digest(vgg)).substring(0, 8);
        ModelEntry good = entry("x", "vgg16-" + prefix + ".pth", server.uri("/file/vgg.pth").toString(), null, prefix,
                List.of("torch-legacy"));
        assertTrue(Files.isRegularFile(inst.fetch(good, null, null)));
    }

    @Test
    void aFileOfTheWrongFormatIsRefused() throws Exception {
        ModelEntry e = entry("clip", "ViT-B-32.pt", server.uri("/file/sg3.pkl").toString(), null, null, List.of("torchscript"));
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(ex.getMessage().contains("stylegan-pickle file, expected torchscript"), ex.getMessage());
        assertEquals(List.of(), filesLeft());
    }

    /**
     * What lands in the models folder has been read completely by the allow-list reader: a hostile pickle behind a
     * correct header, a truncated pickle, imported or downloaded, is refused and leaves nothing (the user's file stays).
     */
    @Test
    void hostileAndTruncatedFilesNeverLand() throws Exception {
        Path marker = tmp.resolve("ran");
        byte[] hostile = new dev.styleclip.io.PickleWriter().raw(dev.styleclip.io.PickleWriter.legacyHeader()).proto(2)
                .call("posix", "system", "touch " + marker).stop().toBytes();
        Path downloads = Files.createDirectories(tmp.resolve("Downloads"));
        Path evil = Files.write(downloads.resolve("model_ir_se50.pth"), hostile);
        ModelsException ex = assertThrows(ModelsException.class,
                () -> inst.importFile(evil, ModelEntries.require("ir-se50"), false));
        assertTrue(ex.getMessage().contains("refused") && ex.getMessage().contains("posix.system"), ex.getMessage());
        assertTrue(Files.exists(evil), "the user's file stays");

        Path cut = Files.write(downloads.resolve("stylegan3-t-ffhqu-256x256.pkl"),
                java.util.Arrays.copyOf(pickle, pickle.length * 2 / 3));
        ModelEntry unhashed = entry("sg3", "cut.pkl", "http://127.0.0.1:1/unused", null, null, List.of("stylegan-pickle"));
        ex = assertThrows(ModelsException.class, () -> inst.importFile(cut, unhashed, false));
        assertTrue(ex.getMessage().startsWith("refused sg3 (cut.pkl): ") && ex.getMessage().endsWith("; nothing was installed"), ex.getMessage());

        server.put("evil.pkl", new dev.styleclip.io.PickleWriter().proto(2).call("builtins", "exec", "x").stop().toBytes());
        ModelEntry e = entry("sg3", "stylegan3-t-ffhqu-256x256.pkl", server.uri("/file/evil.pkl").toString(), null, null,
                List.of("stylegan-pickle"));
        ex = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(ex.getMessage().contains("builtins.exec"), ex.getMessage());
        assertEquals(List.of(), filesLeft());
        assertFalse(Files.exists(marker), "nothing ran");
    }

    /**
     * A pickle that reads cleanly but is no StyleGAN3 generator (a module of another class, with other init kwargs) is
     * refused as a generator at install, by the network's own check found through ServiceLoader.
     */
    @Test
    void aGeneratorEntryMustHoldAStyleGan3Generator() throws Exception {
        byte[] tiny = dev.styleclip.io.PickleWriter.styleganPickle(dev.styleclip.io.PickleWriter.legacyStorage(new float[]{1f, 2f}),
                2, "pass");
        server.put("tiny.pkl", tiny);
        ModelEntry e = entry("sg3", "stylegan3-t-ffhqu-256x256.pkl", server.uri("/file/tiny.pkl").toString(), null, null,
                List.of("stylegan-pickle"));
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(ex.getMessage().contains("is not a StyleGAN3 generator (class Tiny"), ex.getMessage());
        assertEquals(List.of(), filesLeft());
    }

    /**
     * Every role's file is built into its network before it may land (the networks' checks, found through
     * ServiceLoader): a real file of the role is installed; a readable file of another network, or of the role's
     * network at other widths, is refused with the network's reason, and the user's file stays where it was.
     */
    @Test
    void everyRoleBuildsItsNetworkBeforeTheFileLands() throws Exception {
        Path clip = Golden.set("clip").resolve("models/tiny-ViT-P8-R32.pt");
        Path irse = Golden.set("idloss").resolve("models/irse_tiny_a.zip.pth");
        Path tinyVgg = Golden.set("lpips").resolve("models/lpips_vgg_tiny_a_vgg16.pth");
        Path tinyLin = Golden.set("lpips").resolve("models/lpips_vgg_tiny_a_lin.pth");
        Path restyle = Golden.set("encoder").resolve("models/restyle_psp_tiny_a.pt");
        assertEquals(models.resolve("ViT-tiny.pt"), importAs("clip-vit-b-32", "ViT-tiny.pt", clip));
        assertEquals(models.resolve("restyle_tiny.pt"), importAs("restyle-psp-ffhq", "restyle_tiny.pt", restyle));

        // a TorchScript archive that reads cleanly but lacks a tensor CLIP needs (renamed inside the pickled module)
        Path noProjection = renamedInZip(clip, "text_projection", "text_projectioX");
        assertRefused("clip-vit-b-32", "ViT-B-32.pt", noProjection, "is not a CLIP model");
        assertRefused("ir-se50", "model_ir_se50.pth", tinyVgg, "is not an IR/IR-SE backbone");
        assertRefused("vgg16", "vgg16-397923af.pth", irse, "not a torchvision VGG");
        assertRefused("vgg16", "vgg16-397923af.pth", tinyVgg, "lin");
        assertRefused("lpips-vgg", "vgg.pth", tinyLin, "lin");
        assertRefused("restyle-psp-ffhq", "restyle_pSp_ffhq.pt", irse, "is not a ReStyle encoder checkpoint");
        assertRefused("restyle-psp-ffhq", "restyle_pSp_ffhq.pt", renamedInZip(restyle, "BackboneEncoder", "BackboneEncodex"), "has encoder_type");
        assertEquals(List.of(".verified.json", "ViT-tiny.pt", "restyle_tiny.pt"), filesLeft());
    }

    /** A copy of a zip whose entries have every occurrence of {@code from} replaced by {@code to} (same length). */
    private Path renamedInZip(Path zip, String from, String to) throws IOException {
        return dev.styleclip.io.TestZips.rewrite(zip, tmp.resolve("renamed-" + zip.getFileName()),
                (name, data) -> dev.styleclip.io.TestZips.replaceAll(data, from, to));
    }

    /** Imports {@code source} as the catalog entry {@code name} with no published hash, so only the content decides. */
    private Path importAs(String name, String file, Path source) throws Exception {
        Path copy = Files.copy(source, Files.createDirectories(tmp.resolve("Downloads")).resolve(file),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ModelEntry c = ModelEntries.require(name);
        ModelEntry e = new ModelEntry(name, c.role(), file, null, null, null, null, null, null, null, null, null,
                c.formats(), true, "test", "test", false);
        return inst.importFile(copy, e, false);
    }

    private void assertRefused(String name, String file, Path source, String reason) {
        ModelsException ex = assertThrows(ModelsException.class, () -> importAs(name, file, source));
        assertTrue(ex.getMessage().startsWith("refused ") && ex.getMessage().contains(reason), name + ": " + ex.getMessage());
        assertTrue(Files.exists(tmp.resolve("Downloads").resolve(file)), "a refused import keeps the user's file");
        assertFalse(ex.getMessage().contains("Exception"), ex.getMessage());
    }

    @Test
    void htmlPagesAnd404sLeaveNothing() throws Exception {
        ModelEntry html = entry("h", "h.pkl", server.uri("/htmlbytes/sg3.pkl").toString(), null, null, List.of("stylegan-pickle"));
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(html, null, null));
        assertTrue(ex.getMessage().contains("HTML page"), ex.getMessage());
        ModelEntry missing = entry("m", "m.pkl", server.uri("/file/none.pkl").toString(), null, null, List.of("stylegan-pickle"));
        ex = assertThrows(ModelsException.class, () -> inst.fetch(missing, null, null));
        assertTrue(ex.getMessage().contains("not found (HTTP 404)"), ex.getMessage());
        assertEquals(List.of(), filesLeft());
    }

    @Test
    void unpublishedHashesAreRecordedOnFirstDownloadAndEnforcedAfter() throws Exception {
        ModelEntry e = entry("sg3", "stylegan3-t-ffhqu-256x256.pkl", server.uri("/file/sg3.pkl").toString(), null, null,
                List.of("stylegan-pickle"));
        Path p = inst.fetch(e, null, null);
        VerifiedStore.Record r = inst.verified().get(e.file()).orElseThrow();
        assertEquals(Hashes.sha256(p), r.sha256());
        assertFalse(r.published());
        assertEquals(ModelInstaller.State.OK, inst.verify(e).state());
        assertTrue(new ModelCatalog(models).find(ModelRole.GENERATOR).isPresent());
        assertFalse(new ModelCatalog(models).demoMode());

        // a later download with other bytes is refused, the installed file stays
        server.put("sg3.pkl", Files.readAllBytes(Golden.set("stylegan3").resolve("models/sg3r-32.pkl")));
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(ex.getMessage().contains("recorded on its first verified install"), ex.getMessage());
        assertArrayEquals(pickle, Files.readAllBytes(p));

        // a damaged installed file fails verify
        byte[] damaged = pickle.clone();
        damaged[damaged.length / 2] ^= 1;
        Files.write(p, damaged);
        ModelInstaller.Check c = inst.verify(e);
        assertEquals(ModelInstaller.State.MISMATCH, c.state());
        assertTrue(c.failed());
    }

    @Test
    void verifyRecordsFilesFoundWithoutARecord() throws Exception {
        ModelEntry e = entry("sg3", "sg3.pkl", "http://127.0.0.1:1/unused", null, null, List.of("stylegan-pickle"));
        Files.createDirectories(models);
        Files.write(models.resolve("sg3.pkl"), pickle);
        assertEquals(ModelInstaller.State.RECORDED, inst.verify(e).state());
        assertEquals(ModelInstaller.State.OK, inst.verify(e).state());
        Files.write(models.resolve("sg3.pkl"), vgg);
        assertEquals(ModelInstaller.State.BAD_FORMAT, inst.verify(e).state());
    }

    @Test
    void importsAManualDownloadAfterChecks() throws Exception {
        ModelEntry e = ModelEntries.require("ir-se50");
        assertTrue(e.manual());
        ModelsException noUrl = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(noUrl.getMessage().contains("models import FILE --as ir-se50"), noUrl.getMessage());

        Path downloads = Files.createDirectories(tmp.resolve("Downloads"));
        Path page = downloads.resolve("model_ir_se50.pth");
        Files.writeString(page, "<!DOCTYPE html><html><title>Google Drive</title></html>");
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.importFile(page, e, false));
        assertTrue(ex.getMessage().contains("HTML page"), ex.getMessage());
        assertTrue(Files.exists(page), "a refused import keeps the user's file");
        assertEquals(List.of(), filesLeft());

        Path real = downloads.resolve("model_ir_se50 (1).pth");
        byte[] irse = Files.readAllBytes(Golden.set("idloss").resolve("models/irse_tiny_a.pth"));
        Files.write(real, irse);
        Path p = inst.importFile(real, e, false);
        assertEquals(models.resolve("model_ir_se50.pth"), p);
        assertArrayEquals(irse, Files.readAllBytes(p));
        assertFalse(Files.exists(real), "moved, not copied");
        assertEquals("import:model_ir_se50 (1).pth", inst.verified().get("model_ir_se50.pth").orElseThrow().source());
        assertEquals(p, new ModelCatalog(models).find(ModelRole.IDENTITY).orElseThrow());

        Path pickleFile = downloads.resolve("restyle_pSp_ffhq.pt");
        Files.write(pickleFile, pickle);
        ex = assertThrows(ModelsException.class, () -> inst.importFile(pickleFile, ModelEntries.require("restyle-psp-ffhq"), true));
        assertTrue(ex.getMessage().contains("expected torch-zip or torch-legacy"), ex.getMessage());
    }

    @Test
    void installsTheModelFolderOfAnNpmTarball() throws Exception {
        byte[] manifest = "[{\"paths\":[\"tiny.bin\"],\"weights\":[]}]".getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/package.json", "{}".getBytes(StandardCharsets.UTF_8));
        entries.put("package/model/tiny-weights_manifest.json", manifest);
        entries.put("package/model/tiny.bin", new byte[1500]);
        entries.put("package/dist/face-api.js", "x".getBytes(StandardCharsets.UTF_8));
        byte[] tgz = tgz(entries);
        String integrity = Hashes.integrity("sha512", Hashes.digest("SHA-512").digest(tgz));
        server.put("face-api.tgz", tgz);
        ModelEntry e = new ModelEntry("face-api", ModelRole.FACE_API, "face-api",
                server.uri("/drop/face-api.tgz").toString(), null, null, null, null, integrity, "npm-archive",
                "package/model/", "tiny-weights_manifest.json", List.of("tfjs-manifest"), false, "MIT", "test", true);
        server.dropAfter = 700;
        Path dir = inst.fetch(e, null, null);
        assertEquals(List.of(".verified.json", "face-api/tiny-weights_manifest.json", "face-api/tiny.bin"), filesLeft());
        assertArrayEquals(manifest, Files.readAllBytes(dir.resolve("tiny-weights_manifest.json")));
        assertTrue(inst.installed(e));
        assertEquals(ModelInstaller.State.OK, inst.verify(e).state());
        Files.write(dir.resolve("tiny.bin"), new byte[3]);
        assertEquals(ModelInstaller.State.MISMATCH, inst.verify(e).state());

        // a tampered tarball fails the integrity check and leaves the installed folder alone
        ModelEntry wrong = new ModelEntry("face-api", ModelRole.FACE_API, "face-api",
                server.uri("/file/face-api.tgz").toString(), null, null, null, null,
                "sha512-" + java.util.Base64.getEncoder().encodeToString(new byte[64]), "npm-archive", "package/model/",
                "tiny-weights_manifest.json", List.of("tfjs-manifest"), false, "MIT", "test", true);
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(wrong, null, null));
        assertTrue(ex.getMessage().contains("integrity"), ex.getMessage());
        assertEquals(List.of(".verified.json", "face-api/tiny-weights_manifest.json", "face-api/tiny.bin"), filesLeft());
    }

    /** face-api's folder is built into its SSD detector and landmark net before it replaces anything: an empty SSD is refused. */
    @Test
    void aFaceApiFolderWithoutTheDetectorsWeightsIsRefused() throws Exception {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("package/model/ssd_mobilenetv1_model-weights_manifest.json",
                "[{\"paths\":[\"ssd.bin\"],\"weights\":[]}]".getBytes(StandardCharsets.UTF_8));
        entries.put("package/model/ssd.bin", new byte[0]);
        byte[] tgz = tgz(entries);
        server.put("face-api.tgz", tgz);
        ModelEntry e = new ModelEntry("face-api", ModelRole.FACE_API, "face-api",
                server.uri("/file/face-api.tgz").toString(), null, null, null, null,
                Hashes.integrity("sha512", Hashes.digest("SHA-512").digest(tgz)), "npm-archive", "package/model/",
                "ssd_mobilenetv1_model-weights_manifest.json", List.of("tfjs-manifest"), false, "MIT", "test", true);
        ModelsException ex = assertThrows(ModelsException.class, () -> inst.fetch(e, null, null));
        assertTrue(ex.getMessage().startsWith("refused face-api (ssd_mobilenetv1_model-weights_manifest.json)"), ex.getMessage());
        assertFalse(ex.getMessage().contains("Exception"), ex.getMessage());
        assertEquals(List.of(), filesLeft().stream().filter(f -> !f.equals(".verified.json")).toList());
    }

    /** A minimal ustar writer for the test archive. */
    static byte[] tgz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            for (var f : files.entrySet()) {
                byte[] h = new byte[512];
                put(h, 0, f.getKey());
                put(h, 100, "0000644");
                put(h, 108, "0000000");
                put(h, 116, "0000000");
                put(h, 124, String.format("%011o", f.getValue().length));
                put(h, 136, String.format("%011o", 0));
                h[156] = '0';
                put(h, 257, "ustar");
                put(h, 263, "00");
                for (int i = 148; i < 156; i++) h[i] = ' ';
                int sum = 0;
                for (byte b : h) sum += b & 0xff;
                put(h, 148, String.format("%06o", sum));
                h[154] = 0;
                out.write(h);
                out.write(f.getValue());
                out.write(new byte[(512 - f.getValue().length % 512) % 512]);
            }
            out.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    private static void put(byte[] h, int off, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, off, b.length);
    }
}
