package dev.styleclip.image;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * An edited aligned face put back into its photo, at the photo's own size: the inverse of the FFHQ alignment (each photo
 * pixel in the face's square looks up the edited image where the alignment took it from), blended in through a
 * feathered mask of the face's regions drawn from the photo's landmarks, with the edit's colours matched to the photo's
 * at the seam first. Pixels the mask leaves out keep the photo's bytes exactly.
 *
 * <p>Sampling: bicubic (Keys, a = −0.5) on the edited image; when the face is smaller in the photo than the edited image
 * (a 1024² edit of a face 300 pixels wide), the edit is first reduced with Lanczos to the face's size in the photo, so
 * the pasted face is not aliased.
 */
public final class PasteBack {
    /** Automatic grow, as a share of the face square's side (the mask then takes in a little skin beyond the jaw). */
    static final double AUTO_GROW = 0.02;
    /** Automatic feather, as a share of the face square's side (wide enough that no seam line is seen). */
    static final double AUTO_FEATHER = 0.04;

    /**
     * How the edit goes in: the regions it replaces, their {@code grow} and {@code feather} in photo pixels (NaN: scaled
     * with the face, {@link #AUTO_GROW} and {@link #AUTO_FEATHER} of its square's side), and whether its colours are
     * matched to the photo's at the seam.
     */
    public record Options(Set<FaceRegion> regions, double grow, double feather, boolean matchColour) {
        /** The whole face, automatic grow and feather, colours matched. */
        public static final Options DEFAULT = new Options(EnumSet.of(FaceRegion.FACE), Double.NaN, Double.NaN, true);

        public Options {
            Objects.requireNonNull(regions, "regions");
            if (regions.isEmpty()) throw new IllegalArgumentException("no face region given (choose from " + FaceRegion.names() + ")");
            regions = Set.copyOf(regions);
            if (!Double.isNaN(grow) || !Double.isNaN(feather)) {
                FaceRegions.Distance.reachFor(Double.isNaN(grow) ? 0 : grow, Double.isNaN(feather) ? 0 : feather); // checks both
            }
        }

        public Options withRegions(Set<FaceRegion> r) {
            return new Options(r, grow, feather, matchColour);
        }

        public Options withGrow(double px) {
            return new Options(regions, px, feather, matchColour);
        }

        public Options withFeather(double px) {
            return new Options(regions, grow, px, matchColour);
        }

        public Options withMatchColour(boolean on) {
            return new Options(regions, grow, feather, on);
        }

        /** Grow in pixels for a face whose square is {@code map}. */
        public double growFor(QuadMap map) {
            return Double.isNaN(grow) ? Math.round(AUTO_GROW * map.side() * 10) / 10.0 : grow;
        }

        /** Feather in pixels for a face whose square is {@code map}. */
        public double featherFor(QuadMap map) {
            return Double.isNaN(feather) ? Math.round(AUTO_FEATHER * map.side() * 10) / 10.0 : feather;
        }
    }

    /**
     * The colour correction applied to the edit before blending, per channel (R, G, B): {@code v' = gain·v + offset};
     * {@code bandPixels} = how many pixels it was measured on (0: none applied).
     */
    public record ColourMatch(double[] gain, double[] offset, int bandPixels) {
        static final ColourMatch NONE = new ColourMatch(new double[]{1, 1, 1}, new double[]{0, 0, 0}, 0);
    }

    /** The photo with the face pasted, and what was done: grow and feather used (pixels), the colour correction. */
    public record Result(RgbImage image, double grow, double feather, ColourMatch colour, int changedPixels) {
    }

    /** Fewer seam pixels than this and the statistics mean little: no correction. */
    private static final int MIN_BAND = 64;
    /** Bounds of the contrast correction (see {@link #measure}). */
    private static final double MIN_GAIN = 0.8;
    private static final double MAX_GAIN = 1.25;

    private PasteBack() {
    }

    /**
     * Pastes {@code edited} (a square of any size: the aligned face the generator made) into {@code photo} where the
     * square {@code map} lies, through the mask of {@code landmarks} (the face's 68 points in the photo).
     */
    public static Result paste(RgbImage photo, RgbImage edited, QuadMap map, double[][] landmarks, Options options) {
        if (edited.width() != edited.height()) {
            throw new IllegalArgumentException("the edited face is " + edited.width() + "x" + edited.height() + ": an aligned face is square");
        }
        double grow = options.growFor(map), feather = options.featherFor(map);
        double side = map.side();
        // the seam band: the feather ramp and a little on each side of it (see measure)
        double band = feather / 2 + Math.max(2, 0.02 * side);
        double reach = Math.max(FaceRegions.Distance.reachFor(grow, feather), Math.abs(grow) + band + 1);
        FaceRegions.Distance field = FaceRegions.distance(landmarks, photo.width(), photo.height(), options.regions(), reach);
        Sampler sampler = new Sampler(edited, map);
        ColourMatch colour = options.matchColour() ? measure(photo, sampler, field, grow, band) : ColourMatch.NONE;

        RgbImage out = new RgbImage(photo.width(), photo.height(), photo.rgb().clone());
        byte[] dst = out.rgb();
        int[] b = map.photoBounds(photo.width(), photo.height());
        double[] rgb = new double[3];
        int changed = 0;
        for (int y = b[1]; y < b[3]; y++) {
            for (int x = b[0]; x < b[2]; x++) {
                double a = field.alpha(x, y, grow, feather);
                if (a <= 0) continue;
                a *= sampler.sample(x, y, rgb);
                if (a <= 0) continue;
                int o = (y * photo.width() + x) * 3;
                boolean touched = false;
                for (int c = 0; c < 3; c++) {
                    double p = dst[o + c] & 0xff;
                    double e = Math.min(255, Math.max(0, colour.gain()[c] * rgb[c] + colour.offset()[c]));
                    int v = (int) Math.min(255, Math.max(0, Math.rint(p + a * (e - p))));
                    touched |= v != (int) p;
                    dst[o + c] = (byte) v;
                }
                if (touched) changed++;
            }
        }
        return new Result(out, grow, feather, colour, changed);
    }

    /**
     * The colour correction, measured in a band around the mask's edge: the pixels whose distance to the grown edge is
     * within {@code band} (the feather ramp and a margin each side), where the square covers them. There both pictures
     * show the same things, neither changed by the edit (an edit changes the inside of the region, the band is its rim),
     * and that is where they meet: a difference in brightness or colour cast between the reconstruction and the photo
     * is what the eye sees as a seam. Per channel, the edit's mean and spread over the band are brought to the photo's
     * (a gain and an offset, applied to the whole pasted face, so the face keeps its own shading). The gain is bounded
     * to [0.8, 1.25]: the spread of a thin band also depends on what it crosses (a hair line against a plain wall), and
     * an unbounded gain would turn that into a contrast change of the whole face, while a GAN's reconstruction differs
     * from the photo in contrast by far less.
     */
    private static ColourMatch measure(RgbImage photo, Sampler sampler, FaceRegions.Distance field, double grow, double band) {
        int[] b = sampler.map.photoBounds(photo.width(), photo.height());
        double[] se = new double[3], sp = new double[3], see = new double[3], spp = new double[3];
        double[] rgb = new double[3];
        int n = 0;
        byte[] src = photo.rgb();
        for (int y = b[1]; y < b[3]; y++) {
            for (int x = b[0]; x < b[2]; x++) {
                if (Math.abs(field.at(x, y) - grow) > band) continue;
                if (sampler.sample(x, y, rgb) < 1) continue;
                int o = (y * photo.width() + x) * 3;
                for (int c = 0; c < 3; c++) {
                    double p = src[o + c] & 0xff;
                    se[c] += rgb[c];
                    see[c] += rgb[c] * rgb[c];
                    sp[c] += p;
                    spp[c] += p * p;
                }
                n++;
            }
        }
        if (n < MIN_BAND) return ColourMatch.NONE;
        double[] gain = new double[3], offset = new double[3];
        for (int c = 0; c < 3; c++) {
            double me = se[c] / n, mp = sp[c] / n;
            double de = Math.sqrt(Math.max(0, see[c] / n - me * me)), dp = Math.sqrt(Math.max(0, spp[c] / n - mp * mp));
            gain[c] = de > 1e-3 ? Math.min(MAX_GAIN, Math.max(MIN_GAIN, dp / de)) : 1;
            offset[c] = mp - gain[c] * me;
        }
        return new ColourMatch(gain, offset, n);
    }

    /** The edited image seen from the photo: bicubic samples at a photo pixel's centre, with the square's coverage. */
    private static final class Sampler {
        final QuadMap map;
        final RgbImage img;
        final int size;
        final double side;
        final double[] wx = new double[4];
        final double[] wy = new double[4];

        Sampler(RgbImage edited, QuadMap map) {
            this.map = map;
            this.side = map.side();
            int target = (int) Math.ceil(side);
            // reduce first when the photo's face is smaller than the edit: bicubic alone would alias
            this.img = edited.width() > target * 1.25 && target >= 1 ? PilResample.resizeLanczos(edited, target, target) : edited;
            this.size = img.width();
        }

        /**
         * The colour at photo pixel (x, y) into {@code rgb}; returns the coverage: 1 inside the square, 0 outside, a
         * ramp two photo pixels wide at its edge (only seen when a mask reaches past the square).
         */
        double sample(int x, int y, double[] rgb) {
            double[] u = map.toUnit(x + 0.5, y + 0.5);
            double inside = Math.min(Math.min(u[0], 1 - u[0]), Math.min(u[1], 1 - u[1]));
            double coverage = Math.min(1, Math.max(0, inside * side / 2 + 0.5));
            if (coverage <= 0) return 0;
            double sx = u[0] * size - 0.5, sy = u[1] * size - 0.5;
            int ix = (int) Math.floor(sx), iy = (int) Math.floor(sy);
            weights(sx - ix, wx);
            weights(sy - iy, wy);
            byte[] p = img.rgb();
            rgb[0] = 0;
            rgb[1] = 0;
            rgb[2] = 0;
            for (int j = 0; j < 4; j++) {
                int yy = Math.min(size - 1, Math.max(0, iy - 1 + j));
                for (int i = 0; i < 4; i++) {
                    int xx = Math.min(size - 1, Math.max(0, ix - 1 + i));
                    double w = wx[i] * wy[j];
                    int o = (yy * size + xx) * 3;
                    rgb[0] += w * (p[o] & 0xff);
                    rgb[1] += w * (p[o + 1] & 0xff);
                    rgb[2] += w * (p[o + 2] & 0xff);
                }
            }
            return coverage;
        }

        /** Keys' cubic convolution weights (a = −0.5) for the four taps around a fractional position t ∈ [0, 1). */
        private static void weights(double t, double[] w) {
            final double a = -0.5;
            double t1 = 1 + t, t2 = t, t3 = 1 - t, t4 = 2 - t;
            w[0] = a * (t1 * t1 * t1 - 5 * t1 * t1 + 8 * t1 - 4);
            w[1] = (a + 2) * t2 * t2 * t2 - (a + 3) * t2 * t2 + 1;
            w[2] = (a + 2) * t3 * t3 * t3 - (a + 3) * t3 * t3 + 1;
            w[3] = a * (t4 * t4 * t4 - 5 * t4 * t4 + 8 * t4 - 4);
        }
    }
}
