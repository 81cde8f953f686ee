package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.Problems;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Env overrides of a service's properties file, in the convention users know from Bitnami's images:
 * {@code KAFKA_CFG_LOG_RETENTION_HOURS=24} sets {@code log.retention.hours=24}; in the name after the
 * prefix {@code _} becomes {@code .}, {@code __} becomes {@code _} and {@code ___} becomes {@code -}.
 * {@code <NAME>_FILE=/path} reads the value from a file (for secrets).
 */
final class Overrides {
    /** A key set by an override, where it came from, and its value. */
    record Override(String key, String value, String var) {}

    private Overrides() {}

    /** The overrides for {@code prefix} in {@code env}, sorted by variable name for a stable result. */
    static List<Override> from(String prefix, Map<String, String> env, FileSystem fs, Problems problems) {
        List<Override> out = new ArrayList<>();
        for (var e : new TreeMap<>(env).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith(prefix)) {
                continue;
            }
            String rest = var.substring(prefix.length());
            String value = e.getValue();
            if (rest.endsWith("_FILE")) {
                rest = rest.substring(0, rest.length() - "_FILE".length());
                try {
                    value = Files.readString(fs.getPath(value), StandardCharsets.UTF_8).strip();
                } catch (IOException ex) {
                    problems.add("env " + var + ": cannot read the file it names (" + value + "): " + ex.getMessage());
                    continue;
                }
            }
            if (rest.isEmpty() || !rest.matches("[A-Z0-9_]+")) {
                problems.add("env " + var + ": the name after " + prefix + " must be upper-case letters, digits and _ "
                        + "(e.g. " + prefix + "LOG_RETENTION_HOURS for log.retention.hours)");
                continue;
            }
            out.add(new Override(keyOf(rest), value, var));
        }
        return out;
    }

    static String keyOf(String name) {
        return name.toLowerCase(Locale.ROOT)
                .replace("___", "\u0001")
                .replace("__", "\u0002")
                .replace('_', '.')
                .replace('\u0001', '-')
                .replace('\u0002', '_');
    }

    /** Sets each key in a .properties-style text: replaces an existing (uncommented) line, else appends. */
    static String apply(String text, List<Override> overrides) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        for (Override o : overrides) {
            boolean replaced = false;
            for (int i = 0; i < lines.size(); i++) {
                String l = lines.get(i).stripLeading();
                if (l.startsWith("#") || l.startsWith("!")) {
                    continue;
                }
                int sep = indexOfSeparator(l);
                if (sep > 0 && l.substring(0, sep).strip().equals(o.key())) {
                    lines.set(i, o.key() + "=" + o.value());
                    replaced = true;
                }
            }
            if (!replaced) {
                lines.add(o.key() + "=" + o.value());
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static int indexOfSeparator(String line) {
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '=' || c == ':' || c == ' ' || c == '\t') {
                return i;
            }
        }
        return -1;
    }
}
