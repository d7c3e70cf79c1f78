package dev.styleclip.cli.common;

import java.util.Arrays;
import java.util.List;

/** The plain-text tables the commands print (benchmarks, scores): columns aligned, numbers to the right. */
public final class TextTable {
    private TextTable() {
    }

    /** Formats rows as an aligned plain-text table; the first row is the header. */
    public static String format(List<String[]> rows) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] w = new int[cols];
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < rows.size(); k++) {
            String[] r = rows.get(k);
            for (int i = 0; i < r.length; i++) {
                if (i > 0) sb.append("  ");
                sb.append(i == 0 ? pad(r[i], w[i], false) : pad(r[i], w[i], true));
            }
            sb.append('\n');
            if (k == 0) {
                char[] line = new char[Arrays.stream(w).sum() + 2 * (cols - 1)];
                Arrays.fill(line, '-');
                sb.append(line).append('\n');
            }
        }
        return sb.toString();
    }

    private static String pad(String s, int n, boolean right) {
        if (s.length() >= n) return s;
        String sp = " ".repeat(n - s.length());
        return right ? sp + s : s + sp;
    }
}
