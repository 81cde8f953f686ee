package dev.dockhand.agent.catalog;

/**
 * How many nodes of a role a cluster may have: {@code N} exactly, {@code N+} at least N.
 * Written like the workbench: {@code 1+}, {@code 0+}, {@code 3}.
 */
public record Cardinality(int min, boolean orMore) {

    public Cardinality {
        if (min < 0) {
            throw new IllegalArgumentException("cardinality must not be negative: " + min);
        }
    }

    public static Cardinality parse(String text) {
        String t = text == null ? "" : text.trim();
        boolean more = t.endsWith("+");
        String digits = more ? t.substring(0, t.length() - 1) : t;
        if (!digits.matches("[0-9]{1,4}")) {
            throw new IllegalArgumentException(
                    "cardinality '" + text + "' is not N or N+ (for example 1+, 0+, 3)");
        }
        return new Cardinality(Integer.parseInt(digits), more);
    }

    public boolean allows(int count) {
        return orMore ? count >= min : count == min;
    }

    @Override
    public String toString() {
        return min + (orMore ? "+" : "");
    }
}
