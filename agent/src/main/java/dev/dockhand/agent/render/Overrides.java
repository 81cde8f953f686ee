package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.OverrideSpec;
import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.FileSystem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Env overrides of a service's properties file, in the convention users know from Bitnami's images:
 * {@code KAFKA_CFG_LOG_RETENTION_HOURS=24} sets {@code log.retention.hours=24}; in the name after the
 * prefix {@code _} becomes {@code .}, {@code __} becomes {@code _} and {@code ___} becomes {@code -}.
 * {@code <NAME>_FILE=/path} reads the value from a file (for secrets). Kafka's properties may also be
 * spelled as Confluent's and the official image spell them, {@code KAFKA_LOG_RETENTION_HOURS}
 * ({@link OtherImages}); a property the agent derives from the node's identity is refused in either.
 *
 * <p>A value reaches the file escaped for the parser of its service ({@link PropertiesText}), so that
 * the service reads back exactly what was set: a line break in a value cannot start another property.
 * What that parser cannot read back is refused, naming the variable and never the value: a blank at
 * either end of a ZooKeeper value (ZooKeeper trims), {@code ${} in a Quarkus value (it would be
 * expanded). A key is matched to the file's own spelling case-insensitively, so that
 * {@code ZOOKEEPER_CFG_TICKTIME} reaches {@code tickTime}; for a file with such keys, a name that
 * matches no known key is refused.
 */
final class Overrides {
    /** A key set by an override, where it came from, and its value. */
    record Override(String key, String value, String var, boolean fromFile) {}

    private Overrides() {}

    /**
     * The overrides for {@code prefix} in {@code env}, sorted by variable name for a stable result; a
     * {@code *_FILE}'s value read through {@code files} (the path it names is one of {@code fs}).
     */
    static List<Override> from(String prefix, Map<String, String> env, FileSystem fs, InputFiles.Reader files, Problems problems) {
        List<Override> out = new ArrayList<>();
        // Bitnami's spelling of a Kafka property; Confluent's and apache/kafka's (KAFKA_ alone) reach the same file
        boolean kafka = prefix.equals(OtherImages.BITNAMI_KAFKA);
        for (var e : new TreeMap<>(env).entrySet()) {
            String var = e.getKey();
            String value = e.getValue();
            String rest;
            String spelling = prefix;
            if (var.startsWith(prefix)) {
                rest = var.substring(prefix.length());
            } else if (kafka && OtherImages.isPlainKafkaProperty(var, value)) {
                rest = var.substring(OtherImages.KAFKA.length());
                spelling = OtherImages.KAFKA;
            } else {
                continue;
            }
            boolean fromFile = rest.endsWith("_FILE");
            if (fromFile) {
                rest = rest.substring(0, rest.length() - "_FILE".length());
                try {
                    value = strip(files.read(fs.getPath(value), InputFiles.SECRET_LIMIT));
                } catch (InputFiles.Refused ex) {
                    problems.add("env " + var + ": the file it names (" + Names.printable(value) + ") " + ex.getMessage());
                    continue;
                } catch (RuntimeException ex) { // an invalid path
                    problems.add("env " + var + ": '" + Names.printable(value) + "' is not a file path");
                    continue;
                }
            }
            if (rest.isEmpty() || !rest.matches("[A-Z0-9_]+")) {
                problems.add("env " + var + ": the name after " + spelling + " must be upper-case letters, digits and _ "
                        + "(e.g. " + spelling + "LOG_RETENTION_HOURS for log.retention.hours)");
                continue;
            }
            String key = kafka ? OtherImages.SPECIAL_KEYS.getOrDefault(rest, keyOf(rest)) : keyOf(rest);
            if (kafka && OtherImages.OWNED_KEYS.containsKey(key)) {
                problems.add("env " + var + ": sets " + key + ", which the agent derives for each node: " + OtherImages.OWNED_KEYS.get(key)
                        + "; remove it");
                continue;
            }
            out.add(new Override(key, value, var, fromFile));
        }
        Map<String, String> byKey = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        List<Override> unique = new ArrayList<>();
        for (Override o : out) {
            String other = byKey.putIfAbsent(o.key(), o.var());
            if (other != null) {
                problems.add("env " + other + " and env " + o.var() + " both set " + o.key() + " (two spellings of one property); "
                        + "keep one");
            } else {
                unique.add(o);
            }
        }
        return unique;
    }

    /**
     * Every directory named by an override of one of {@code spec}'s directory keys (comma-separated,
     * as Kafka Connect's {@code plugin.path} is read) exists on the node; a problem naming the variable
     * and the entry for each one that does not.
     */
    static void checkDirectories(List<Override> overrides, OverrideSpec spec, FileSystem fs, Problems problems) {
        for (Override o : overrides) {
            if (!spec.dirKeys().contains(o.key())) {
                continue;
            }
            for (String entry : o.value().split(",", -1)) {
                String dir = entry.trim();
                boolean ok;
                try {
                    ok = !dir.isEmpty() && java.nio.file.Files.isDirectory(fs.getPath(dir));
                } catch (RuntimeException e) { // not a path at all
                    ok = false;
                }
                if (!ok) {
                    problems.add("env " + o.var() + ": " + o.key() + " names '" + Names.printable(dir)
                            + "', which is not a directory on this node; give existing directories, comma-separated (docs/connect.md)");
                }
            }
        }
    }

    /** A secret file's content without the line end editors add (and nothing else). */
    private static String strip(String s) {
        if (s.endsWith("\r\n")) {
            return s.substring(0, s.length() - 2);
        }
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    static String keyOf(String name) {
        return name.toLowerCase(Locale.ROOT)
                .replace("___", "\u0001")
                .replace("__", "\u0002")
                .replace('_', '.')
                .replace('\u0001', '-')
                .replace('\u0002', '_');
    }

    /**
     * Sets each key in the properties text {@code text}: replaces an existing (uncommented) line, else
     * appends. Problems name the variable, never the value.
     */
    static String apply(String text, List<Override> overrides, OverrideSpec spec, String fileName, Problems problems) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        List<String> lineKeys = new ArrayList<>(lines.size());
        lines.forEach(l -> lineKeys.add(keyOfLine(l)));
        List<Override> applied = new ArrayList<>();
        for (Override o : overrides) {
            String why = unreadable(o.value(), spec.format());
            if (why != null) {
                problems.add("env " + o.var() + ": " + why + "; the value is not used");
                continue;
            }
            String key = null;
            for (int i = 0; i < lines.size(); i++) {
                String existing = lineKeys.get(i);
                if (existing != null && existing.equalsIgnoreCase(o.key())) {
                    key = existing;
                    lines.set(i, PropertiesText.key(existing) + "=" + PropertiesText.value(o.value()));
                }
            }
            if (key == null) {
                key = spec.keys().stream().filter(k -> k.equalsIgnoreCase(o.key())).findFirst().orElse(null);
                if (key == null && !spec.keys().isEmpty()) {
                    problems.add("env " + o.var() + ": " + fileName + " has no key '" + o.key() + "' in any case; its keys are "
                            + "case-sensitive, so an override names one of the template's keys or of the catalog's overrideKeys "
                            + "(tickTime is ..._TICKTIME)");
                    continue;
                }
                if (key == null) {
                    key = o.key();
                }
                lines.add(PropertiesText.key(key) + "=" + PropertiesText.value(o.value()));
                lineKeys.add(key);
            }
            applied.add(new Override(key, o.value(), o.var(), o.fromFile()));
        }
        String out = String.join("\n", lines) + "\n";
        readBack(out, applied, fileName, problems);
        return out;
    }

    /** Why the service's parser could not read {@code value} back as it is, or null when it can. */
    private static String unreadable(String value, OverrideSpec.Format format) {
        if (format == OverrideSpec.Format.QUARKUS && value.contains("${")) {
            return "the value holds '${', which Quarkus would expand as an expression";
        }
        if (format == OverrideSpec.Format.ZOOKEEPER && !value.equals(value.strip())) {
            return "the value starts or ends with a blank, which ZooKeeper strips";
        }
        return null;
    }

    /**
     * Parses the result as the services do and checks that every override reads back as given: the
     * escaping above is what makes it so, and this makes sure of it.
     */
    private static void readBack(String text, List<Override> applied, String fileName, Problems problems) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            problems.add(fileName + ": the rendered file does not parse as properties: " + e.getMessage());
            return;
        }
        for (Override o : applied) {
            if (!o.value().equals(p.getProperty(o.key()))) {
                problems.add("env " + o.var() + ": the value would not read back as given from " + fileName);
            }
        }
    }

    /** The key of a properties line, unescaped; null for blank and comment lines. */
    static String keyOfLine(String line) {
        String l = line.stripLeading();
        if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
            return null;
        }
        Properties one = new Properties();
        try {
            one.load(new StringReader(l));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return one.stringPropertyNames().stream().findFirst().orElse(null);
    }
}
