package dev.styleclip.model.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * OpenAI CLIP's byte-level BPE tokenizer ({@code clip.tokenize} with {@code truncate=True}), reading the original merge
 * list {@code bpe_simple_vocab_16e6.txt.gz} (shipped as a resource, MIT licence, see NOTICE.txt next to it).
 *
 * <p>Steps: {@link ClipTextCleaner#clean} → pre-tokenisation with CLIP's pattern (letter runs, single digits, runs of
 * other non-space characters, ASCII contractions, the two special tokens) → UTF-8 bytes mapped to printable characters
 * (GPT-2's byte table) → BPE merges by rank with {@code </w>} on the last symbol → ids; then
 * {@code [<|startoftext|>] + ids + [<|endoftext|>]}, zero-padded to the context length, truncated keeping the end token.
 * Thread-safe.
 */
public final class ClipTokenizer {

    /** The default context length of all CLIP models. */
    public static final int CONTEXT_LENGTH = 77;
    public static final String SOT_TEXT = "<|startoftext|>";
    public static final String EOT_TEXT = "<|endoftext|>";
    private static final String RESOURCE = "bpe_simple_vocab_16e6.txt.gz";
    /** The number of merges CLIP uses: lines 1 .. 49152-256-2 of the file. */
    private static final int NUM_MERGES = 49152 - 256 - 2;

    private static final Pattern PRE_TOKEN = Pattern.compile(
            "<\\|startoftext\\|>|<\\|endoftext\\|>|(?iu:'s|'t|'re|'ve|'m|'ll|'d)|\\p{L}+|\\p{N}"
                    + "|[^\\p{IsWhite_Space}\\p{L}\\p{N}]+");

    private static volatile ClipTokenizer standard;

    private final String[] byteChars = new String[256];
    private final Map<String, Integer> ranks;
    private final Map<String, Integer> encoder;
    private final String[] decoder;
    private final int sot;
    private final int eot;
    private final Map<String, String[]> cache = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String[]> e) {
            return size() > 20000;
        }
    });

    private ClipTokenizer(List<String[]> merges) {
        int[] table = bytesToUnicode();
        for (int b = 0; b < 256; b++) byteChars[b] = new String(Character.toChars(table[b]));
        ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) ranks.put(pairKey(merges.get(i)[0], merges.get(i)[1]), i);
        List<String> vocab = new ArrayList<>(512 + merges.size() + 2);
        // vocabulary order: byte characters in bytes_to_unicode order (bytes !..~, ¡..¬, ®..ÿ, then the others)
        int[] order = byteOrder();
        for (int b : order) vocab.add(byteChars[b]);
        for (int b : order) vocab.add(byteChars[b] + "</w>");
        for (String[] m : merges) vocab.add(m[0] + m[1]);
        vocab.add(SOT_TEXT);
        vocab.add(EOT_TEXT);
        encoder = new HashMap<>(vocab.size() * 2);
        decoder = vocab.toArray(new String[0]);
        for (int i = 0; i < decoder.length; i++) encoder.put(decoder[i], i);
        sot = encoder.get(SOT_TEXT);
        eot = encoder.get(EOT_TEXT);
        cache.put(SOT_TEXT, new String[]{SOT_TEXT});
        cache.put(EOT_TEXT, new String[]{EOT_TEXT});
    }

    /** The tokenizer over the shipped vocabulary (loaded once). */
    public static ClipTokenizer standard() {
        ClipTokenizer t = standard;
        if (t == null) {
            synchronized (ClipTokenizer.class) {
                t = standard;
                if (t == null) {
                    try (InputStream in = ClipTokenizer.class.getResourceAsStream(RESOURCE)) {
                        if (in == null) throw new IllegalStateException("resource " + RESOURCE + " is missing");
                        t = load(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the CLIP vocabulary: " + e.getMessage(), e);
                    }
                    standard = t;
                }
            }
        }
        return t;
    }

    /** A tokenizer over a gzip-compressed merge list in CLIP's format (first line a version comment). */
    public static ClipTokenizer load(InputStream gz) throws IOException {
        List<String[]> merges = new ArrayList<>(NUM_MERGES);
        BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(gz), StandardCharsets.UTF_8));
        String line = r.readLine(); // "#version: 0.2"
        if (line == null) throw new IOException("the BPE merge list is empty");
        while (merges.size() < NUM_MERGES && (line = r.readLine()) != null) {
            String[] p = line.trim().split(" +");
            if (p.length != 2) throw new IOException("bad BPE merge line " + (merges.size() + 2) + ": " + line);
            merges.add(p);
        }
        if (merges.size() < NUM_MERGES) {
            throw new IOException("the BPE merge list has " + merges.size() + " merges, expected " + NUM_MERGES);
        }
        return new ClipTokenizer(merges);
    }

    /** The id of {@code <|startoftext|>} (49406). */
    public int sot() {
        return sot;
    }

    /** The id of {@code <|endoftext|>} (49407, the largest id). */
    public int eot() {
        return eot;
    }

    /** The vocabulary size (49408). */
    public int vocabSize() {
        return decoder.length;
    }

    /**
     * Checks that a prompt has text left after cleaning. @return the prompt
     * @throws IllegalArgumentException when the prompt is null, empty or only whitespace
     */
    public static String requirePrompt(String prompt) {
        if (prompt == null || ClipTextCleaner.clean(prompt).isEmpty()) {
            throw new IllegalArgumentException("the prompt is empty: write some text describing the edit (e.g. \"a smiling face\")");
        }
        return prompt;
    }

    /** The cleaned text CLIP tokenizes (see {@link ClipTextCleaner#clean}). */
    public static String clean(String text) {
        return ClipTextCleaner.clean(text);
    }

    /** The pre-tokens of already cleaned text. */
    public static List<String> preTokenize(String cleaned) {
        List<String> out = new ArrayList<>();
        Matcher m = PRE_TOKEN.matcher(cleaned);
        while (m.find()) out.add(m.group());
        return out;
    }

    /** The ids of a text without start/end tokens, no length limit. */
    public int[] encode(String text) {
        String cleaned = ClipTextCleaner.clean(text);
        List<Integer> ids = new ArrayList<>();
        for (String tok : preTokenize(cleaned)) {
            for (String piece : bpe(byteEncode(tok))) {
                Integer id = encoder.get(piece);
                if (id == null) throw new IllegalStateException("BPE piece not in the vocabulary: " + piece);
                ids.add(id);
            }
        }
        int[] out = new int[ids.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.get(i);
        return out;
    }

    /** {@code clip.tokenize(text, contextLength, truncate=True)} for one text. */
    public int[] tokenize(String text, int contextLength) {
        if (contextLength < 2) throw new IllegalArgumentException("context length must be at least 2, got " + contextLength);
        int[] ids = encode(text);
        int[] out = new int[contextLength];
        out[0] = sot;
        int n = Math.min(ids.length, contextLength - 2);
        System.arraycopy(ids, 0, out, 1, n);
        if (ids.length + 2 > contextLength) {
            // keep the first contextLength tokens and overwrite the last one with the end token
            System.arraycopy(ids, 0, out, 1, contextLength - 1);
            out[contextLength - 1] = eot;
        } else {
            out[n + 1] = eot;
        }
        return out;
    }

    /** {@code clip.tokenize(texts, contextLength, truncate=True)}: one row per text. */
    public long[][] tokenize(List<String> texts, int contextLength) {
        long[][] out = new long[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            int[] t = tokenize(texts.get(i), contextLength);
            out[i] = new long[contextLength];
            for (int j = 0; j < contextLength; j++) out[i][j] = t[j];
        }
        return out;
    }

    /** Ids back to text (special tokens kept, {@code </w>} as a space, padding zeros after the end token dropped). */
    public String decode(int[] ids) {
        StringBuilder chars = new StringBuilder();
        for (int id : ids) {
            if (id < 0 || id >= decoder.length) throw new IllegalArgumentException("token id out of range: " + id);
            chars.append(decoder[id]);
            if (id == eot) break;
        }
        Map<Integer, Integer> inverse = new HashMap<>();
        for (int b = 0; b < 256; b++) inverse.put(byteChars[b].codePointAt(0), b);
        String s = chars.toString();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); ) {
            if (s.startsWith("</w>", i)) {
                bytes.write(' ');
                i += 4;
                continue;
            }
            if (s.startsWith(SOT_TEXT, i) || s.startsWith(EOT_TEXT, i)) {
                String sp = s.startsWith(SOT_TEXT, i) ? SOT_TEXT : EOT_TEXT;
                bytes.writeBytes(sp.getBytes(StandardCharsets.UTF_8));
                i += sp.length();
                continue;
            }
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            Integer b = inverse.get(cp);
            if (b != null) bytes.write(b);
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    private String byteEncode(String token) {
        if (token.equals(SOT_TEXT) || token.equals(EOT_TEXT)) return token;
        byte[] bytes = token.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) sb.append(byteChars[b & 0xff]);
        return sb.toString();
    }

    /** BPE of one byte-mapped token: the merged symbols, the last one ending in {@code </w>}. */
    private String[] bpe(String token) {
        String[] cached = cache.get(token);
        if (cached != null) return cached;
        List<String> word = new ArrayList<>();
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            word.add(new String(Character.toChars(cp)));
            i += Character.charCount(cp);
        }
        word.set(word.size() - 1, word.get(word.size() - 1) + "</w>");
        while (word.size() > 1) {
            int best = Integer.MAX_VALUE;
            String first = null;
            String second = null;
            for (int i = 0; i + 1 < word.size(); i++) {
                Integer r = ranks.get(pairKey(word.get(i), word.get(i + 1)));
                if (r != null && r < best) {
                    best = r;
                    first = word.get(i);
                    second = word.get(i + 1);
                }
            }
            if (first == null) break;
            List<String> merged = new ArrayList<>(word.size());
            for (int i = 0; i < word.size(); ) {
                if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
                    merged.add(first + second);
                    i += 2;
                } else {
                    merged.add(word.get(i));
                    i++;
                }
            }
            word = merged;
        }
        String[] out = word.toArray(new String[0]);
        cache.put(token, out);
        return out;
    }

    private static String pairKey(String a, String b) {
        return a + ' ' + b;
    }

    /** GPT-2's byte → printable code point table. */
    static int[] bytesToUnicode() {
        int[] table = new int[256];
        boolean[] printable = new boolean[256];
        for (int b = '!'; b <= '~'; b++) printable[b] = true;
        for (int b = 0xa1; b <= 0xac; b++) printable[b] = true;
        for (int b = 0xae; b <= 0xff; b++) printable[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) {
            table[b] = printable[b] ? b : 256 + n++;
        }
        return table;
    }

    /** The bytes in the order of bytes_to_unicode's dict: the printable ones ascending, then the others ascending. */
    private static int[] byteOrder() {
        int[] table = bytesToUnicode();
        int[] order = new int[256];
        int k = 0;
        for (int b = 0; b < 256; b++) if (table[b] == b) order[k++] = b;
        for (int b = 0; b < 256; b++) if (table[b] != b) order[k++] = b;
        return order;
    }
}
