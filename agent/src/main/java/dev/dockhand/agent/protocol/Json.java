package dev.dockhand.agent.protocol;

import dev.dockhand.agent.json.JsonReader;
import dev.dockhand.agent.json.JsonValue;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON for the control plane: requests and replies are read with the agent's one reader
 * ({@link dev.dockhand.agent.json.JsonReader}) into plain maps and lists, mapped to records, and
 * written. Neither side loads Jackson: loading its ~600 classes doubled the time of {@code agent
 * health} (a Docker HEALTHCHECK, run every few seconds in every container), and the agent is PID 1.
 * Records are read and written by their components, so fields added to
 * {@link dev.dockhand.agent.protocol.AgentSnapshot} need no change here; JsonTest checks that the
 * result equals Jackson's.
 */
public final class Json {
    private Json() {}

    // ---- reading ----

    /**
     * Parses one JSON value: Map (insertion-ordered), List, String, Long, Double, Boolean or null.
     * Text that is not JSON is a {@link dev.dockhand.agent.json.JsonSyntaxException}, an
     * IllegalArgumentException.
     */
    public static Object parse(String text) {
        return plain(JsonReader.parse(text));
    }

    private static Object plain(JsonValue v) {
        if (v.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonValue>> it = v.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonValue> e = it.next();
                m.put(e.getKey(), plain(e.getValue()));
            }
            return m;
        }
        if (v.isArray()) {
            List<Object> l = new ArrayList<>(v.size());
            for (JsonValue e : v) {
                l.add(plain(e));
            }
            return l;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        if (v.isIntegralNumber()) {
            return v.asLong();
        }
        if (v.isNumber()) {
            return v.asDouble();
        }
        if (v.isBoolean()) {
            return v.asBoolean();
        }
        return null;
    }

    // ---- records ----

    /** Builds a record of type {@code type} from a parsed object; missing fields get null, 0 or false. */
    public static <T> T toRecord(Object tree, Class<T> type) {
        return type.cast(convert(tree, type, type.getSimpleName()));
    }

    private static Object convert(Object v, Type type, String path) {
        Class<?> raw = type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
        if (v == null) {
            if (raw == boolean.class) {
                return false;
            }
            if (raw == int.class) {
                return 0;
            }
            if (raw == long.class) {
                return 0L;
            }
            if (raw == double.class) {
                return 0.0;
            }
            return null;
        }
        if (raw == String.class) {
            return expect(v, String.class, path);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return expect(v, Boolean.class, path);
        }
        if (raw == int.class || raw == Integer.class) {
            return expect(v, Number.class, path).intValue();
        }
        if (raw == long.class || raw == Long.class) {
            return expect(v, Number.class, path).longValue();
        }
        if (raw == double.class || raw == Double.class) {
            return expect(v, Number.class, path).doubleValue();
        }
        if (raw.isEnum()) {
            String name = expect(v, String.class, path);
            for (Object c : raw.getEnumConstants()) {
                if (((Enum<?>) c).name().equals(name)) {
                    return c;
                }
            }
            throw new IllegalArgumentException(path + ": unknown value " + name);
        }
        if (List.class.isAssignableFrom(raw)) {
            Type element = ((ParameterizedType) type).getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>();
            int i = 0;
            for (Object e : expect(v, List.class, path)) {
                out.add(convert(e, element, path + "[" + i++ + "]"));
            }
            return java.util.Collections.unmodifiableList(out);
        }
        if (raw.isRecord()) {
            Map<?, ?> m = expect(v, Map.class, path);
            RecordComponent[] cs = raw.getRecordComponents();
            Object[] args = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                types[i] = cs[i].getType();
                args[i] = convert(m.get(cs[i].getName()), cs[i].getGenericType(), path + "." + cs[i].getName());
            }
            try {
                Constructor<?> c = raw.getDeclaredConstructor(types);
                c.setAccessible(true);
                return c.newInstance(args);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(path + ": cannot build " + raw.getSimpleName() + ": " + e, e);
            }
        }
        throw new IllegalArgumentException(path + ": unsupported type " + raw.getName());
    }

    private static <T> T expect(Object v, Class<T> type, String path) {
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(path + ": expected " + type.getSimpleName().toLowerCase() + ", got " + v);
        }
        return type.cast(v);
    }

    // ---- writing ----

    /** Writes maps, lists, strings, numbers, booleans, null, enums (by name) and records (by component). */
    public static String write(Object v, boolean pretty) {
        StringBuilder b = new StringBuilder(1024);
        write(b, v, pretty, 0);
        return b.toString();
    }

    private static void write(StringBuilder b, Object v, boolean pretty, int depth) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof String s) {
            quote(b, s);
        } else if (v instanceof Boolean || v instanceof Integer || v instanceof Long) {
            b.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            b.append(Double.isFinite(d) ? n.toString() : "null");
        } else if (v instanceof Enum<?> e) {
            quote(b, e.name());
        } else if (v instanceof Map<?, ?> m) {
            List<Map.Entry<String, Object>> entries = new ArrayList<>();
            m.forEach((k, val) -> entries.add(Map.entry(String.valueOf(k), val == null ? NULL : val)));
            object(b, entries, pretty, depth);
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                b.append(i == 0 ? "" : ",");
                newline(b, pretty, depth + 1);
                write(b, l.get(i), pretty, depth + 1);
            }
            if (!l.isEmpty()) {
                newline(b, pretty, depth);
            }
            b.append(']');
        } else if (v.getClass().isRecord()) {
            List<Map.Entry<String, Object>> entries = new ArrayList<>();
            for (RecordComponent c : v.getClass().getRecordComponents()) {
                try {
                    var accessor = c.getAccessor();
                    accessor.setAccessible(true);
                    Object val = accessor.invoke(v);
                    entries.add(Map.entry(c.getName(), val == null ? NULL : val));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("cannot read " + c, e);
                }
            }
            object(b, entries, pretty, depth);
        } else {
            throw new IllegalArgumentException("cannot write " + v.getClass().getName() + " as JSON");
        }
    }

    private static final Object NULL = new Object();

    private static void object(StringBuilder b, List<Map.Entry<String, Object>> entries, boolean pretty, int depth) {
        b.append('{');
        for (int i = 0; i < entries.size(); i++) {
            b.append(i == 0 ? "" : ",");
            newline(b, pretty, depth + 1);
            quote(b, entries.get(i).getKey());
            b.append(pretty ? " : " : ":");
            Object val = entries.get(i).getValue();
            write(b, val == NULL ? null : val, pretty, depth + 1);
        }
        if (!entries.isEmpty()) {
            newline(b, pretty, depth);
        }
        b.append('}');
    }

    private static void newline(StringBuilder b, boolean pretty, int depth) {
        if (pretty) {
            b.append('\n').append("  ".repeat(depth));
        }
    }

    private static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
