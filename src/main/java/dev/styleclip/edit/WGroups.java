package dev.styleclip.edit;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * StyleCLIP's coarse / medium / fine split of the {@code num_ws} style vectors of a generator.
 *
 * <p>For 16 ws (every StyleGAN3 config; stylegan3-editing's mapper): coarse = ws 0–4, medium = 5–7, fine = 8–15.
 * Other counts: the fine group always starts at ws 8 when there are more than 8 ws (both reference repos slice
 * {@code ws[:, 8:]} for "fine"); medium is 5–7 up to 16 ws and 4–7 above (StyleCLIP's 18-ws StyleGAN2 split: 0–3, 4–7,
 * 8–17). With 8 ws or fewer the boundaries scale proportionally: coarse ends at {@code round(5·n/16)}, medium at
 * {@code round(8·n/16)}, every group keeping at least one vector when n ≥ 3.
 */
public final class WGroups {
    private WGroups() {
    }

    /** A group of style vectors. */
    public enum Group {
        COARSE, MEDIUM, FINE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code [start, end)} of a group for {@code numWs} vectors. */
    public static int[] range(Group g, int numWs) {
        if (numWs <= 0) throw new IllegalArgumentException("num_ws must be positive, got " + numWs);
        int c = (int) Math.round(5.0 * numWs / 16.0);
        int m = (int) Math.round(8.0 * numWs / 16.0);
        if (numWs > 8) {
            c = numWs <= 16 ? 5 : 4;
            m = 8;
        } else if (numWs >= 3) {
            c = Math.max(1, c);
            m = Math.max(c + 1, Math.min(m, numWs - 1));
        } else {
            c = Math.min(c, numWs);
            m = Math.max(c, Math.min(m, numWs));
        }
        return switch (g) {
            case COARSE -> new int[]{0, c};
            case MEDIUM -> new int[]{c, m};
            case FINE -> new int[]{m, numWs};
        };
    }

    /** Per ws index: whether it belongs to one of the groups. */
    public static boolean[] mask(Set<Group> groups, int numWs) {
        boolean[] free = new boolean[numWs];
        for (Group g : groups) {
            int[] r = range(g, numWs);
            for (int i = r[0]; i < r[1]; i++) free[i] = true;
        }
        return free;
    }

    /** The ws indices of the groups, ascending. */
    public static int[] indices(Set<Group> groups, int numWs) {
        boolean[] m = mask(groups, numWs);
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < numWs; i++) if (m[i]) out.add(i);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Parses "coarse,medium,fine" (any subset, any order, "all" = all three). */
    public static Set<Group> parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("no groups given: use coarse, medium and/or fine");
        EnumSet<Group> out = EnumSet.noneOf(Group.class);
        for (String part : text.split(",")) {
            String p = part.trim().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) continue;
            if (p.equals("all")) {
                out.addAll(EnumSet.allOf(Group.class));
                continue;
            }
            if (p.equals("course")) p = "coarse"; // the reference's spelling in its mapper keys
            try {
                out.add(Group.valueOf(p.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown group '" + part.trim() + "': use coarse, medium and/or fine");
            }
        }
        if (out.isEmpty()) throw new IllegalArgumentException("no groups given: use coarse, medium and/or fine");
        return out;
    }

    /** One switch per group, in {@link Group} order (the levels mapper's three sub-mappers). */
    public static boolean[] flags(Set<Group> groups) {
        boolean[] on = new boolean[Group.values().length];
        for (Group g : groups) on[g.ordinal()] = true;
        return on;
    }

    /** The groups whose switch is on, switches in {@link Group} order. */
    public static Set<Group> of(boolean... on) {
        EnumSet<Group> out = EnumSet.noneOf(Group.class);
        for (Group g : Group.values()) if (g.ordinal() < on.length && on[g.ordinal()]) out.add(g);
        return out;
    }

    /** "coarse,medium,fine" for a set. */
    public static String format(Set<Group> groups) {
        StringBuilder sb = new StringBuilder();
        for (Group g : Group.values()) {
            if (!groups.contains(g)) continue;
            if (sb.length() > 0) sb.append(',');
            sb.append(g.id());
        }
        return sb.toString();
    }
}
