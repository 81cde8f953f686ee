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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.AdminClientConfig;

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
 * @param listenTls the page's certificate and key ({@code listen.tls.certificate}, {@code listen.tls.key}):
 *     HTTPS; null: plain HTTP
 * @param loginUsers who may read the page ({@code login.users}: the agent's {@code users.hashed}); null: no login.
 *     Needs {@code listenTls}: a password never crosses the network in clear text
 * @param clientTls the console's own TLS identity and trust toward ZooKeeper and the registry
 *     ({@code client.tls.key}, {@code client.tls.certificate}, {@code client.tls.ca}); null: none
 * @param zookeeperTls {@code zookeeper.tls}: ask {@code srvr} over TLS (with {@code clientTls})
 * @param kafkaClient Kafka client settings for the AdminClient, from every {@code kafka.}-prefixed key
 *     (prefix removed), such as {@code kafka.security.protocol=SSL}
 * @param source where the config came from, for messages
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
        int brokerMetricsPort,
        ListenTls listenTls,
        Path loginUsers,
        ClientTls clientTls,
        boolean zookeeperTls,
        Map<String, String> kafkaClient,
        String source) {

    static final int DEFAULT_AGENT_PORT = 9800;
    /** Kafka client settings pass through under this prefix. */
    static final String KAFKA_PREFIX = "kafka.";

    static final Set<String> KEYS = Set.of(
            "listen.port", "listen.host", "bootstrap.servers", "schema.registry.url", "zookeeper.connect",
            "agents", "request.timeout.ms", "actions.enabled", "cluster.name", "cache.ms", "refresh.seconds",
            "broker.metrics.port", "listen.tls.certificate", "listen.tls.key", "login.users", "client.tls.key",
            "client.tls.certificate", "client.tls.ca", "zookeeper.tls");

    ConsoleConfig {
        registryUrls = List.copyOf(registryUrls);
        zookeeper = List.copyOf(zookeeper);
        agents = List.copyOf(agents);
        kafkaClient = Map.copyOf(kafkaClient);
    }

    /** The page's HTTPS identity: its certificate chain (its own first) and its key, PEM files. */
    record ListenTls(Path certificate, Path key) {}

    /**
     * The console's TLS toward the services that need it: the CA it trusts, and the certificate it
     * shows when asked (ZooKeeper asks); key and certificate may be null together.
     */
    record ClientTls(Path key, Path certificate, Path ca) {}

    /** Whether the page is served over HTTPS. */
    boolean https() {
        return listenTls != null;
    }

    /** The page's base URL for the start line. */
    String url(int port) {
        return (https() ? "https://" : "http://") + new HostPort(listenHost, port) + "/";
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
        unknown.removeIf(k -> k.startsWith(KAFKA_PREFIX));
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

        ListenTls listenTls = null;
        Path cert = in.path("listen.tls.certificate");
        Path key = in.path("listen.tls.key");
        if ((cert == null) != (key == null)) {
            problems.add(source + ": keys 'listen.tls.certificate' and 'listen.tls.key' go together (the page's"
                    + " certificate chain and its key, PEM files); give both for HTTPS or neither for plain HTTP");
        } else if (cert != null) {
            listenTls = new ListenTls(cert, key);
        }
        Path users = in.path("login.users");
        if (users != null && listenTls == null) {
            problems.add(source + ": key 'login.users' needs HTTPS (listen.tls.certificate and listen.tls.key):"
                    + " a login over plain HTTP would send passwords in clear text");
        }
        ClientTls clientTls = null;
        Path clientKey = in.path("client.tls.key");
        Path clientCert = in.path("client.tls.certificate");
        Path clientCa = in.path("client.tls.ca");
        if ((clientKey == null) != (clientCert == null)) {
            problems.add(source + ": keys 'client.tls.key' and 'client.tls.certificate' go together; give both or neither");
        } else if (clientCa == null && clientKey != null) {
            problems.add(source + ": key 'client.tls.ca' is required with 'client.tls.key' (the CA the console trusts)");
        } else if (clientCa != null) {
            clientTls = new ClientTls(clientKey, clientCert, clientCa);
        }
        boolean zkTls = in.bool("zookeeper.tls", false);
        if (zkTls && clientTls == null) {
            problems.add(source + ": key 'zookeeper.tls' = true needs 'client.tls.ca' (and, for a ZooKeeper that asks"
                    + " for one, 'client.tls.key' and 'client.tls.certificate')");
        }
        if (clientTls == null && registries.stream().anyMatch(u -> u.startsWith("https:"))) {
            problems.add(source + ": key 'schema.registry.url' names an https URL; set 'client.tls.ca' to the CA that"
                    + " signed the registry's certificate");
        }
        Map<String, String> kafka = kafkaClient(p, source, problems);

        if (!problems.isEmpty()) {
            throw new InvalidInputException(problems);
        }
        return new ConsoleConfig(host, port, bootstrap.trim(), registries, zookeeper, agents,
                Duration.ofMillis(timeoutMs), actions, cluster, Duration.ofMillis(cacheMs), refresh, metricsPort,
                listenTls, users, clientTls, zkTls, kafka, source);
    }

    /**
     * The {@code kafka.}-prefixed keys, prefix removed: each must be an AdminClient setting (a typo
     * would otherwise be ignored by the client and the console would connect without the TLS it was
     * told to use). {@code bootstrap.servers} and the timeouts are the console's own keys.
     */
    private static Map<String, String> kafkaClient(Properties p, String source, List<String> problems) {
        Set<String> known = AdminClientConfig.configNames();
        Set<String> owned = Set.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, AdminClientConfig.CLIENT_ID_CONFIG);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(asMap(p)).entrySet()) {
            if (!e.getKey().startsWith(KAFKA_PREFIX)) {
                continue;
            }
            String name = e.getKey().substring(KAFKA_PREFIX.length());
            if (owned.contains(name)) {
                problems.add(source + ": key '" + e.getKey() + "' is the console's own setting; use '"
                        + (name.equals(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG) ? "bootstrap.servers"
                        : name.equals(AdminClientConfig.CLIENT_ID_CONFIG) ? "nothing (the console names itself)" : "request.timeout.ms")
                        + "' instead");
            } else if (!known.contains(name)) {
                problems.add(source + ": key '" + e.getKey() + "' is not a Kafka AdminClient setting ('" + name
                        + "'; see the AdminClient configs of Kafka's documentation)");
            } else {
                out.put(name, e.getValue().trim());
            }
        }
        return out;
    }

    private static Map<String, String> asMap(Properties p) {
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) {
            m.put(k, p.getProperty(k));
        }
        return m;
    }

    private record Parser(Properties p, String source, List<String> problems) {
        String string(String key, String dflt) {
            String v = p.getProperty(key);
            return v == null || v.isBlank() ? dflt : v.trim();
        }

        /** A file named by {@code key}, or null when the key is absent or blank. */
        Path path(String key) {
            String v = string(key, null);
            if (v == null) {
                return null;
            }
            try {
                return Path.of(v);
            } catch (java.nio.file.InvalidPathException e) {
                problems.add(source + ": key '" + key + "' = '" + v + "' is not a file path");
                return null;
            }
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
