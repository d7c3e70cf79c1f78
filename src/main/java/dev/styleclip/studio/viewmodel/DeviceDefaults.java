package dev.styleclip.studio.viewmodel;

import java.util.Locale;

/**
 * Where the long runs' settings start, for the device the jobs run on and the size of the generator's pictures (a
 * setting the user chose, or a remembered one, always wins: see {@link NumberParam#setDefault}). On a GPU the seed
 * report's numbers at every size (300 optimisation steps, 100 faces for the channel effects: what StyleCLIP runs on
 * the official 1024² networks). On a CPU, where one 256² edit step takes seconds, about a tenth of that work at 256², so
 * a first run ends in minutes, not hours; the larger networks get fewer steps again, so that a first run takes about
 * as long as at 256². README, <i>Memory: the official sizes</i> (StyleGAN3-T, 2 threads): an edit step takes 5.3 s at
 * 256², 17.3 s at 512² and 39.4 s at 1024² (R: about twice that), a projection step 5.6, 18.3 and 38.4 s. So 30 edit
 * steps ≈ 3 min at 256², 10 at 512² ≈ 3 min, 5 at 1024² ≈ 3.3 min; 100 projection steps ≈ 9 min at 256², 30 ≈ 9 min
 * at 512², 15 ≈ 10 min at 1024². The channel effects of the global directions are a job of hours at 256² and of days
 * at 1024² whatever the number of faces (importing the published ones is the way there): the fewest faces the
 * slider offers. The estimate next to Run then says what the chosen numbers cost here, measured.
 *
 * @param editSteps      optimisation steps of an edit
 * @param invertSteps    projection steps of a photo inversion
 * @param directionFaces faces the global directions' channel effects are averaged over
 */
record DeviceDefaults(int editSteps, int invertSteps, int directionFaces) {
    static final DeviceDefaults GPU = new DeviceDefaults(300, 200, 100);
    static final DeviceDefaults CPU = new DeviceDefaults(30, 100, 10);
    static final DeviceDefaults CPU_512 = new DeviceDefaults(10, 30, 4);
    static final DeviceDefaults CPU_1024 = new DeviceDefaults(5, 15, 2);

    /**
     * The defaults for a device and a generator whose pictures are {@code resolution} pixels wide (0 or less: not
     * known, taken as 256²; sizes between the published ones count as the next larger one).
     */
    static DeviceDefaults of(String deviceName, int resolution) {
        if (deviceName == null || !deviceName.toLowerCase(Locale.ROOT).startsWith("cpu")) return GPU;
        if (resolution <= 256) return CPU;
        return resolution <= 512 ? CPU_512 : CPU_1024;
    }
}
