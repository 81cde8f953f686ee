package dev.dockhand.agent.json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON text (RFC 8259) into a {@link JsonValue}. Strict: one value and only white space
 * around it; white space is space, tab, LF and CR; no comments, trailing commas, single quotes,
 * leading zeros, {@code +1}, {@code .5}, {@code 1.}, NaN, unescaped control characters in strings or
 * escapes other than the RFC's (a backslash and one of {@code "\/bfnrt}, or u and four hex digits).
 * Strings may hold any other character, escaped or not. A number with a fraction or an exponent is a
 * double ({@code 1e400} is infinite); one without must fit in a long, which is where the Jackson code
 * this replaces stopped too. A key written twice keeps its first place and its last value, as in
 * Jackson's tree.
 *
 * <p>Lines count from 1 and end at LF, CR or CR LF; columns count chars (UTF-16 units) from 1, as
 * Jackson's did, so that a syntax error lands where it did.
 */
public final class JsonReader {
    /**
     * Deepest nesting of arrays and objects. Each level is a few frames of recursion, and PID 1's
     * threads are small (-Xss512k, interpreted); a request on the control socket must not be able to
     * overflow one. No catalog comes near it.
     */
    static final int MAX_DEPTH = 256;

    private final String s;
    private final Map<String, Integer> lines;
    private int at;
    private int line = 1;
    private int lineStart;
    private int depth;

    private JsonReader(String s, Map<String, Integer> lines) {
        this.s = s;
        this.lines = lines;
    }

    /** Parses {@code text}, which must hold exactly one JSON value. */
    public static JsonValue parse(String text) {
        return parse(text, null);
    }

    /**
     * Parses {@code text} and puts into {@code lineOfPath} the line on which each value starts, keyed
     * by its path: "" for the top, {@code name} for a field of the top object, {@code a.b} below that
     * and {@code a[2]} for an array's element (so {@code services[2].health.type}). Where two values
     * get the same path (a key written twice), the first one's line stays.
     */
    public static JsonValue parse(String text, Map<String, Integer> lineOfPath) {
        JsonReader r = new JsonReader(text, lineOfPath);
        JsonValue v = r.value("");
        r.space();
        if (r.at < text.length()) {
            throw r.error("expected the end of the text after the JSON value but found " + r.found());
        }
        return v;
    }

    // ---- values ----

    /** Skips white space, then reads a value; {@code path} is null when lines are not wanted. */
    private JsonValue value(String path) {
        space();
        if (lines != null) {
            lines.putIfAbsent(path, line);
        }
        if (at >= s.length()) {
            throw error("expected a value but found the end of the text");
        }
        char c = s.charAt(at);
        switch (c) {
            case '{':
                return object(path);
            case '[':
                return array(path);
            case '"':
                return new JsonValue(string());
            case 't':
                return word("true", JsonValue.TRUE);
            case 'f':
                return word("false", JsonValue.FALSE);
            case 'n':
                return word("null", JsonValue.NULL);
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                if (isWordChar(c)) {
                    throw error("expected a value but found '" + wordAt(at) + "'");
                }
                throw error("expected a value but found " + found());
        }
    }

    private JsonValue object(String path) {
        enter();
        at++; // {
        Map<String, JsonValue> fields = new LinkedHashMap<>();
        space();
        if (skip('}')) {
            depth--;
            return new JsonValue(Collections.unmodifiableMap(fields));
        }
        while (true) {
            space();
            if (at >= s.length() || s.charAt(at) != '"') {
                throw error("expected a field name in double quotes but found " + found());
            }
            int nameLine = line;
            int nameColumn = at - lineStart + 1;
            String name = string();
            space();
            if (at >= s.length() || s.charAt(at) != ':') {
                throw error("expected ':' after the field name but found " + found());
            }
            at++;
            String child = lines == null ? null : path.isEmpty() ? name : path + "." + name;
            if (fields.put(name, value(child)) != null) {
                // a second value would silently win over the first: which one did the writer mean?
                throw new JsonSyntaxException(nameLine, nameColumn, "the field \"" + printable(name) + "\" appears twice in one object");
            }
            space();
            if (skip(',')) {
                continue;
            }
            if (skip('}')) {
                depth--;
                return new JsonValue(Collections.unmodifiableMap(fields));
            }
            throw error("expected ',' or '}' but found " + found());
        }
    }

    private JsonValue array(String path) {
        enter();
        at++; // [
        List<JsonValue> elements = new ArrayList<>();
        space();
        if (skip(']')) {
            depth--;
            return new JsonValue(Collections.unmodifiableList(elements));
        }
        while (true) {
            elements.add(value(lines == null ? null : path + "[" + elements.size() + "]"));
            space();
            if (skip(',')) {
                continue;
            }
            if (skip(']')) {
                depth--;
                return new JsonValue(Collections.unmodifiableList(elements));
            }
            throw error("expected ',' or ']' but found " + found());
        }
    }

    /** Steps over {@code c} if it comes next. */
    private boolean skip(char c) {
        if (at < s.length() && s.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("arrays and objects nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** true, false or null, not followed by more letters (so {@code nullx} is one wrong word). */
    private JsonValue word(String w, JsonValue v) {
        int end = at + w.length();
        if (!s.startsWith(w, at) || (end < s.length() && isWordChar(s.charAt(end)))) {
            throw error("expected a value but found '" + wordAt(at) + "'");
        }
        at = end;
        return v;
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private String wordAt(int from) {
        int end = from;
        while (end < s.length() && end - from < 20 && isWordChar(s.charAt(end))) {
            end++;
        }
        return s.substring(from, end);
    }

    /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?} */
    private JsonValue number() {
        int start = at;
        int startColumn = at - lineStart + 1;
        skip('-');
        if (skip('0')) {
            if (at < s.length() && isDigit(s.charAt(at))) {
                throw error("a number must not start with 0 (leading zeros are not allowed)");
            }
        } else {
            digits("expected a digit after '-' but found ");
        }
        boolean integral = true;
        if (skip('.')) {
            integral = false;
            digits("expected a digit after the decimal point but found ");
        }
        if (skip('e') || skip('E')) {
            integral = false;
            if (!skip('+')) {
                skip('-');
            }
            digits("expected a digit in the exponent but found ");
        }
        String n = s.substring(start, at);
        if (!integral) {
            return new JsonValue(Double.parseDouble(n));
        }
        try {
            return new JsonValue(Long.parseLong(n));
        } catch (NumberFormatException e) {
            throw new JsonSyntaxException(line, startColumn, "the integer " + n + " is out of range (at most 19 digits: "
                    + Long.MAX_VALUE + ")");
        }
    }

    /** One or more digits. */
    private void digits(String expected) {
        if (at >= s.length() || !isDigit(s.charAt(at))) {
            throw error(expected + found());
        }
        while (at < s.length() && isDigit(s.charAt(at))) {
            at++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A string from its opening quote; leaves {@code at} after the closing one. */
    private String string() {
        at++; // "
        StringBuilder b = null;
        int run = at; // start of the characters not yet copied to b
        while (true) {
            if (at >= s.length()) {
                throw error("the text ends inside a string (a closing '\"' is missing)");
            }
            char c = s.charAt(at);
            if (c == '"') {
                String tail = s.substring(run, at);
                at++;
                return b == null ? tail : b.append(tail).toString();
            }
            if (c < 0x20) {
                throw error("a control character (" + describe(c) + ") must be escaped in a string");
            }
            if (c != '\\') {
                at++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(s, run, at);
            at++; // backslash
            if (at >= s.length()) {
                throw error("the text ends inside a string (a closing '\"' is missing)");
            }
            char e = s.charAt(at);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> b.append(hex4());
                default -> throw error("unknown escape '\\" + (e < 0x20 ? describe(e) : String.valueOf(e))
                        + "' (use \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX)");
            }
            at++;
            run = at;
        }
    }

    /** The character of a u escape, {@code at} on the u; leaves {@code at} on its last hex digit. */
    private char hex4() {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            at++;
            char c = at < s.length() ? s.charAt(at) : 0;
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) {
                throw error("expected 4 hex digits after \\u but found " + found());
            }
            v = v << 4 | d;
        }
        return (char) v;
    }

    // ---- white space and positions ----

    private void space() {
        while (at < s.length()) {
            char c = s.charAt(at);
            if (c == ' ' || c == '\t') {
                at++;
            } else if (c == '\n' || c == '\r') {
                at++;
                if (c == '\r') {
                    skip('\n'); // CRLF is one line end
                }
                line++;
                lineStart = at;
            } else {
                return;
            }
        }
    }

    /** The character at {@code at}, for a message. */
    private String found() {
        return at >= s.length() ? "the end of the text" : describe(s.charAt(at));
    }

    private static String describe(char c) {
        if (c < 0x20 || c == 0x7f || Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF') {
            String hex = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
            return "U+" + "0000".substring(hex.length()) + hex;
        }
        return "'" + c + "'";
    }

    /** A syntax error at {@code at}. */
    /** A name for a message: control characters shown as escapes, at most 64 characters. */
    private static String printable(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length() && sb.length() < 64; i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private JsonSyntaxException error(String reason) {
        return new JsonSyntaxException(line, at - lineStart + 1, reason);
    }
}
