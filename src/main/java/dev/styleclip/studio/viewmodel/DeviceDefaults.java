package dev.styleclip.studio.viewmodel;

import java.util.Locale;

/**
 * Where the long runs' settings start, for the device the jobs run on (a remembered setting always wins): on a GPU the
 * seed report's numbers (300 optimisation steps, 100 faces for the channel effects); on a CPU, where one 256² edit
 * step takes seconds, about a tenth of that work, so a first run ends in minutes, not hours. The estimate next to Run
 * then says what the chosen numbers cost here, measured.
 *
 * @param editSteps      optimisation steps of an edit
 * @param invertSteps    projection steps of a photo inversion
 * @param directionFaces faces the global directions' channel effects are averaged over
 */
record DeviceDefaults(int editSteps, int invertSteps, int directionFaces) {
    static final DeviceDefaults GPU = new DeviceDefaults(300, 200, 100);
    static final DeviceDefaults CPU = new DeviceDefaults(30, 100, 10);

    /** The defaults for a device as the compute service names it ("cpu", "gpu(0)"). */
    static DeviceDefaults of(String deviceName) {
        return deviceName != null && deviceName.toLowerCase(Locale.ROOT).startsWith("cpu") ? CPU : GPU;
    }
}
