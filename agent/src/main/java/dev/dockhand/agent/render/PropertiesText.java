package dev.dockhand.agent.render;

/**
 * Writes keys and values so that {@code java.util.Properties.load} (how Kafka, ZooKeeper, log4j,
 * Quarkus and the console read their files) reads back exactly what was written, whatever it holds:
 * a backslash stays a backslash (a trailing one would join the next line, {@code &#92;u0041} would become
 * {@code A}), a line break stays inside the value instead of starting a new property, leading blanks
 * are kept, and anything outside printable ASCII is written as {@code &#92;uXXXX}, which reads the same
 * whether the service opens the file as ISO-8859-1 (Kafka and ZooKeeper do) or as UTF-8.
 */
final class PropertiesText {
    private PropertiesText() {}

    static String value(String v) {
        return escape(v, false);
    }

    static String key(String k) {
        return escape(k, true);
    }

    private static String escape(String s, boolean key) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\f' -> sb.append("\\f");
                case ' ' -> sb.append(key || i == 0 ? "\\ " : " ");
                case '=', ':', '#', '!' -> {
                    if (key) {
                        sb.append('\\');
                    }
                    sb.append(c);
                }
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append("\\u").append(Integer.toHexString(0x10000 | c).substring(1));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
