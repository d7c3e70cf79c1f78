package dev.styleclip.runtime.models;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelCatalogTest {

    @TempDir
    Path dir;

    @Test
    void findsCatalogFilesFirstAndFallsBackToNames() throws Exception {
        ModelCatalog c = new ModelCatalog(dir);
        assertTrue(c.demoMode());
        Files.createDirectories(dir.resolve("mine"));
        Files.write(dir.resolve("mine/my-own-network.pkl"), new byte[]{1});
        assertEquals(dir.resolve("mine/my-own-network.pkl"), c.find(ModelRole.GENERATOR).orElseThrow());
        Files.write(dir.resolve("stylegan3-r-ffhq-1024x1024.pkl"), new byte[]{1});
        assertEquals(dir.resolve("stylegan3-r-ffhq-1024x1024.pkl"), c.find(ModelRole.GENERATOR).orElseThrow(),
                "a catalog file wins over other names");
        Files.write(dir.resolve("stylegan3-t-ffhqu-256x256.pkl"), new byte[]{1});
        assertEquals(dir.resolve("stylegan3-t-ffhqu-256x256.pkl"), c.find(ModelRole.GENERATOR).orElseThrow(),
                "the recommended one wins");
        assertFalse(c.demoMode());
        Files.write(dir.resolve(".stylegan3-r-ffhqu-256x256.pkl.partial"), new byte[]{1});
        Files.createDirectories(dir.resolve("face-api"));
        Files.write(dir.resolve("face-api/ssd_mobilenetv1_model-weights_manifest.json"), new byte[]{'['});
        assertEquals(dir.resolve("face-api/ssd_mobilenetv1_model-weights_manifest.json"),
                c.find(ModelRole.FACE_API).orElseThrow());
        assertEquals(ModelRole.values().length, c.scan().size());
        assertTrue(c.find(ModelRole.ENCODER).isEmpty());
    }

    @Test
    void packagedAppsKeepModelsInTheUsersDataFolder() {
        String before = System.getProperty("styleclip.packaged");
        try {
            System.setProperty("styleclip.packaged", "true");
            Path d = ModelCatalog.defaultDir();
            assertEquals(ModelCatalog.userDataDir().resolve("models"), d);
            assertTrue(d.isAbsolute());
        } finally {
            if (before == null) System.clearProperty("styleclip.packaged");
            else System.setProperty("styleclip.packaged", before);
        }
    }
}
