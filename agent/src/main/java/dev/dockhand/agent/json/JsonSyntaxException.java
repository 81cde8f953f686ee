package dev.dockhand.agent.json;

/**
 * Text that is not JSON, with the line and column (both from 1) of the first character that cannot
 * belong to a JSON text, or of the end of the text when it ends too early. An
 * IllegalArgumentException, so that callers that take any bad argument the same way need no change.
 */
public final class JsonSyntaxException extends IllegalArgumentException {
    private final int line;
    private final int column;
    private final String reason;

    JsonSyntaxException(int line, int column, String reason) {
        super("line " + line + ", column " + column + ": " + reason);
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }

    /** What is wrong, without the location: {@code expected ',' or '}' but found ']'}. */
    public String reason() {
        return reason;
    }
}
