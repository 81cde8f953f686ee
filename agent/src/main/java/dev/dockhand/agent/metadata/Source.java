package dev.dockhand.agent.metadata;

/**
 * Where a value came from, for error messages and {@code agent render --explain}.
 *
 * @param kind flag, env, metadata file, derived or default
 * @param detail the flag, variable, file (and JSON path) or derivation
 */
public record Source(Kind kind, String detail) {

    public enum Kind { FLAG, ENV, METADATA_FILE, DERIVED, DEFAULT }

    public static Source flag(String name) { return new Source(Kind.FLAG, name); }
    public static Source env(String var) { return new Source(Kind.ENV, var); }
    /** @param where as {@code JsonTree.where} says it: {@code metadata file /m.json:3 self} */
    public static Source file(String where) { return new Source(Kind.METADATA_FILE, where); }
    public static Source derived(String how) { return new Source(Kind.DERIVED, how); }
    public static Source byDefault(String what) { return new Source(Kind.DEFAULT, what); }

    @Override
    public String toString() {
        return switch (kind) {
            case FLAG -> "flag " + detail;
            case ENV -> "env " + detail;
            case METADATA_FILE -> detail; // the file's own "metadata file PATH:LINE path"
            case DERIVED -> "derived: " + detail;
            case DEFAULT -> "default: " + detail;
        };
    }
}
