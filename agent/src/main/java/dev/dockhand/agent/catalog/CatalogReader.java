package dev.dockhand.agent.catalog;

import dev.dockhand.agent.core.InputFiles;
import dev.dockhand.agent.core.InvalidInputException;
import dev.dockhand.agent.core.JsonTree;
import dev.dockhand.agent.core.Problems;
import dev.dockhand.agent.json.JsonValue;
import dev.dockhand.agent.linux.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code catalog.json} into a validated {@link Catalog}. Every problem (syntax, type, unknown
 * reference, cycle) is reported at once with {@code file:line path}. Unknown properties are errors:
 * a misspelt key in a catalog silently ignored is how services end up without a health check.
 */
public final class CatalogReader {

    private CatalogReader() {}

    public static Catalog read(Path file) {
        String text;
        try {
            text = InputFiles.read(file, InputFiles.CATALOG_LIMIT);
        } catch (InputFiles.Refused e) {
            throw new InvalidInputException("catalog " + file + " " + e.getMessage()
                    + (e.missing() ? " (set --catalog or AGENT_CATALOG)" : ""));
        }
        return parse(file.toString(), text);
    }

    public static Catalog parse(String fileName, String text) {
        JsonTree tree = JsonTree.parse(fileName, text);
        Problems problems = new Problems();
        Catalog catalog = new Parser(tree, problems).catalog();
        problems.throwIfAny();
        CatalogValidator.validate(catalog, tree, problems);
        problems.throwIfAny();
        return catalog;
    }

    /** Walks the tree; records problems instead of stopping at the first. */
    private static final class Parser {
        private final JsonTree tree;
        private final Problems problems;

        Parser(JsonTree tree, Problems problems) {
            this.tree = tree;
            this.problems = problems;
        }

        Catalog catalog() {
            JsonValue root = tree.root();
            known(root, "", "distro", "roles", "services", "clusterConfigs", "autogen", "startOrder", "nodeTemplates");
            JsonValue d = root.path("distro");
            Distro distro = d.isObject()
                    ? new Distro(str(d, "distro", "id", "dockhand"), str(d, "distro", "name", ""), str(d, "distro", "version", ""))
                    : new Distro("dockhand", "", "");
            List<Role> roles = list(root, "roles", true, (p, n) -> {
                known(n, p, "id", "cardinality");
                String c = str(n, p, "cardinality", "0+");
                Cardinality card;
                try {
                    card = Cardinality.parse(c);
                } catch (IllegalArgumentException e) {
                    problems.add(tree.where(p + ".cardinality") + ": " + e.getMessage());
                    card = new Cardinality(0, true);
                }
                return new Role(req(n, p, "id"), card);
            });
            List<ServiceSpec> services = list(root, "services", true, this::service);
            List<ClusterConfig> configs = list(root, "clusterConfigs", true, (p, n) -> {
                known(n, p, "id", "description", "assignments", "security", "kafkaLib");
                Map<String, List<String>> assign = new LinkedHashMap<>();
                JsonValue a = n.path("assignments");
                if (!a.isObject()) {
                    problems.add(tree.where(p + ".assignments") + ": must be an object of role -> [service ids]");
                } else {
                    for (Iterator<Map.Entry<String, JsonValue>> it = a.fields(); it.hasNext(); ) {
                        var e = it.next();
                        assign.put(e.getKey(), strings(a, p + ".assignments", e.getKey()));
                    }
                }
                Security security = Security.PLAINTEXT;
                try {
                    security = Security.parse(str(n, p, "security", "plaintext"));
                } catch (IllegalArgumentException e) {
                    problems.add(tree.where(p + ".security") + ": " + e.getMessage());
                }
                return new ClusterConfig(req(n, p, "id"), str(n, p, "description", ""), assign, security,
                        str(n, p, "kafkaLib", ClusterConfig.DEFAULT_KAFKA_LIB));
            });
            List<Autogen> autogen = list(root, "autogen", false, (p, n) -> {
                known(n, p, "file", "pattern", "macro");
                return new Autogen(req(n, p, "file"), req(n, p, "pattern"), req(n, p, "macro"));
            });
            List<StartEntry> order = list(root, "startOrder", false, (p, n) -> {
                known(n, p, "service", "waitFor");
                return new StartEntry(req(n, p, "service"), strings(n, p, "waitFor"));
            });
            List<TemplateSpec> nodeTemplates = list(root, "nodeTemplates", false, this::template);
            return new Catalog(distro, roles, services, configs, autogen, order, nodeTemplates);
        }

        private ServiceSpec service(String p, JsonValue n) {
            known(n, p, "id", "name", "port", "command", "env", "templates", "overridePrefix", "overrideFile",
                    "overrideFormat", "overrideKeys", "overrideDirKeys",
                    "dataDirs", "health", "stop", "restart", "memory", "user", "log", "quorum", "metricsPort", "internalPort", "when", "certRenewal",
                    "prepare");
            String id = req(n, p, "id");
            int port = integer(n, p, "port", 0);
            List<TemplateSpec> templates = list(n, p + ".templates", "templates", false, this::template);
            Map<String, String> env = new LinkedHashMap<>();
            JsonValue e = n.path("env");
            if (e.isObject()) {
                e.fields().forEachRemaining(f -> env.put(f.getKey(), f.getValue().asText()));
            } else if (!e.isMissingNode()) {
                problems.add(tree.where(p + ".env") + ": must be an object of NAME -> value");
            }
            List<String> command = strings(n, p, "command");
            if (command.isEmpty()) {
                problems.add(tree.where(p) + ": service '" + id + "' has no command");
            }
            return new ServiceSpec(
                    id,
                    str(n, p, "name", id),
                    port,
                    command,
                    env,
                    templates,
                    overrides(n, p),
                    strings(n, p, "dataDirs"),
                    health(p + ".health", n.path("health"), port),
                    stop(p + ".stop", n.path("stop")),
                    restart(p + ".restart", n.path("restart")),
                    memory(p + ".memory", n.path("memory")),
                    str(n, p, "user", null),
                    log(p + ".log", n.path("log")),
                    quorum(n, p),
                    integer(n, p, "metricsPort", 0),
                    integer(n, p, "internalPort", 0),
                    security(n, p, "when"),
                    strings(n, p, "certRenewal"),
                    list(n, p + ".prepare", "prepare", false, this::prepareStep));
        }

        private PrepareStep prepareStep(String p, JsonValue n) {
            known(n, p, "id", "command", "unless", "timeout");
            List<String> command = strings(n, p, "command");
            if (command.isEmpty()) {
                problems.add(tree.where(p + ".command") + ": a prepare step needs a command");
            }
            return new PrepareStep(req(n, p, "id"), command, str(n, p, "unless", null), duration(n, p, "timeout", "5m"));
        }

        /** An optional security field ({@code tls} or {@code plaintext}), or null. */
        private Security security(JsonValue n, String p, String field) {
            String value = str(n, p, field, null);
            if (value == null) {
                return null;
            }
            try {
                return Security.parse(value);
            } catch (IllegalArgumentException e) {
                problems.add(tree.where(p + "." + field) + ": " + e.getMessage());
                return null;
            }
        }

        private OverrideSpec overrides(JsonValue n, String p) {
            String prefix = str(n, p, "overridePrefix", null);
            String file = str(n, p, "overrideFile", null);
            if (prefix == null && file == null) {
                return null;
            }
            if (prefix == null || file == null) {
                problems.add(tree.where(p) + ": overridePrefix and overrideFile go together; give both or neither");
                return null;
            }
            OverrideSpec.Format format = OverrideSpec.Format.PROPERTIES;
            try {
                format = OverrideSpec.Format.parse(str(n, p, "overrideFormat", "properties"));
            } catch (IllegalArgumentException e) {
                problems.add(tree.where(p + ".overrideFormat") + ": " + e.getMessage());
            }
            return new OverrideSpec(prefix, file, format, strings(n, p, "overrideKeys"), strings(n, p, "overrideDirKeys"));
        }

        private TemplateSpec template(String p, JsonValue t) {
            known(t, p, "source", "target", "when");
            String source = req(t, p, "source");
            Security security = security(t, p, "when");
            return new TemplateSpec(source, str(t, p, "target", source), security);
        }

        private HealthSpec health(String p, JsonValue n, int port) {
            if (n.isMissingNode()) {
                return new HealthSpec(new ProbeSpec.None(), Duration.ofSeconds(5), Duration.ofSeconds(2), 3,
                        Duration.ofMinutes(5), null);
            }
            known(n, p, "type", "port", "path", "expectStatus", "expectBody", "command", "interval", "timeout",
                    "failureThreshold", "startupTimeout", "restartAfter", "restartWhenUnhealthy", "readyWhen", "brokerPort");
            return new HealthSpec(probe(p, n, port), duration(n, p, "interval", "2s"), duration(n, p, "timeout", "2s"),
                    integer(n, p, "failureThreshold", 3), duration(n, p, "startupTimeout", "5m"), restartAfter(n, p));
        }

        /** The one place a probe's type becomes its record; what a type needs and lacks is a problem here. */
        private ProbeSpec probe(String p, JsonValue n, int servicePort) {
            String type = str(n, p, "type", "none");
            int port = integer(n, p, "port", servicePort);
            boolean network = List.of("tcp", "http", "zookeeper", "kafka", "kafka-quorum").contains(type);
            if (network && (port <= 0 || port > 65535)) {
                problems.add(tree.where(p) + ": a '" + type + "' probe needs a port (set health.port or the service's port)");
            }
            switch (type) {
                case "none":
                    return new ProbeSpec.None();
                case "tcp":
                    return new ProbeSpec.Tcp(port);
                case "http":
                    return new ProbeSpec.Http(port, str(n, p, "path", "/"), integer(n, p, "expectStatus", 200),
                            str(n, p, "expectBody", null));
                case "zookeeper":
                    return new ProbeSpec.ZooKeeper(port);
                case "kafka": {
                    String when = str(n, p, "readyWhen", "answers");
                    if (!when.equals("answers") && !when.equals("in-sync")) {
                        problems.add(tree.where(p + ".readyWhen") + ": unknown readyWhen '" + when + "' (use answers or in-sync)");
                    }
                    return new ProbeSpec.Kafka(port, when.equals("in-sync"));
                }
                case "kafka-quorum": {
                    int brokerPort = integer(n, p, "brokerPort", 0);
                    if (brokerPort < 0 || brokerPort > 65535) {
                        problems.add(tree.where(p + ".brokerPort") + ": " + brokerPort + " is not a port number (1-65535, or 0 for none)");
                    }
                    return new ProbeSpec.KafkaQuorum(port, brokerPort);
                }
                case "exec": {
                    List<String> command = strings(n, p, "command");
                    if (command.isEmpty()) {
                        problems.add(tree.where(p + ".command") + ": an 'exec' probe needs a command");
                    }
                    return new ProbeSpec.Exec(command);
                }
                default:
                    problems.add(tree.where(p + ".type") + ": unknown probe type '" + type + "' (use one of "
                            + String.join(", ", ProbeSpec.TYPES) + ")");
                    return new ProbeSpec.None();
            }
        }

        /** {@code restartAfter}, or the older {@code restartWhenUnhealthy: true} (restart at once). */
        private Duration restartAfter(JsonValue n, String p) {
            if (!n.path("restartAfter").isMissingNode()) {
                return duration(n, p, "restartAfter", "0s");
            }
            return bool(n, p, "restartWhenUnhealthy", false) ? Duration.ZERO : null;
        }

        private StopSpec stop(String p, JsonValue n) {
            known(n, p, "signal", "grace", "waitUntilSafe");
            String name = str(n, p, "signal", "TERM");
            Signal signal = Signal.TERM;
            if (!name.toUpperCase(java.util.Locale.ROOT).replaceFirst("^SIG", "").matches("TERM|INT|HUP|QUIT|KILL|USR1|USR2")) {
                problems.add(tree.where(p + ".signal") + ": unknown stop signal '" + name
                        + "' (use TERM, INT, HUP, QUIT, KILL, USR1 or USR2)");
            } else {
                signal = Signal.parse(name);
            }
            Duration grace = duration(n, p, "grace", "30s");
            Duration waitUntilSafe = n.path("waitUntilSafe").isMissingNode() ? null : duration(n, p, "waitUntilSafe", "0s");
            if (waitUntilSafe != null && waitUntilSafe.compareTo(grace) >= 0) {
                problems.add(tree.where(p + ".waitUntilSafe") + ": " + Durations.format(waitUntilSafe) + " must be shorter than the grace ("
                        + Durations.format(grace) + "): the wait is part of the grace, and the service needs time left to stop cleanly");
            }
            return new StopSpec(signal, grace, waitUntilSafe);
        }

        private RestartSpec restart(String p, JsonValue n) {
            known(n, p, "policy", "initialBackoff", "maxBackoff", "maxRetries", "resetAfter", "failStopsAgent");
            RestartPolicy policy = RestartPolicy.ALWAYS;
            try {
                policy = RestartPolicy.parse(str(n, p, "policy", "always"));
            } catch (IllegalArgumentException e) {
                problems.add(tree.where(p + ".policy") + ": " + e.getMessage());
            }
            return new RestartSpec(policy, duration(n, p, "initialBackoff", "1s"), duration(n, p, "maxBackoff", "30s"),
                    integer(n, p, "maxRetries", 10), duration(n, p, "resetAfter", "2m"), bool(n, p, "failStopsAgent", false));
        }

        private ServiceSpec.Quorum quorum(JsonValue n, String p) {
            String q = str(n, p, "quorum", "one");
            return switch (q) {
                case "one" -> ServiceSpec.Quorum.ONE;
                case "majority" -> ServiceSpec.Quorum.MAJORITY;
                default -> {
                    problems.add(tree.where(p + ".quorum") + ": unknown quorum '" + q + "' (use one or majority)");
                    yield ServiceSpec.Quorum.ONE;
                }
            };
        }

        private MemorySpec memory(String p, JsonValue n) {
            known(n, p, "weight", "minHeapMb", "maxHeapMb", "heapFraction", "fixedMb");
            double fraction = n.path("heapFraction").isNumber() ? n.path("heapFraction").asDouble() : 0.5;
            if (fraction <= 0 || fraction > 1) {
                problems.add(tree.where(p + ".heapFraction") + ": must be in (0, 1], is " + fraction);
            }
            return new MemorySpec(integer(n, p, "weight", 1), integer(n, p, "minHeapMb", 64),
                    integer(n, p, "maxHeapMb", 0), fraction, integer(n, p, "fixedMb", 0));
        }

        private LogSpec log(String p, JsonValue n) {
            known(n, p, "file", "maxBytes");
            JsonValue mb = n.path("maxBytes");
            return new LogSpec(str(n, p, "file", null), mb.canConvertToLong() ? mb.asLong() : 10L * 1024 * 1024);
        }

        // ---- small typed accessors that record problems with their location ----

        private void known(JsonValue n, String p, String... names) {
            if (!n.isObject()) {
                return;
            }
            List<String> allowed = List.of(names);
            n.fieldNames().forEachRemaining(f -> {
                if (!allowed.contains(f)) {
                    problems.add(tree.where(p.isEmpty() ? f : p + "." + f) + ": unknown property '" + f
                            + "' (known: " + String.join(", ", allowed) + ")");
                }
            });
        }

        private <T> List<T> list(JsonValue parent, String name, boolean required, Item<T> item) {
            return list(parent, name, name, required, item);
        }

        private <T> List<T> list(JsonValue parent, String path, String name, boolean required, Item<T> item) {
            JsonValue a = parent.path(name);
            List<T> out = new ArrayList<>();
            if (a.isMissingNode()) {
                if (required) {
                    problems.add(tree.where(path) + ": required list '" + name + "' is missing");
                }
                return out;
            }
            if (!a.isArray()) {
                problems.add(tree.where(path) + ": must be a list");
                return out;
            }
            for (int i = 0; i < a.size(); i++) {
                String ip = path + "[" + i + "]";
                if (!a.get(i).isObject()) {
                    problems.add(tree.where(ip) + ": must be an object");
                    continue;
                }
                out.add(item.apply(ip, a.get(i)));
            }
            return out;
        }

        private String req(JsonValue n, String p, String name) {
            JsonValue v = n.path(name);
            if (!v.isTextual() || v.asText().isBlank()) {
                problems.add(tree.where(p + "." + name) + ": required text property '" + name + "' is missing or empty");
                return "";
            }
            return v.asText();
        }

        private String str(JsonValue n, String p, String name, String dflt) {
            JsonValue v = n.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isTextual()) {
                problems.add(tree.where(p + "." + name) + ": must be text");
                return dflt;
            }
            return v.asText();
        }

        private int integer(JsonValue n, String p, String name, int dflt) {
            JsonValue v = n.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isInt() || v.asInt() < 0) {
                problems.add(tree.where(p + "." + name) + ": must be a non-negative integer");
                return dflt;
            }
            return v.asInt();
        }

        private boolean bool(JsonValue n, String p, String name, boolean dflt) {
            JsonValue v = n.path(name);
            if (v.isMissingNode() || v.isNull()) {
                return dflt;
            }
            if (!v.isBoolean()) {
                problems.add(tree.where(p + "." + name) + ": must be true or false");
                return dflt;
            }
            return v.asBoolean();
        }

        private Duration duration(JsonValue n, String p, String name, String dflt) {
            String s = str(n, p, name, dflt);
            try {
                return Durations.parse(s);
            } catch (IllegalArgumentException e) {
                problems.add(tree.where(p + "." + name) + ": " + e.getMessage());
                return Durations.parse(dflt);
            }
        }

        private List<String> strings(JsonValue n, String p, String name) {
            JsonValue v = n.path(name);
            List<String> out = new ArrayList<>();
            if (v.isMissingNode() || v.isNull()) {
                return out;
            }
            if (!v.isArray()) {
                problems.add(tree.where(p + "." + name) + ": must be a list of text");
                return out;
            }
            for (JsonValue x : v) {
                if (!x.isTextual()) {
                    problems.add(tree.where(p + "." + name) + ": must be a list of text");
                    continue;
                }
                out.add(x.asText());
            }
            return out;
        }
    }

    @FunctionalInterface
    private interface Item<T> {
        T apply(String path, JsonValue node);
    }

}
