package dev.styleclip.model.stylegan3;

/**
 * The 3×3 image transforms of StyleGAN3's input layer, in gen_images.py's conventions: the synthesis input takes the
 * INVERSE of the wanted image transform ({@link StyleGan3Generator.Options#transform}).
 */
public final class InputTransform {
    private InputTransform() {
    }

    /** gen_images.py's make_transform(translate, angle in degrees): rotation and translation of the image. */
    public static double[][] make(double tx, double ty, double angleDeg) {
        double s = Math.sin(angleDeg / 360.0 * Math.PI * 2);
        double c = Math.cos(angleDeg / 360.0 * Math.PI * 2);
        return new double[][]{{c, s, tx}, {-s, c, ty}, {0, 0, 1}};
    }

    /** The identity 3×3. */
    public static double[][] identity() {
        return new double[][]{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    }

    /** Inverse of a 3×3 matrix (cofactors; float64). */
    public static double[][] inverse(double[][] a) {
        double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1])
                - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
        if (det == 0) throw new IllegalArgumentException("transform is singular");
        double[][] r = new double[3][3];
        r[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
        r[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
        r[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
        r[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
        r[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
        r[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
        r[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
        r[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
        r[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
        return r;
    }
}
