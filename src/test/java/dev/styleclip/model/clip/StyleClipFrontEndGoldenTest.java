package dev.styleclip.model.clip;

import com.fasterxml.jackson.databind.JsonNode;
import dev.styleclip.golden.Golden;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code edit} set's CLIP loss front end: the u and k this implementation derives from the generator and CLIP sizes
 * must be the ones the set was made with. (The edit set's cases all run the generator; the editing code tests them,
 * and the front end's values are covered by the clip set's {@code gradients} case.)
 */
class StyleClipFrontEndGoldenTest {

    @Test
    void editSetFrontEndParameters() {
        JsonNode fe = Golden.manifest("edit").path("clip_loss_front_end");
        assertTrue(fe.isObject(), "edit manifest has no clip_loss_front_end");
        StyleClipFrontEnd f = new StyleClipFrontEnd(fe.path("input").asInt(), fe.path("output").asInt());
        assertEquals("nearest", fe.path("upsample").asText());
        assertEquals(fe.path("u").asInt(), f.upsample(), "u");
        assertEquals(fe.path("avgpool_kernel").asInt(), f.kernel(), "k");
    }
}
