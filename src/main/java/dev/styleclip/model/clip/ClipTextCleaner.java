package dev.styleclip.model.clip;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text cleaning of CLIP's tokenizer: {@code ftfy.fix_text} → {@code html.unescape} twice → strip → collapse runs of
 * Unicode whitespace into one space → strip → lower-case.
 *
 * <p>{@code ftfy.fix_text} is emulated by {@link #fixText}: its deterministic, character-level fixes with ftfy's default
 * settings, in its order and repeated to a fixed point as ftfy does (HTML entity unescaping on lines before the first
 * one with a {@code <}, C1 controls read as Windows-1252, Latin ligatures, full-/half-width forms, curly quotes and
 * U+02BC, line breaks, terminal escape removal, control character removal, NFC).
 * ftfy's mojibake repair ({@code fix_encoding}) is not emulated: text that is UTF-8 mis-decoded as Latin-1/Windows-1252
 * stays as it is. For text without such defects the result equals the real ftfy's (checked with ftfy 6.3 through
 * OpenAI's tokenizer, see ClipTokenizerTest).
 */
public final class ClipTextCleaner {

    /** Runs of characters with the Unicode White_Space property (what the {@code regex} module's {@code \s} matches). */
    private static final Pattern WHITESPACE = Pattern.compile("\\p{IsWhite_Space}+");
    private static final Pattern ANSI_ESCAPE = Pattern.compile("\u001b\\[((?:\\d|;)*)([a-zA-Z])");
    /** ftfy's entity pattern: only complete references ending in ';'. */
    private static final Pattern FTFY_ENTITY = Pattern.compile("&#?[0-9A-Za-z]{1,24};");

    private ClipTextCleaner() {
    }

    /** The full cleaning CLIP applies before pre-tokenisation (including the lower-casing). */
    public static String clean(String text) {
        String t = fixText(text);
        t = HtmlUnescape.unescape(HtmlUnescape.unescape(t));
        t = pyStrip(t);
        t = WHITESPACE.matcher(t).replaceAll(" ");
        t = pyStrip(t);
        return t.toLowerCase(Locale.ROOT);
    }

    /**
     * The emulation of {@code ftfy.fix_text} with default settings (see the class comment for what is left out): the
     * text is processed line by line (HTML unescaping is switched off from the first line containing {@code <} on), and
     * each line gets ftfy's fixes in ftfy's order, repeated until nothing changes.
     */
    public static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        boolean unescape = true;
        int pos = 0;
        while (pos < text.length()) {
            int nl = text.indexOf('\n', pos);
            int end = nl < 0 ? text.length() : nl + 1;
            String segment = text.substring(pos, end);
            if (segment.indexOf('<') >= 0) unescape = false;
            out.append(fixSegment(segment, unescape));
            pos = end;
        }
        return out.toString();
    }

    private static String fixSegment(String text, boolean unescape) {
        String t = text;
        while (true) {
            String orig = t;
            if (unescape) t = ftfyUnescapeHtml(t);
            t = mapCodePoints(t);
            t = fixLineBreaks(t);
            t = ANSI_ESCAPE.matcher(t).replaceAll("");
            t = removeControlChars(t);
            t = Normalizer.normalize(t, Normalizer.Form.NFC);
            if (t.equals(orig)) return t;
        }
    }

    /** fix_c1_controls, fix_latin_ligatures, fix_character_width, uncurl_quotes (each a per-character mapping). */
    private static String mapCodePoints(String t) {
        StringBuilder sb = new StringBuilder(t.length());
        // ftfy applies these one after another; they touch disjoint characters and produce none the later ones change,
        // except C1 → Windows-1252, whose results (e.g. U+2018..U+201D) uncurl_quotes then straightens
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            String s = (cp >= 0x80 && cp <= 0x9f) ? windows1252(cp) : new String(Character.toChars(cp));
            for (int k = 0; k < s.length(); ) {
                int c = s.codePointAt(k);
                k += Character.charCount(c);
                String lig = ligature(c);
                if (lig != null) {
                    sb.append(lig);
                } else if (c == 0x3000 || (c >= 0xff01 && c < 0xfff0)) {
                    sb.append(Normalizer.normalize(new String(Character.toChars(c)), Normalizer.Form.NFKC));
                } else if (c == 0x02bc || (c >= 0x2018 && c <= 0x201b)) {
                    sb.append('\'');
                } else if (c >= 0x201c && c <= 0x201f) {
                    sb.append('"');
                } else {
                    sb.appendCodePoint(c);
                }
            }
        }
        return sb.toString();
    }

    /** fix_line_breaks: \r\n, \r, U+2028, U+2029, U+0085 → \n. */
    private static String fixLineBreaks(String t) {
        return t.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n')
                .replace('\u0085', '\n');
    }

    private static String removeControlChars(String t) {
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            if (!isFtfyControl(cp)) sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /** ftfy's {@code unescape_html}: complete named (HTML5) and numeric references only. */
    private static String ftfyUnescapeHtml(String t) {
        if (t.indexOf('&') < 0) return t;
        Matcher m = FTFY_ENTITY.matcher(t);
        StringBuilder sb = new StringBuilder(t.length());
        int last = 0;
        while (m.find()) {
            sb.append(t, last, m.start());
            String ref = m.group();
            String name = ref.substring(1);
            String rep;
            if (HtmlUnescape.isNamedEntity(name)) {
                rep = HtmlUnescape.named(name);
            } else if (HtmlUnescape.isNamedEntity(name.toLowerCase(Locale.ROOT))
                    && name.equals(name.toUpperCase(Locale.ROOT)) && HtmlUnescape.unescape(ref).equals(ref)) {
                // ftfy also accepts all-caps spellings of lower-case entity names that html.unescape leaves alone
                rep = HtmlUnescape.named(name.toLowerCase(Locale.ROOT)).toUpperCase(Locale.ROOT);
            } else if (name.startsWith("#")) {
                String u = HtmlUnescape.unescape(ref);
                rep = u.contains(";") ? ref : u;
            } else {
                rep = ref;
            }
            sb.append(rep);
            last = m.end();
        }
        sb.append(t, last, t.length());
        return sb.toString();
    }

    private static boolean isFtfyControl(int cp) {
        return (cp >= 0x00 && cp <= 0x08) || cp == 0x0b || (cp >= 0x0e && cp <= 0x1f) || cp == 0x7f
                || (cp >= 0x206a && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffc);
    }

    private static String ligature(int cp) {
        switch (cp) {
            case 0x0132: return "IJ";
            case 0x0133: return "ij";
            case 0x0149: return "\u02bcn";
            case 0x01f1: return "DZ";
            case 0x01f2: return "Dz";
            case 0x01f3: return "dz";
            case 0x01c4: return "D\u017d";
            case 0x01c5: return "D\u017e";
            case 0x01c6: return "d\u017e";
            case 0x01c7: return "LJ";
            case 0x01c8: return "Lj";
            case 0x01c9: return "lj";
            case 0x01ca: return "NJ";
            case 0x01cb: return "Nj";
            case 0x01cc: return "nj";
            case 0xfb00: return "ff";
            case 0xfb01: return "fi";
            case 0xfb02: return "fl";
            case 0xfb03: return "ffi";
            case 0xfb04: return "ffl";
            case 0xfb05: return "\u017ft";
            case 0xfb06: return "st";
            default: return null;
        }
    }

    /** Python's {@code str.strip()} with no argument (characters for which {@code str.isspace()} is true). */
    static String pyStrip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && isPySpace(s.charAt(b))) b++;
        while (e > b && isPySpace(s.charAt(e - 1))) e--;
        return s.substring(b, e);
    }

    /** Python's {@code str.isspace()} for one (BMP) character. */
    static boolean isPySpace(char c) {
        return Character.isWhitespace(c) || c == 0x00a0 || c == 0x2007 || c == 0x202f || c == 0x0085;
    }

    /** Windows-1252 decoding of the C1 range as ftfy's "sloppy" codec does it (undefined bytes stay as they are). */
    private static String windows1252(int cp) {
        String s = HtmlUnescape.unescape("&#" + cp + ";");
        return s.isEmpty() ? new String(Character.toChars(cp)) : s;
    }
}
