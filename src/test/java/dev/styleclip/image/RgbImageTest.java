package dev.styleclip.image;

import org.junit.jupiter.api.Test;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one image type: its converters, and the alpha and palette information Pillow-exact resampling needs. */
class RgbImageTest {

    @Test
    void packedIntsRoundTrip() {
        int[] packed = {0x102030, 0xffffff, 0x000000, 0xa0b0c0, 0x7f8081, 0x010203};
        RgbImage img = RgbImage.fromPackedRgb(3, 2, packed);
        assertArrayEquals(packed, img.toPackedRgb());
        assertEquals(0xa0b0c0, img.packed(0, 1));
        assertEquals(0xb0, img.get(0, 1, 1));
        assertFalse(img.hasAlpha());
        assertFalse(img.indexed());
        assertEquals(0x123456, RgbImage.fromPackedRgb(1, 1, new int[]{0xff123456}).packed(0, 0), "bits above 24 ignored");
        assertThrows(IllegalArgumentException.class, () -> RgbImage.fromPackedRgb(2, 2, packed));
    }

    @Test
    void alphaMustMatchTheSize() {
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 1, new byte[6], new byte[3], false));
        assertTrue(new RgbImage(2, 1, new byte[6], new byte[2], false).hasAlpha());
    }

    @Test
    void plainDropsAlphaAndPaletteButKeepsTheColours() {
        RgbImage opaque = RgbImage.blank(2, 2);
        assertSame(opaque, opaque.plain());
        byte[] rgb = {1, 2, 3, 4, 5, 6};
        RgbImage withAlpha = new RgbImage(2, 1, rgb, new byte[]{0, (byte) 255}, false);
        RgbImage plain = withAlpha.plain();
        assertNull(plain.alpha());
        assertArrayEquals(rgb, plain.rgb());
        assertFalse(new RgbImage(2, 1, rgb, null, true).plain().indexed());
    }

    @Test
    void cropKeepsAlphaAndPalette() {
        int[] packed = new int[12];
        byte[] alpha = new byte[12];
        for (int i = 0; i < 12; i++) {
            packed[i] = i * 0x010101;
            alpha[i] = (byte) (10 * i);
        }
        RgbImage img = new RgbImage(4, 3, RgbImage.fromPackedRgb(4, 3, packed).rgb(), alpha, false);
        RgbImage c = img.crop(1, 1, 2, 2);
        assertArrayEquals(new int[]{5 * 0x010101, 6 * 0x010101, 9 * 0x010101, 10 * 0x010101}, c.toPackedRgb());
        assertArrayEquals(new byte[]{50, 60, 90, 100}, c.alpha());
        assertTrue(new RgbImage(4, 3, img.rgb(), null, true).crop(0, 0, 1, 1).indexed());
        assertThrows(IllegalArgumentException.class, () -> img.crop(3, 0, 2, 1));
    }

    @Test
    void withAlphaKeepsWhatPillowKeeps() {
        BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
        argb.setRGB(0, 0, 0x00112233);
        argb.setRGB(1, 0, 0x80445566);
        RgbImage a = Images.withAlpha(argb);
        assertArrayEquals(new int[]{0x112233, 0x445566}, a.toPackedRgb(), "colours not composited");
        assertArrayEquals(new byte[]{0, (byte) 0x80}, a.alpha());
        assertFalse(a.indexed());

        IndexColorModel palette = new IndexColorModel(8, 2, new byte[]{10, 20}, new byte[]{30, 40}, new byte[]{50, 60},
                new byte[]{0, (byte) 255});
        BufferedImage pal = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_INDEXED, palette);
        pal.getRaster().setSample(1, 0, 0, 1);
        RgbImage p = Images.withAlpha(pal);
        assertTrue(p.indexed());
        assertNull(p.alpha(), "a palette image is resized by its indices: no alpha");
        assertArrayEquals(new int[]{0x0a1e32, 0x14283c}, p.toPackedRgb());

        ComponentColorModel grey16 = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), new int[]{16},
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster r = grey16.createCompatibleWritableRaster(1, 1);
        r.setSample(0, 0, 0, 0xabff);
        RgbImage g = Images.withAlpha(new BufferedImage(grey16, r, false, null));
        assertEquals(0xababab, g.packed(0, 0), "16-bit grey keeps its high byte, replicated");
        assertFalse(g.hasAlpha());
    }
}
