package dev.styleclip.model.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTML character-reference decoding with the semantics of Python's {@code html.unescape} (HTML5 rules): numeric
 * references with the Windows-1252 replacements for 0x80–0x9F, U+FFFD for surrogates / out-of-range / NUL, removal of
 * other invalid code points, named references from the full HTML5 table including the legacy names that may omit the
 * semicolon (longest matching prefix wins).
 */
final class HtmlUnescape {

    private static final Pattern CHARREF = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\\t\\n\\f <&#;]{1,32};?)");

    /** The Windows-1252 replacements (and a few others) that HTML5 prescribes for these numeric references. */
    private static final Map<Integer, String> INVALID_CHARREFS = new HashMap<>();
    private static volatile Map<String, String> entities;

    static {
        int[][] table = {
                {0x00, 0xfffd}, {0x0d, 0x0d}, {0x80, 0x20ac}, {0x81, 0x81}, {0x82, 0x201a}, {0x83, 0x0192},
                {0x84, 0x201e}, {0x85, 0x2026}, {0x86, 0x2020}, {0x87, 0x2021}, {0x88, 0x02c6}, {0x89, 0x2030},
                {0x8a, 0x0160}, {0x8b, 0x2039}, {0x8c, 0x0152}, {0x8d, 0x8d}, {0x8e, 0x017d}, {0x8f, 0x8f},
                {0x90, 0x90}, {0x91, 0x2018}, {0x92, 0x2019}, {0x93, 0x201c}, {0x94, 0x201d}, {0x95, 0x2022},
                {0x96, 0x2013}, {0x97, 0x2014}, {0x98, 0x02dc}, {0x99, 0x2122}, {0x9a, 0x0161}, {0x9b, 0x203a},
                {0x9c, 0x0153}, {0x9d, 0x9d}, {0x9e, 0x017e}, {0x9f, 0x0178}};
        for (int[] e : table) INVALID_CHARREFS.put(e[0], new String(Character.toChars(e[1])));
    }

    private HtmlUnescape() {
    }

    /** Decodes all character references in {@code s} once (like {@code html.unescape}). */
    static String unescape(String s) {
        if (s.indexOf('&') < 0) return s;
        Matcher m = CHARREF.matcher(s);
        StringBuilder sb = new StringBuilder(s.length());
        int last = 0;
        while (m.find()) {
            sb.append(s, last, m.start());
            sb.append(replace(m.group(1)));
            last = m.end();
        }
        sb.append(s, last, s.length());
        return sb.toString();
    }

    /** Whether {@code name} (with or without its trailing ';') is an HTML5 named reference. */
    static boolean isNamedEntity(String name) {
        return table().containsKey(name);
    }

    /** The expansion of a named reference (e.g. {@code "amp;"}), or null. */
    static String named(String name) {
        return table().get(name);
    }

    private static String replace(String ref) {
        if (ref.charAt(0) == '#') {
            boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
            String digits = ref.substring(hex ? 2 : 1);
            if (digits.endsWith(";")) digits = digits.substring(0, digits.length() - 1);
            long num = parseCapped(digits, hex ? 16 : 10);
            String inv = num <= Integer.MAX_VALUE ? INVALID_CHARREFS.get((int) num) : null;
            if (inv != null) return inv;
            if ((num >= 0xD800 && num <= 0xDFFF) || num > 0x10FFFF) return "\uFFFD";
            int cp = (int) num;
            if (isInvalidCodepoint(cp)) return "";
            return new String(Character.toChars(cp));
        }
        Map<String, String> t = table();
        String v = t.get(ref);
        if (v != null) return v;
        for (int x = ref.length() - 1; x > 1; x--) {
            String p = t.get(ref.substring(0, x));
            if (p != null) return p + ref.substring(x);
        }
        return "&" + ref;
    }

    /** Parses a non-negative number, saturating at a value above 0x10FFFF for very long digit strings. */
    private static long parseCapped(String digits, int radix) {
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            v = v * radix + Character.digit(digits.charAt(i), radix);
            if (v > 0x7fffffffL) return 0x7fffffffL;
        }
        return v;
    }

    private static boolean isInvalidCodepoint(int cp) {
        if ((cp >= 0x1 && cp <= 0x8) || (cp >= 0xe && cp <= 0x1f) || (cp >= 0x7f && cp <= 0x9f)
                || (cp >= 0xfdd0 && cp <= 0xfdef) || cp == 0xb) {
            return true;
        }
        return (cp & 0xfffe) == 0xfffe; // U+FFFE, U+FFFF, U+1FFFE, ..., U+10FFFF
    }

    private static Map<String, String> table() {
        Map<String, String> t = entities;
        if (t == null) {
            synchronized (HtmlUnescape.class) {
                t = entities;
                if (t == null) {
                    t = load();
                    entities = t;
                }
            }
        }
        return t;
    }

    private static Map<String, String> load() {
        Map<String, String> map = new HashMap<>(4096);
        try (InputStream in = HtmlUnescape.class.getResourceAsStream("html5-entities.txt")) {
            if (in == null) throw new IllegalStateException("resource html5-entities.txt is missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) continue;
                int tab = line.indexOf('\t');
                StringBuilder sb = new StringBuilder();
                for (String hex : line.substring(tab + 1).split(" ")) sb.appendCodePoint(Integer.parseInt(hex, 16));
                map.put(line.substring(0, tab), sb.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return map;
    }
}
