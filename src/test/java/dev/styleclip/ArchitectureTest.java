package dev.styleclip;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/architecture.md}'s package table is the rule: every reference from main code in one package to another
 * (imports, fully qualified names, javadoc links) must be to a package its row names, in a row above its own. A new
 * arrow against the documented direction fails here until the table (and so the design) says otherwise.
 */
class ArchitectureTest {

    private static final Path DOC = Path.of("docs", "architecture.md");
    private static final Path MAIN = Path.of("src", "main", "java", "dev", "styleclip");
    private static final Pattern TOKEN = Pattern.compile("`([^`]+)`");
    private static final Pattern REFERENCE = Pattern.compile("dev\\.styleclip\\.([a-z][a-z0-9_]*(?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");

    /** One row of the table: the packages it holds and the packages they may use. */
    private record Row(int index, List<String> packages, List<String> uses) {
    }

    private static List<Row> table() throws Exception {
        List<Row> rows = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(DOC)) {
            if (line.startsWith("## Packages")) in = true;
            else if (in && line.startsWith("## ")) break;
            if (!in || !line.startsWith("| `")) continue;
            String[] cols = line.split(" \\| ");
            rows.add(new Row(rows.size(), tokens(cols[0]), tokens(cols[cols.length - 1])));
        }
        assertTrue(rows.size() >= 8, "the package table was not found in " + DOC);
        return rows;
    }

    private static List<String> tokens(String column) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(column);
        while (m.find()) out.add(m.group(1));
        return out;
    }

    /** The row holding a package: its own name, else the longest row name it lies under ({@code edit} holds {@code edit.optim}). */
    private static Row rowOf(List<Row> rows, String pkg) {
        Row best = null;
        int bestLength = -1;
        for (Row r : rows) {
            for (String p : r.packages()) {
                if ((pkg.equals(p) || pkg.startsWith(p + ".")) && p.length() > bestLength) {
                    best = r;
                    bestLength = p.length();
                }
            }
        }
        return best;
    }

    private static boolean names(Row from, String target) {
        for (String u : from.uses()) {
            if (u.endsWith(".*") ? target.startsWith(u.substring(0, u.length() - 1)) : target.equals(u) || target.startsWith(u + ".")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void everyReferenceFollowsTheDocumentedDirection() throws Exception {
        List<Row> rows = table();
        Set<String> violations = new TreeSet<>();
        Set<String> unlisted = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> s = Files.walk(MAIN)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.size() > 100, "main sources found under " + MAIN);
        for (Path f : sources) {
            String rel = MAIN.relativize(f.getParent() == null ? f : f.getParent()).toString().replace('/', '.');
            String pkg = rel.isEmpty() ? "(root)" : rel;
            Row own = rowOf(rows, pkg);
            if (own == null) {
                unlisted.add(pkg);
                continue;
            }
            Set<String> targets = new LinkedHashSet<>();
            Matcher m = REFERENCE.matcher(Files.readString(f));
            while (m.find()) targets.add(m.group(1));
            for (String t : targets) {
                Row target = rowOf(rows, t);
                if (target == null) {
                    unlisted.add(t);
                } else if (target != own && (target.index() > own.index() || !names(own, t))) {
                    violations.add(pkg + " -> " + t + " (" + f.getFileName() + ")");
                }
            }
        }
        assertEquals(Set.of(), unlisted, "packages without a row in " + DOC);
        assertEquals(Set.of(), violations, "references against " + DOC + "'s package table");
    }

    /** No two packages use each other, within a row too ({@code runtime} and {@code runtime.models}, {@code edit} and its sub-packages). */
    @Test
    void noTwoPackagesUseEachOther() throws Exception {
        java.util.Map<String, Set<String>> uses = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(MAIN)) {
            for (Path f : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = MAIN.relativize(f.getParent()).toString().replace('/', '.');
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) uses.computeIfAbsent(pkg, k -> new TreeSet<>()).add(m.group(1));
                }
            }
        }
        Set<String> mutual = new TreeSet<>();
        uses.forEach((a, targets) -> targets.forEach(b -> {
            if (a.compareTo(b) < 0 && uses.getOrDefault(b, Set.of()).contains(a)) mutual.add(a + " <-> " + b);
        }));
        assertEquals(Set.of(), mutual);
    }

    /** The table's own order holds: no row names a row below it (so the rule above cannot hide a cycle). */
    @Test
    void theTableOnlyPointsUp() throws Exception {
        List<Row> rows = table();
        List<String> wrong = new ArrayList<>();
        for (Row r : rows) {
            for (String u : r.uses()) {
                if (u.equals("—")) continue;
                Row target = rowOf(rows, u.endsWith(".*") ? u.substring(0, u.length() - 2) + ".stylegan3" : u);
                if (target == null || target.index() >= r.index()) wrong.add(r.packages() + " uses " + u);
            }
        }
        assertEquals(List.of(), wrong);
    }
}
