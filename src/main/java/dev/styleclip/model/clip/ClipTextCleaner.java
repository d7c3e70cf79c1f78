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
 * settings (HTML entity unescaping when the text has no {@code <}, terminal escape removal, C1 controls read as
 * Windows-1252, Latin ligatures, full-/half-width forms, curly quotes, line breaks, control character removal, NFC).
 * ftfy's mojibake repair ({@code fix_encoding}) is not emulated: text that is UTF-8 mis-decoded as Latin-1/Windows-1252
 * stays as it is. For text without such defects the result equals the real ftfy's.
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

    /** The emulation of {@code ftfy.fix_text} with default settings (see the class comment for what is left out). */
    public static String fixText(String text) {
        String t = text;
        if (t.indexOf('<') < 0) t = ftfyUnescapeHtml(t);
        t = ANSI_ESCAPE.matcher(t).replaceAll("");
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); ) {
            int cp = t.codePointAt(i);
            i += Character.charCount(cp);
            // fix_line_breaks: \r\n, \r, U+2028, U+2029, U+0085 -> \n
            if (cp == '\r') {
                if (i < t.length() && t.charAt(i) == '\n') i++;
                sb.append('\n');
                continue;
            }
            if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) {
                sb.append('\n');
                continue;
            }
            // fix_c1_controls: C1 control characters are Windows-1252 bytes decoded as Latin-1
            if (cp >= 0x80 && cp <= 0x9f) {
                sb.append(windows1252(cp));
                continue;
            }
            // remove_control_chars
            if (isFtfyControl(cp)) continue;
            // uncurl_quotes
            if (cp >= 0x2018 && cp <= 0x201b) {
                sb.append('\'');
                continue;
            }
            if (cp >= 0x201c && cp <= 0x201f) {
                sb.append('"');
                continue;
            }
            String lig = ligature(cp);
            if (lig != null) {
                sb.append(lig);
                continue;
            }
            // fix_character_width: NFKC of full-width / half-width forms and the ideographic space
            if (cp == 0x3000 || (cp >= 0xff01 && cp <= 0xffee)) {
                String s = new String(Character.toChars(cp));
                sb.append(Normalizer.normalize(s, Normalizer.Form.NFKC));
                continue;
            }
            sb.appendCodePoint(cp);
        }
        return Normalizer.normalize(sb.toString(), Normalizer.Form.NFC);
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
