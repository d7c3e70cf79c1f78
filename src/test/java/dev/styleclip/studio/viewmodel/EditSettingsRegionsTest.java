package dev.styleclip.studio.viewmodel;

import dev.styleclip.edit.EditRegions;
import dev.styleclip.image.FaceRegion;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.prefs.Preferences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Edit tab's region choice: what a request gets, what sessions and preferences keep. */
class EditSettingsRegionsTest {

    @Test
    void theChoiceBecomesTheRequestsRegionsInTheGeneratorsPixels() {
        EditSettings s = new EditSettings();
        assertNull(s.regions(256), "the whole face by default");
        s.regionModeProperty().set(EditSettings.RegionMode.EDIT_ONLY);
        EditRegions r = s.regions(1024);
        assertEquals(EditRegions.Mode.EDIT_ONLY, r.mode());
        assertEquals(Set.of(FaceRegion.MOUTH), r.regions(), "the mouth is on from the start");
        assertEquals(20.48, r.grow(), 1e-9, "2 % of 1024");
        assertEquals(40.96, r.feather(), 1e-9);
        assertEquals(1.0, r.keepWeight());

        s.regionModeProperty().set(EditSettings.RegionMode.KEEP);
        s.regionProperty("mouth").set(false);
        s.regionProperty("background").set(true);
        s.regionProperty("eyes").set(true);
        s.regionGrow().set(-1);
        s.lambdaKeep().set(0.25);
        r = s.regions(256);
        assertEquals(new EditRegions(EditRegions.Mode.KEEP, EnumSet.of(FaceRegion.EYES, FaceRegion.BACKGROUND), -2.56, 10.24, 0.25), r);

        for (String n : EditSettings.regionNames()) s.regionProperty(n).set(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.regions(256));
        assertEquals("switch on at least one face region, or edit the whole face", e.getMessage());
    }

    @Test
    void sessionsAndPreferencesKeepTheChoice() throws Exception {
        EditSettings s = new EditSettings();
        s.regionModeProperty().set(EditSettings.RegionMode.KEEP);
        s.regionProperty("mouth").set(false);
        s.regionProperty("nose").set(true);
        s.regionFeather().set(6);
        Map<String, Object> m = s.toMap();
        EditSettings back = new EditSettings();
        back.fromMap(m);
        assertEquals(s.regions(100), back.regions(100));
        // a session from before regions: nothing changes
        EditSettings old = new EditSettings();
        old.fromMap(Map.of("prompt", "x"));
        assertNull(old.regions(100));

        Preferences node = Preferences.userRoot().node("/dev/styleclip/test/edit-regions-" + System.nanoTime());
        try {
            StudioPrefs prefs = new StudioPrefs(node);
            s.save(prefs);
            EditSettings loaded = new EditSettings();
            loaded.load(prefs);
            assertEquals(s.regions(100), loaded.regions(100));
        } finally {
            node.removeNode();
        }
    }
}
