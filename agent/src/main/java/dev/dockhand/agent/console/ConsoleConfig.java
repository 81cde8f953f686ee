package dev.dockhand.agent.console;

import dev.dockhand.agent.core.InvalidInputException;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The console's configuration, read from the properties file the agent renders from
 * {@code templates/control-center/console.properties}.
 *
 * @param listenHost address to bind ({@code listen.host}, default all interfaces)
 * @param listenPort port ({@code listen.port}, default 9021; 0 picks a free one)
 * @param bootstrapServers Kafka bootstrap list ({@code bootstrap.servers}, required)
 * @param registryUrls schema registry base URLs ({@code schema.registry.url}, may be empty)
 * @param zookeeper ZooKeeper members as host:port, chroot removed ({@code zookeeper.connect})
 * @param agents every node's agent, node order ({@code agents}: {@code role=fqdn:port,...})
 * @param requestTimeout bound of every request ({@code request.timeout.ms}, default 3000)
 * @param actionsEnabled {@code actions.enabled}; the console has no actions, so this changes nothing
 * @param clusterName {@code cluster.name}
 * @param cacheTtl how long one overview is reused ({@code cache.ms}, default 2000)
 * @param refreshSeconds the page's auto-refresh period ({@code refresh.seconds}, default 5; 0 = off)
 * @param brokerMetricsPort where every broker serves its own Prometheus metrics ({@code broker.metrics.port},
 *     on the host the broker advertises; default 0: none)
 */
record ConsoleConfig(
        String listenHost,
        int listenPort,
        String bootstrapServers,
        List<String> registryUrls,
        List<HostPort> zookeeper,
        List<AgentEndpoint> agents,
        Duration requestTimeout,
        boolean actionsEnabled,
        String clusterName,
        Duration cacheTtl,
        int refreshSeconds,
        int brokerMetricsPort) {

    static final int DEFAULT_AGENT_PORT = 9800;

    static final Set<String> KEYS = Set.of(
            "listen.port", "listen.host", "bootstrap.servers", "schema.registry.url", "zookeeper.connect",
            "agents", "request.timeout.ms", "actions.enabled", "cluster.name", "cache.ms", "refresh.seconds",
            "broker.metrics.port");

    ConsoleConfig {
        registryUrls = List.copyOf(registryUrls);
        zookeeper = List.copyOf(zookeeper);
        agents = List.copyOf(agents);
    }

    /** A host and port, as written in bootstrap or connect strings. */
    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** One node's agent: its role and where its HTTP {@code /status} answers. */
    record AgentEndpoint(String role, String host, int port) {
        String address() {
            return new HostPort(host, port).toString();
        }
    }

    static ConsoleConfig read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException | IllegalArgumentException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file" : e.getMessage();
            throw new InvalidInputException("console config " + file + ": cannot read: " + why
                    + " (pass the file rendered from templates/control-center/console.properties with --config)");
        }
        return parse(p, file.toString());
    }

    /** Validates everything and reports every problem at once, each naming its key. */
    static ConsoleConfig parse(Properties p, String source) {
        List<String> problems = new ArrayList<>();
        Parser in = new Parser(p, source, problems);

        Set<String> unknown = new TreeSet<>(p.stringPropertyNames());
        unknown.removeAll(KEYS);
        for (String k : unknown) {
            problems.add(source + ": unknown key '" + k + "' (known keys: " + String.join(", ", new TreeSet<>(KEYS)) + ")");
        }
        for (String k : p.stringPropertyNames()) {
            String v = p.getProperty(k);
            if (v.contains("@@")) {
                problems.add(source + ": key '" + k + "' still holds a template token: '" + v
                        + "' (render the file with the agent before starting the console)");
            }
        }

        String host = in.string("listen.host", "0.0.0.0");
        int port = in.integer("listen.port", 9021, 0, 65535);
        String bootstrap = in.string("bootstrap.servers", "");
        if (bootstrap.isBlank()) {
            problems.add(source + ": key 'bootstrap.servers' is required (host:port of one or more brokers, comma-separated)");
        } else if (!bootstrap.contains("@@")) {
            in.hostPorts("bootstrap.servers", bootstrap, -1);
        }
        List<String> registries = new ArrayList<>();
        for (String url : in.list("schema.registry.url")) {
            if (url.contains("@@")) {
                continue; // reported above as an unrendered token
            }
            try {
                URI u = URI.create(url);
                if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                    throw new IllegalArgumentException("not an http(s) URL");
                }
                registries.add(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
            } catch (IllegalArgumentException e) {
                problems.add(source + ": key 'schema.registry.url': '" + url + "' is not an http(s) URL (e.g. http://gw-1:8081)");
            }
        }
        String zk = in.string("zookeeper.connect", "").replaceAll("@@[A-Z_]*@@", "");
        int chroot = zk.indexOf('/');
        List<HostPort> zookeeper = in.hostPorts("zookeeper.connect", chroot >= 0 ? zk.substring(0, chroot) : zk, 2181);
        List<AgentEndpoint> agents = new ArrayList<>();
        for (String entry : in.list("agents")) {
            if (entry.contains("@@")) {
                continue; // reported above as an unrendered token
            }
            int eq = entry.indexOf('=');
            if (eq <= 0 || eq == entry.length() - 1) {
                problems.add(source + ": key 'agents': '" + entry + "' is not role=fqdn[:port]");
                continue;
            }
            String role = entry.substring(0, eq).trim();
            for (HostPort hp : in.hostPorts("agents", entry.substring(eq + 1).trim(), DEFAULT_AGENT_PORT)) {
                agents.add(new AgentEndpoint(role, hp.host(), hp.port()));
            }
        }
        int timeoutMs = in.integer("request.timeout.ms", 3000, 100, 120_000);
        boolean actions = in.bool("actions.enabled", false);
        String cluster = in.string("cluster.name", "dockhand");
        int cacheMs = in.integer("cache.ms", 2000, 0, 600_000);
        int refresh = in.integer("refresh.seconds", 5, 0, 3600);
        int metricsPort = in.integer("broker.metrics.port", 0, 0, 65535);

        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new ConsoleConfig(host, port, bootstrap.trim(), registries, zookeeper, agents,
                Duration.ofMillis(timeoutMs), actions, cluster, Duration.ofMillis(cacheMs), refresh, metricsPort);
    }

    private record Parser(Properties p, String source, List<String> problems) {
        String string(String key, String dflt) {
            String v = p.getProperty(key);
            return v == null || v.isBlank() ? dflt : v.trim();
        }

        List<String> list(String key) {
            List<String> out = new ArrayList<>();
            for (String s : string(key, "").split(",")) {
                if (!s.isBlank()) {
                    out.add(s.trim());
                }
            }
            return out;
        }

        int integer(String key, int dflt, int min, int max) {
            String v = string(key, null);
            if (v == null) {
                return dflt;
            }
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    problems.add(source + ": key '" + key + "' = " + v + " is out of range " + min + ".." + max);
                }
                return n;
            } catch (NumberFormatException e) {
                problems.add(source + ": key '" + key + "' = '" + v + "' is not a number");
                return dflt;
            }
        }

        boolean bool(String key, boolean dflt) {
            String v = string(key, null);
            if (v == null) {
                return dflt;
            }
            if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(v);
            }
            problems.add(source + ": key '" + key + "' = '" + v + "' must be true or false");
            return dflt;
        }

        /** Parses host:port entries; {@code defaultPort} -1 means the port is required. */
        List<HostPort> hostPorts(String key, String value, int defaultPort) {
            List<HostPort> out = new ArrayList<>();
            for (String s : value.split(",")) {
                s = s.trim();
                if (s.isEmpty()) {
                    continue;
                }
                String host = s;
                String port = null;
                if (s.startsWith("[")) { // [ipv6]:port
                    int end = s.indexOf(']');
                    host = end > 0 ? s.substring(1, end) : s;
                    port = end > 0 && s.length() > end + 2 && s.charAt(end + 1) == ':' ? s.substring(end + 2) : null;
                } else if (s.indexOf(':') >= 0) {
                    host = s.substring(0, s.lastIndexOf(':'));
                    port = s.substring(s.lastIndexOf(':') + 1);
                }
                int n = defaultPort;
                if (port != null) {
                    try {
                        n = Integer.parseInt(port);
                    } catch (NumberFormatException e) {
                        n = -1;
                    }
                }
                if (host.isBlank() || n < 1 || n > 65535) {
                    problems.add(source + ": key '" + key + "': '" + s + "' is not host:port");
                } else {
                    out.add(new HostPort(host, n));
                }
            }
            return out;
        }
    }
}
