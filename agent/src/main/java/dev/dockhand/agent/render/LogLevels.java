package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.OverrideSpec;
import dev.dockhand.agent.core.Names;
import dev.dockhand.agent.core.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Log levels by env, as Confluent's images (and the official apache/kafka image) take them:
 * {@code KAFKA_LOG4J_ROOT_LOGLEVEL=WARN} and {@code KAFKA_LOG4J_LOGGERS=kafka.controller=DEBUG,state.change.logger=INFO}
 * for Kafka's services, {@code ZOOKEEPER_LOG4J_*} for ZooKeeper, {@code SCHEMA_REGISTRY_LOG4J_*} for the
 * registry. Applied to the log config each service reads: log4j's properties (Kafka 3.9, ZooKeeper),
 * log4j2's (Kafka 4), Quarkus' (the registry). A level is one of log4j's names and a logger name a
 * Java class or logger name, checked at start: nothing else reaches the file, so no value needs
 * escaping and none can add a line or an appender (the appenders, and the filters that keep
 * credentials out of the log, stay the template's).
 */
final class LogLevels {
    enum Syntax { LOG4J, LOG4J2, QUARKUS }

    static final String ROOT = "(root)";
    static final String ROOT_SUFFIX = "LOG4J_ROOT_LOGLEVEL";
    static final String LOGGERS_SUFFIX = "LOG4J_LOGGERS";

    private static final Set<String> LEVELS = Set.of("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");
    private static final Pattern LOGGER = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$\\-]*(\\.[A-Za-z_$][A-Za-z0-9_$\\-]*)*");

    private LogLevels() {}

    /** The env prefix of {@code service}'s log levels, or null for a service without. */
    static String prefixOf(String service) {
        return switch (service) {
            case ServiceIds.KAFKA_BROKER, ServiceIds.KRAFT_BROKER, ServiceIds.KRAFT_CONTROLLER, ServiceIds.KRAFT_COMBINED -> "KAFKA_";
            case ServiceIds.ZOOKEEPER -> "ZOOKEEPER_";
            case ServiceIds.SCHEMA_REGISTRY -> "SCHEMA_REGISTRY_";
            default -> null;
        };
    }

    /** How {@code service}'s rendered file {@code target} holds log levels, or null when it holds none. */
    static Syntax syntaxOf(String service, String target, OverrideSpec overrides) {
        if (prefixOf(service) == null) {
            return null;
        }
        if (target.endsWith("/log4j.properties")) {
            return Syntax.LOG4J;
        }
        if (target.endsWith("/log4j2.properties")) {
            return Syntax.LOG4J2;
        }
        if (service.equals(ServiceIds.SCHEMA_REGISTRY) && overrides != null && target.equals(overrides.file())) {
            return Syntax.QUARKUS;
        }
        return null;
    }

    /** Every malformed level setting for the services of this node, once per env variable. */
    static void check(List<String> services, Map<String, String> env, Problems problems) {
        Set<String> prefixes = new LinkedHashSet<>();
        services.forEach(s -> {
            if (prefixOf(s) != null) {
                prefixes.add(prefixOf(s));
            }
        });
        for (String prefix : prefixes) {
            parse(prefix, env, problems);
        }
    }

    /** The levels asked for, {@link #ROOT} first, then each logger; malformed entries left out. */
    static Map<String, String> requested(String prefix, Map<String, String> env) {
        return parse(prefix, env, new Problems());
    }

    private static Map<String, String> parse(String prefix, Map<String, String> env, Problems problems) {
        Map<String, String> out = new LinkedHashMap<>();
        String rootVar = prefix + ROOT_SUFFIX;
        String root = env.get(rootVar);
        if (root != null && !root.isBlank()) {
            String level = level(root);
            if (level == null) {
                problems.add("env " + rootVar + ": '" + Names.printable(root) + "' is not a log level (" + String.join(", ", ordered()) + ")");
            } else {
                out.put(ROOT, level);
            }
        }
        String loggersVar = prefix + LOGGERS_SUFFIX;
        String loggers = env.get(loggersVar);
        if (loggers != null && !loggers.isBlank()) {
            String[] entries = loggers.split(",", -1);
            for (int i = 0; i < entries.length; i++) {
                String entry = entries[i].strip();
                int eq = entry.indexOf('=');
                String name = eq < 0 ? entry : entry.substring(0, eq).strip();
                String level = eq < 0 ? null : level(entry.substring(eq + 1));
                if (eq < 0 || level == null || !LOGGER.matcher(name).matches()) {
                    problems.add("env " + loggersVar + ": entry " + (i + 1) + " ('" + Names.printable(entry) + "') is not LOGGER=LEVEL "
                            + "with a Java logger name (letters, digits, '_', '$', '-', dot-separated) and a level ("
                            + String.join(", ", ordered()) + "); entries are separated by ','");
                    continue;
                }
                out.put(name, level);
            }
        }
        return out;
    }

    private static List<String> ordered() {
        return List.of("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");
    }

    private static String level(String s) {
        String l = s.strip().toUpperCase(Locale.ROOT);
        return LEVELS.contains(l) ? l : null;
    }

    /** {@code text} with the levels asked for by {@code prefix}'s env set in {@code syntax}. */
    static String apply(String text, Syntax syntax, String prefix, Map<String, String> env) {
        Map<String, String> levels = requested(prefix, env);
        if (levels.isEmpty()) {
            return text;
        }
        List<String> lines = new ArrayList<>(text.lines().toList());
        for (var e : levels.entrySet()) {
            String name = e.getKey();
            String level = e.getValue();
            boolean root = name.equals(ROOT);
            switch (syntax) {
                case LOG4J -> {
                    if (root) {
                        // keep the template's appenders: "log4j.rootLogger=INFO, stdout"
                        int at = find(lines, "log4j.rootLogger");
                        String appenders = at < 0 ? ", stdout" : valueOf(lines.get(at)).replaceFirst("^[^,]*", "");
                        set(lines, "log4j.rootLogger", level + appenders, "=");
                    } else {
                        set(lines, "log4j.logger." + name, level, "=");
                    }
                }
                case LOG4J2 -> {
                    if (root) {
                        set(lines, "rootLogger.level", level.toLowerCase(Locale.ROOT), " = ");
                    } else {
                        String id = null;
                        for (String l : lines) {
                            String k = keyOf(l);
                            if (k != null && k.startsWith("logger.") && k.endsWith(".name") && valueOf(l).equals(name)) {
                                id = k.substring("logger.".length(), k.length() - ".name".length());
                            }
                        }
                        if (id == null) {
                            int n = 1;
                            while (find(lines, "logger.env" + n + ".name") >= 0) {
                                n++;
                            }
                            id = "env" + n;
                            lines.add("logger." + id + ".name = " + name);
                        }
                        set(lines, "logger." + id + ".level", level.toLowerCase(Locale.ROOT), " = ");
                    }
                }
                case QUARKUS -> set(lines, root ? "quarkus.log.level" : "quarkus.log.category.\"" + name + "\".level", level, "=");
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static void set(List<String> lines, String key, String value, String separator) {
        int at = find(lines, key);
        String line = key + separator + value;
        if (at < 0) {
            lines.add(line);
        } else {
            lines.set(at, line);
        }
    }

    private static int find(List<String> lines, String key) {
        for (int i = 0; i < lines.size(); i++) {
            if (key.equals(keyOf(lines.get(i)))) {
                return i;
            }
        }
        return -1;
    }

    /** The key of a properties line as written (these files' keys hold no escapes), null for comments. */
    private static String keyOf(String line) {
        String l = line.strip();
        if (l.isEmpty() || l.startsWith("#") || l.startsWith("!")) {
            return null;
        }
        int end = 0;
        while (end < l.length() && l.charAt(end) != '=' && l.charAt(end) != ':' && !Character.isWhitespace(l.charAt(end))) {
            end++;
        }
        return l.substring(0, end);
    }

    private static String valueOf(String line) {
        String l = line.strip();
        String k = keyOf(l);
        String rest = l.substring(k.length()).stripLeading();
        if (rest.startsWith("=") || rest.startsWith(":")) {
            rest = rest.substring(1);
        }
        return rest.strip();
    }
}
