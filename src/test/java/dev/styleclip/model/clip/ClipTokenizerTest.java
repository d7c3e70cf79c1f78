package dev.styleclip.model.clip;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokenizer behaviour beyond the golden prompts. Expected ids come from running OpenAI's tokenizer. */
class ClipTokenizerTest {
    private final ClipTokenizer tok = ClipTokenizer.standard();

    /** Expected ids from OpenAI's tokenizer with ftfy.fix_text = NFC (texts the real ftfy leaves alone). */
    @Test
    void matchesTheReferenceOnTrickyText() {
        String[][] cases = {
                {"DON'T STOP", "847,713,1691"},
                {"IT'S", "585,568"},
                {"\u017fome '\u017f text", "129,123,5832,6,129,379,4160"},
                {"x\u00a0\u00a0y", "343,344"},
                {"a\u2003b\u3000c", "320,321,322"},
                {"&amp;amp;", "261"},
                {"&notit; &not &noti", "126,361,585,282,126,361,126,361,328"},
                {"&#x27;quote&#39;", "262,4020,262"},
                {"&#128512;", "7334"},
                {"&#0;x", "39802,343"},
                {"&#150;", "1224"},
                {"&AMP; &Amp; &lt &LT", "261,261,6259,282,283,283"},
                {"\u00df stra\u00dfe", "127,509,1894,127,253,324"},
                {"\u03a3\u0391\u03a3 \u039f\u0394\u039f\u03a3", "139,225,138,109,139,480,138,123,138,112,138,123,139,480"},
                {"\u0130I \u0131", "328,16384,328,41901"},
                {"\u0661\u0662\u0663 digits \u00b2\u00b3 \u2153 \u216b", "149,350,149,351,149,352,31710,41175,126,367,158,227,497,158,227,375"},
                {"\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67 family \ud83c\uddeb\ud83c\uddf7", "25023,26304,964,356,1315,16223"},
                {"a<|endoftext|>b", "320,49407,321"},
                {"hello\tworld\r\nnew", "3306,1002,686"},
                {"i'm you're we've they'll she'd", "328,880,592,982,649,1200,889,1342,1043,1896"},
                {"\u200bzero\u200bwidth", "9844,5848,9844,23571"},
                {"C++ & C#", "322,19056,261,322,258"},
        };
        for (String[] c : cases) {
            int[] expected = Arrays.stream(c[1].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(expected, tok.encode(c[0]), c[0]);
        }
    }

    /** Expected ids from OpenAI's tokenizer with the real ftfy (6.3) instead of the NFC shim. */
    @Test
    void matchesTheReferenceWithRealFtfy() {
        String[][] cases = {
                {"a\u0085b \u0091x\u0092", "320,959,321,262,343,262"},
                {"don\u02bct", "847,713"},
                {"&amp;amp;amp;amp;amp;", "261"},
                {"&amp;amp;amp;\n<b> &amp;amp;amp;", "261,283,321,285,261,6259,282"},
                {"P&EACUTE;REZ &NTILDE; &AMP;", "43167,15192,127,365,261"},
                {"\u001b[31mred\u001b[0m", "736"},
                {"\u201chere\u2019s\u201d", "257,763,568,257"},
                {"\ufb03 \ufb05 \u0149", "1021,328,129,123,339,262,333"},
                {"\uff76\uff80\uff76\uff85 \uff8a\uff9f", "37367,34941,37367,2429,488,2429,495"},
                {"\ufeffbom\u206a", "19469"},
                {"a\rb\r\nc\u2028d", "320,321,322,323"},
                {"&#x2019;s &#8220;q&#8221;", "568,257,336,257"},
                {"&#150;&#x96;", "21070,1224"},
                {"x\u0080y\u0081z", "343,6309,344,126,479,345"},
                {"&lt;3 &amp;&lt;", "283,274,5,283"},
                {"caf\u00e9 <3 &amp;amp;", "15304,283,274,261"},
                {"1\u00a0000", "272,271,271,271"},
                {"&nbsp&nbsp", ""},
                {"\u0000\u0001\u0002tab", "14724"},
                {"a\u0085b", "320,959,321"},
                {"\ufb01ne", "3797"},
                {"tab\u000bvt\fff", "2648,10291,1304"},
                {"\u01c4 \u01c5", "67,129,378,67,129,378"},
                {"\uff57\uff49\uff44\uff45", "3184"},
        };
        for (String[] c : cases) {
            int[] expected = c[1].isEmpty() ? new int[0] : Arrays.stream(c[1].split(",")).mapToInt(Integer::parseInt).toArray();
            assertArrayEquals(expected, tok.encode(c[0]), c[0]);
        }
    }

    @Test
    void emulatesFtfysCharacterFixes() {
        assertEquals("fine", ClipTokenizer.clean("\ufb01ne"));
        assertEquals("abc 12", ClipTokenizer.clean("\uff21\uff22\uff23\u3000\uff11\uff12"));
        assertEquals("\"quoted\" 'single'", ClipTokenizer.clean("\u201cquoted\u201d \u2018single\u2019"));
        assertEquals("ab", ClipTokenizer.clean("a\u0000\u0007\u001b[31mb"));
        assertEquals("lj dž", ClipTokenizer.clean("\u01c8 \u01c5"));
        assertEquals("€5", ClipTokenizer.clean("\u00805"));
        // ftfy unescapes once more when there is no '<' (three levels of escaping in total)
        assertEquals("&", ClipTokenizer.clean("&amp;amp;amp;"));
        assertEquals("a <b> &amp;", ClipTokenizer.clean("a <b> &amp;amp;amp;"));
        // ftfy repeats its fixes until nothing changes, line by line; '<' stops its unescaping from that line on
        assertEquals("&", ClipTokenizer.clean("&amp;amp;amp;amp;amp;amp;"));
        assertEquals("& <b> &amp;", ClipTokenizer.clean("&amp;amp;amp;\n<b> &amp;amp;amp;"));
        // C1 controls are Windows-1252 (U+0085 is an ellipsis, not a line break), then quotes are uncurled
        assertEquals("a…b 'x'", ClipTokenizer.clean("a\u0085b \u0091x\u0092"));
        assertEquals("don't", ClipTokenizer.clean("don\u02bct"));
        assertEquals("\u00acit; x", ClipTokenizer.clean("&amp;notit; x")); // html.unescape: longest prefix "not"
    }

    @Test
    void padsTruncatesAndKeepsTheEndToken() {
        int[] t = tok.tokenize("a photo of a cat", 77);
        assertEquals(77, t.length);
        assertEquals(tok.sot(), t[0]);
        int end = -1;
        for (int i = 0; i < t.length; i++) if (t[i] == tok.eot()) end = i;
        assertTrue(end > 1);
        for (int i = end + 1; i < t.length; i++) assertEquals(0, t[i]);
        int[] longText = tok.tokenize("word ".repeat(200), 77);
        assertEquals(tok.eot(), longText[76]);
        for (int i = 1; i < 76; i++) assertTrue(longText[i] != 0 && longText[i] != tok.eot());
        int[] exact = tok.tokenize("a ".repeat(75), 77); // 75 ids + sot + eot = 77: no truncation
        assertEquals(tok.eot(), exact[76]);
        assertEquals(tok.encode("a")[0], exact[75]);
        assertEquals(" a photo of a cat ", tok.decode(tok.tokenize("A Photo of a CAT", 77)).replace("<|startoftext|>", " ")
                .replace("<|endoftext|>", ""));
        assertEquals(2, tok.tokenize(List.of("x", "y"), 77).length);
    }

    @Test
    void rejectsEmptyPrompts() {
        for (String p : new String[]{null, "", "   ", "\t\n", "\u3000", "&nbsp;"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClipTokenizer.requirePrompt(p),
                    String.valueOf(p));
            assertTrue(e.getMessage().contains("empty"), e.getMessage());
        }
        assertEquals("x", ClipTokenizer.requirePrompt("x"));
        // the tokenizer itself still accepts them (as clip.tokenize does)
        int[] empty = tok.tokenize("", 77);
        assertEquals(tok.sot(), empty[0]);
        assertEquals(tok.eot(), empty[1]);
    }

    @Test
    void vocabularyHasClipsSize() {
        assertEquals(49408, tok.vocabSize());
        assertEquals(49406, tok.sot());
        assertEquals(49407, tok.eot());
    }
}
