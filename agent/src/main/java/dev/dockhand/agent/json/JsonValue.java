package dev.dockhand.agent.json;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One immutable JSON value as {@link JsonReader} read it, with the accessors of Jackson's
 * {@code JsonNode} that the catalog and metadata readers were written against, under the same names
 * and with the same results, so that their defaults and messages did not change with the parser.
 * Like Jackson, {@link #path} of an absent field (or of anything that is not an object) is the
 * missing value, which answers every {@code is...} with false, {@code asText()} with "" and
 * {@code asText(dflt)} with {@code dflt}.
 *
 * <p>One class with the value in one field, not a class per kind: every class the agent loads stays
 * in PID 1's metaspace for the container's life.
 */
public final class JsonValue implements Iterable<JsonValue> {
    /** The value of {@link #MISSING}; JSON null is {@code null}. */
    private static final Object ABSENT = new Object();

    static final JsonValue MISSING = new JsonValue(ABSENT);
    static final JsonValue NULL = new JsonValue(null);
    static final JsonValue TRUE = new JsonValue(Boolean.TRUE);
    static final JsonValue FALSE = new JsonValue(Boolean.FALSE);

    /**
     * An unmodifiable {@code Map<String, JsonValue>} in the order written, an unmodifiable
     * {@code List<JsonValue>}, a String, a Long (a number written without fraction or exponent), a
     * Double (any other number), a Boolean, null, or {@link #ABSENT}.
     */
    private final Object value;

    JsonValue(Object value) {
        this.value = value;
    }

    // ---- navigation ----

    /** The field {@code name} of an object; the missing value if there is none or this is not an object. */
    public JsonValue path(String name) {
        if (value instanceof Map<?, ?> m) {
            Object v = m.get(name);
            return v == null ? MISSING : (JsonValue) v;
        }
        return MISSING;
    }

    /** Element {@code index} of an array; null (as in Jackson) if there is none or this is not an array. */
    public JsonValue get(int index) {
        if (value instanceof List<?> l && index >= 0 && index < l.size()) {
            return (JsonValue) l.get(index);
        }
        return null;
    }

    /** Fields of an object or elements of an array; 0 for anything else. */
    public int size() {
        if (value instanceof Map<?, ?> m) {
            return m.size();
        }
        return value instanceof List<?> l ? l.size() : 0;
    }

    /** {@code size() == 0}, so also true for every value that is not an object or array (as in Jackson). */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** An object's fields in the order written; a key written twice keeps its first place and its last value. */
    public Iterator<Map.Entry<String, JsonValue>> fields() {
        return object().entrySet().iterator();
    }

    /** An object's field names in the order written; none for anything else. */
    public Iterator<String> fieldNames() {
        return object().keySet().iterator();
    }

    /** An array's elements, an object's field values (as in Jackson), nothing for anything else. */
    @Override
    public Iterator<JsonValue> iterator() {
        if (value instanceof List<?> l) {
            @SuppressWarnings("unchecked")
            List<JsonValue> list = (List<JsonValue>) l;
            return list.iterator();
        }
        return object().values().iterator();
    }

    @SuppressWarnings("unchecked")
    private Map<String, JsonValue> object() {
        return value instanceof Map<?, ?> m ? (Map<String, JsonValue>) m : Collections.emptyMap();
    }

    // ---- kinds ----

    public boolean isObject() {
        return value instanceof Map;
    }

    public boolean isArray() {
        return value instanceof List;
    }

    public boolean isTextual() {
        return value instanceof String;
    }

    public boolean isNumber() {
        return value instanceof Long || value instanceof Double;
    }

    /** A number written without fraction or exponent ({@code 1.0} and {@code 1e2} are not). */
    public boolean isIntegralNumber() {
        return value instanceof Long;
    }

    /** An integral number that fits in an int. */
    public boolean isInt() {
        return value instanceof Long l && l == l.intValue();
    }

    public boolean isBoolean() {
        return value instanceof Boolean;
    }

    /** JSON null; not the missing value. */
    public boolean isNull() {
        return value == null;
    }

    public boolean isMissingNode() {
        return value == ABSENT;
    }

    // ---- conversions, as Jackson's ----

    /**
     * Text as written; a number as Java prints it ({@code 7}, {@code 2.5}, {@code 100.0}); "true" or
     * "false"; "null" for null; "" for an object, an array or the missing value.
     */
    public String asText() {
        if (value instanceof String s) {
            return s;
        }
        if (value == null) {
            return "null";
        }
        if (value instanceof Long || value instanceof Double || value instanceof Boolean) {
            return value.toString();
        }
        return "";
    }

    /** {@code dflt} for null and the missing value, else {@link #asText()}. */
    public String asText(String dflt) {
        return value == null || value == ABSENT ? dflt : asText();
    }

    /**
     * A number narrowed as Java casts it, 1 or 0 for a boolean, else 0. (Jackson would also parse
     * text; nothing here asks for a number from anything that {@link #isNumber()} did not accept.)
     */
    public int asInt() {
        return value instanceof Double d ? d.intValue() : (int) asLong();
    }

    /** As {@link #asInt()}, without narrowing an integral number; a fraction is cut ({@code (long) d}). */
    public long asLong() {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d) {
            return d.longValue();
        }
        return value instanceof Boolean b && b ? 1 : 0;
    }

    /** As {@link #asInt()}, as a double. */
    public double asDouble() {
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d) {
            return d;
        }
        return value instanceof Boolean b && b ? 1 : 0;
    }

    /** A boolean's value; an integral number other than 0; the text "true" (trimmed); else false. */
    public boolean asBoolean() {
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Long l) {
            return l != 0;
        }
        return value instanceof String s && s.trim().equals("true");
    }

    /** An integral number, or any other number within the range of a long. */
    public boolean canConvertToLong() {
        if (value instanceof Long) {
            return true;
        }
        return value instanceof Double d && d >= Long.MIN_VALUE && d <= Long.MAX_VALUE;
    }

    // ---- value semantics ----

    @Override
    public boolean equals(Object o) {
        return o instanceof JsonValue v && Objects.equals(value, v.value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    /** For messages and debugging; not JSON (text is not quoted). */
    @Override
    public String toString() {
        return value == ABSENT ? "(missing)" : String.valueOf(value);
    }
}
