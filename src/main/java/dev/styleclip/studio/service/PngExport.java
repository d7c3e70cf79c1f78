package dev.styleclip.studio.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.styleclip.io.AtomicFiles;
import dev.styleclip.runtime.Pixels;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * PNG export: pictures with the settings embedded as PNG {@code tEXt} chunks (javax.imageio's
 * {@code javax_imageio_png_1.0} metadata), a JSON sidecar beside them ({@code name.png.json}), side-by-side before/after
 * pictures and labelled grids. Files are written atomically.
 */
public final class PngExport {
    private static final String FORMAT = "javax_imageio_png_1.0";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PngExport() {
    }

    public static BufferedImage toImage(Pixels p) {
        BufferedImage img = new BufferedImage(p.width(), p.height(), BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, p.width(), p.height(), p.argb(), 0, p.width());
        return img;
    }

    /** Writes a PNG with one text chunk per entry (tEXt, or iTXt for text beyond Latin-1; keywords of 1–79 Latin-1 characters) and its JSON sidecar. */
    public static void write(Path file, BufferedImage image, Map<String, String> text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        AtomicFiles.write(file, os -> {
            ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(os)) {
                writer.setOutput(ios);
                ImageWriteParam param = writer.getDefaultWriteParam();
                IIOMetadata meta = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
                IIOMetadataNode root = new IIOMetadataNode(FORMAT);
                IIOMetadataNode tText = new IIOMetadataNode("tEXt");
                IIOMetadataNode iText = new IIOMetadataNode("iTXt");
                for (Map.Entry<String, String> e : text.entrySet()) {
                    // tEXt holds Latin-1 only: a value with “quotes”, λ, α or β goes into an iTXt chunk (UTF-8)
                    if (isLatin1(e.getValue())) {
                        IIOMetadataNode entry = new IIOMetadataNode("tEXtEntry");
                        entry.setAttribute("keyword", keyword(e.getKey()));
                        entry.setAttribute("value", e.getValue());
                        tText.appendChild(entry);
                    } else {
                        IIOMetadataNode entry = new IIOMetadataNode("iTXtEntry");
                        entry.setAttribute("keyword", keyword(e.getKey()));
                        entry.setAttribute("compressionFlag", "FALSE");
                        entry.setAttribute("compressionMethod", "0");
                        entry.setAttribute("languageTag", "");
                        entry.setAttribute("translatedKeyword", "");
                        entry.setAttribute("text", e.getValue());
                        iText.appendChild(entry);
                    }
                }
                if (tText.hasChildNodes()) root.appendChild(tText);
                if (iText.hasChildNodes()) root.appendChild(iText);
                meta.mergeTree(FORMAT, root);
                writer.write(null, new IIOImage(image, null, meta), param);
            } finally {
                writer.dispose();
            }
        });
        AtomicFiles.writeString(sidecar(file), JSON.writeValueAsString(text));
    }

    /** The JSON sidecar of an exported picture. */
    public static Path sidecar(Path png) {
        return png.resolveSibling(png.getFileName() + ".json");
    }

    private static String keyword(String k) {
        String s = k.replaceAll("[^\\x20-\\x7e]", "_").strip();
        if (s.isEmpty()) s = "key";
        return s.length() > 79 ? s.substring(0, 79) : s;
    }

    private static boolean isLatin1(String v) {
        return v.chars().allMatch(c -> c < 256);
    }


    /** Before and after side by side, each captioned. */
    public static BufferedImage beforeAfter(Pixels before, Pixels after, String beforeLabel, String afterLabel) {
        return grid(List.of(List.of(new Cell(before, beforeLabel), new Cell(after, afterLabel))), List.of(), List.of(), null);
    }

    /** One labelled cell of a grid (null pixels: an empty cell). */
    public record Cell(Pixels image, String caption) {
    }

    /**
     * A labelled grid: rows of cells, optional row labels at the left, column labels on top and a title (its first
     * line bold, further lines — separated by '\n' — plain). Cells are drawn at the size of the largest picture.
     */
    public static BufferedImage grid(List<List<Cell>> rows, List<String> rowLabels, List<String> colLabels, String title) {
        int cell = 64;
        int cols = 0;
        for (List<Cell> r : rows) {
            cols = Math.max(cols, r.size());
            for (Cell c : r) if (c.image() != null) cell = Math.max(cell, Math.max(c.image().width(), c.image().height()));
        }
        cell = Math.max(cell, 128);
        int pad = 8, caption = 18, font = 13;
        String[] titleLines = title == null ? new String[0] : title.split("\n");
        // the row labels' column is as wide as the widest label (prompt variants are long), up to a limit
        Graphics2D scratch = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int labelWidth;
        try {
            FontMetrics measure = scratch.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, font));
            labelWidth = rowLabels.stream().mapToInt(measure::stringWidth).max().orElse(0);
        } finally {
            scratch.dispose();
        }
        int left = rowLabels.isEmpty() ? pad : Math.min(420, Math.max(110, labelWidth + 2 * pad));
        int top = titleLines.length * 22 + (titleLines.length > 0 ? 4 : 0) + (colLabels.isEmpty() ? pad : 26);
        int w = left + cols * (cell + pad), h = top + rows.size() * (cell + caption + pad);
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, w, h);
            g.setColor(new Color(0x222222));
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, font + 2));
            for (int i = 0; i < titleLines.length; i++) {
                if (i == 1) g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, font));
                g.drawString(fit(titleLines[i], g.getFontMetrics(), w - 2 * pad), pad, 20 + 22 * i);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, font));
            FontMetrics fm = g.getFontMetrics();
            int y0 = titleLines.length * 22 + (titleLines.length > 0 ? 4 : 0);
            for (int c = 0; c < colLabels.size() && c < cols; c++) {
                g.drawString(fit(colLabels.get(c), fm, cell), left + c * (cell + pad), y0 + 18);
            }
            for (int r = 0; r < rows.size(); r++) {
                int y = top + r * (cell + caption + pad);
                if (r < rowLabels.size()) g.drawString(fit(rowLabels.get(r), fm, left - pad), pad, y + cell / 2);
                List<Cell> row = rows.get(r);
                for (int c = 0; c < row.size(); c++) {
                    int x = left + c * (cell + pad);
                    Cell cl = row.get(c);
                    if (cl.image() != null) {
                        g.drawImage(toImage(cl.image()), x, y, cell, cell, null);
                    } else {
                        g.setColor(new Color(0xeeeeee));
                        g.fillRect(x, y, cell, cell);
                        g.setColor(new Color(0x999999));
                        g.setStroke(new BasicStroke(1));
                        g.drawRect(x, y, cell - 1, cell - 1);
                        g.setColor(new Color(0x222222));
                    }
                    if (cl.caption() != null) g.drawString(fit(cl.caption(), fm, cell), x, y + cell + 14);
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) return s;
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > width) t = t.substring(0, t.length() - 1);
        return t + "…";
    }
}
