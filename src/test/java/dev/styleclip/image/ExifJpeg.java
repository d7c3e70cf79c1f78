package dev.styleclip.image;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Test helper: JPEG files that carry an EXIF orientation, as cameras write them. */
public final class ExifJpeg {
    private ExifJpeg() {
    }

    /** A JPEG with an EXIF APP1 segment carrying the orientation tag, inserted after the JFIF APP0. */
    public static byte[] withOrientation(byte[] jpeg, int orientation) throws IOException {
        ByteArrayOutputStream tiff = new ByteArrayOutputStream();
        DataOutputStream t = new DataOutputStream(tiff);
        t.write("MM".getBytes(StandardCharsets.US_ASCII));
        t.writeShort(42);
        t.writeInt(8);
        t.writeShort(1);            // one entry
        t.writeShort(0x0112);       // Orientation
        t.writeShort(3);            // SHORT
        t.writeInt(1);
        t.writeShort(orientation);
        t.writeShort(0);
        t.writeInt(0);              // no next IFD
        byte[] exif = tiff.toByteArray();
        ByteArrayOutputStream app1 = new ByteArrayOutputStream();
        DataOutputStream a = new DataOutputStream(app1);
        a.writeShort(0xFFE1);
        a.writeShort(2 + 6 + exif.length);
        a.write("Exif\0\0".getBytes(StandardCharsets.US_ASCII));
        a.write(exif);
        int at = 2;
        if ((jpeg[2] & 0xff) == 0xFF && (jpeg[3] & 0xff) == 0xE0) at = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, at);
        out.write(app1.toByteArray());
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }
}
