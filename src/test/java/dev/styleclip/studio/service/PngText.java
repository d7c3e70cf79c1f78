package dev.styleclip.studio.service;

import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.stream.ImageInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads back what the studio's exports embed: the tEXt and iTXt chunks of a PNG (the tests check the settings travel along). */
public final class PngText {
    private PngText() {
    }

    /** The text entries of a PNG (tEXt, then iTXt), in file order. */
    public static Map<String, String> read(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> it = ImageIO.getImageReaders(in);
            if (!it.hasNext()) throw new IOException(file + " is not a picture");
            ImageReader r = it.next();
            try {
                r.setInput(in);
                IIOMetadata meta = r.getImageMetadata(0);
                Node root = meta.getAsTree("javax_imageio_png_1.0");
                for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                    boolean international = n.getNodeName().equals("iTXt");
                    if (!international && !n.getNodeName().equals("tEXt")) continue;
                    for (Node e = n.getFirstChild(); e != null; e = e.getNextSibling()) {
                        NamedNodeMap a = e.getAttributes();
                        out.put(a.getNamedItem("keyword").getNodeValue(), a.getNamedItem(international ? "text" : "value").getNodeValue());
                    }
                }
            } finally {
                r.dispose();
            }
        }
        return out;
    }
}
