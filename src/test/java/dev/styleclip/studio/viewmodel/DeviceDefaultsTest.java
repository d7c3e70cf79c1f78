package dev.styleclip.studio.viewmodel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The long runs' defaults by device and network size. */
class DeviceDefaultsTest {

    @Test
    void aGpuRunsTheSeedReportsNumbersAtEverySize() {
        for (int res : new int[]{0, 32, 256, 512, 1024}) {
            assertEquals(new DeviceDefaults(300, 200, 100), DeviceDefaults.of("gpu(0)", res), "at " + res);
        }
        assertEquals(DeviceDefaults.GPU, DeviceDefaults.of(null, 1024), "no device name: not known to be a CPU");
    }

    @Test
    void aCpuDoesLessWorkTheLargerTheNetwork() {
        assertEquals(new DeviceDefaults(30, 100, 10), DeviceDefaults.of("cpu", 256));
        assertEquals(DeviceDefaults.of("cpu", 256), DeviceDefaults.of("CPU()", 32), "the tiny networks count as 256²");
        assertEquals(DeviceDefaults.of("cpu", 256), DeviceDefaults.of("cpu", 0), "an unreadable file: as 256²");
        DeviceDefaults d512 = DeviceDefaults.of("cpu", 512), d1024 = DeviceDefaults.of("cpu", 1024);
        assertEquals(new DeviceDefaults(10, 30, 4), d512);
        assertEquals(new DeviceDefaults(5, 15, 2), d1024);
        assertEquals(d1024, DeviceDefaults.of("cpu", 768), "between the published sizes: the larger one's");
        assertEquals(d512, DeviceDefaults.of("cpu", 300));
        // a first 1024² edit on a CPU ends in minutes: 5 steps of the measured 39.4 s (T-1024, README) ≈ 3.3 min
        assertTrue(d1024.editSteps() * 39.4 < 5 * 60, d1024.toString());
        // never below what the Edit and Directions sliders offer
        assertTrue(d1024.editSteps() >= 1 && d1024.invertSteps() >= 10 && d1024.directionFaces() >= 2, d1024.toString());
    }
}
