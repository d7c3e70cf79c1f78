package dev.styleclip.edit;

import dev.styleclip.io.AtomicFiles;
import dev.styleclip.runtime.ComputeService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A photo file → its face aligned at the inverting generator's size → a latent, on the tiny golden generator. */
class PhotoImportTest {
    private static final PhotoImport.Networks NETWORKS = new PhotoImport.Networks(FaceGenerationTest.SOURCE, null, null, null, null);
    private static final double[] POINTS = {24, 20, 40, 20, 26, 40, 38, 40};
    private static ComputeService service;

    @BeforeAll
    static void setUp() {
        service = new ComputeService("cpu");
    }

    @AfterAll
    static void tearDown() {
        service.close();
    }

    private static Path photo(Path dir) throws Exception {
        BufferedImage img = new BufferedImage(64, 56, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(5);
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, r.nextInt(0x1000000));
        Path f = dir.resolve("face.png");
        AtomicFiles.write(f, os -> ImageIO.write(img, "png", os));
        return f;
    }

    private static PhotoInversion.Settings projection(int steps) {
        return new PhotoInversion.Settings(PhotoInversion.Method.PROJECTION, steps, null, false, 20, 0);
    }

    @Test
    void clickedPointsAlignAtTheGeneratorsSizeAndTheFaceIsProjected(@TempDir Path tmp) throws Exception {
        PhotoImport.Result r = service.run("import", PhotoImport.job(NETWORKS,
                new PhotoImport.Request(photo(tmp), 0, POINTS, projection(2))), null);
        assertEquals(32, r.aligned().width());
        assertEquals(32, r.aligned().height());
        PhotoInversion.Result inv = r.inversion();
        assertEquals(inv.numWs() * inv.wDim(), inv.w().length);
        assertTrue(Double.isFinite(inv.lpips()), "LPIPS of the reconstruction");
        assertTrue(Double.isNaN(inv.idSimilarity()), "no identity network, no ID score");
        assertEquals(32, inv.reconstruction().width());
    }

    @Test
    void withoutFaceApiOrPointsOrEncoderItSaysWhatIsMissing(@TempDir Path tmp) throws Exception {
        Path photo = photo(tmp);
        Exception noFaceApi = assertThrows(IllegalStateException.class, () -> service.run("import", PhotoImport.job(NETWORKS,
                new PhotoImport.Request(photo, 0, null, projection(1))), null));
        assertTrue(noFaceApi.getMessage().contains("click the eyes and mouth corners"), noFaceApi.getMessage());
        Exception noEncoder = assertThrows(IllegalArgumentException.class, () -> service.run("import", PhotoImport.job(NETWORKS,
                new PhotoImport.Request(photo, 0, POINTS, PhotoInversion.Settings.of(PhotoInversion.Method.ENCODER))), null));
        assertTrue(noEncoder.getMessage().contains("needs a ReStyle encoder"), noEncoder.getMessage());
    }
}
