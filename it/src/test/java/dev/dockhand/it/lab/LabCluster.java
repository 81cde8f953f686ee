package dev.dockhand.it.lab;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Nodes of one dockhand cluster on a {@link LabNet}, each an agent in supervisor mode configured the way an
 * orchestrator does it: by env ({@code AGENT_ROLE}, {@code AGENT_NODES}, ...), all from the same catalog,
 * templates and distribution.
 */
public final class LabCluster implements AutoCloseable {
    private final LabTls tls;
    /** A node to be: its name (FQDN = name.dockhand.test), role, memory budget and extra env (heap overrides). */
    public record NodeSpec(String name, String role, int memoryMb, Map<String, String> env) {}

    public static final Path AGENT_JAR = prop("agent.jar", "../agent/target/agent.jar");
    public static final Path DIST = prop("dist.dir", "../image/target/dist");
    public static final Path TEMPLATES = prop("templates.dir", "../templates");
    public static final Path HOSTS_FILE = prop("jdk.net.hosts.file", "target/it-hosts");

    private final LabNet net;
    private final String clusterConfig;
    private final Map<String, LabNode> nodes = new LinkedHashMap<>();
    private final List<NodeSpec> specs;

    private static Path prop(String key, String dflt) {
        return Path.of(System.getProperty(key, dflt)).toAbsolutePath().normalize();
    }

    /** Why the cluster cannot run here (not root, no ip/unshare, nothing built), or null. */
    public static String unsupportedReason() {
        String why = LabNet.unsupportedReason();
        if (why != null) {
            return why;
        }
        if (!Files.isRegularFile(AGENT_JAR) || !Files.isDirectory(DIST.resolve("lib/kafka"))) {
            return "build first (mvn -B -q package -DskipTests): need " + AGENT_JAR + " and " + DIST + "/lib/kafka";
        }
        return null;
    }

    /** The production cluster of the issue: 3 ZooKeeper, 3 brokers, the registry and the console. */
    public static List<NodeSpec> production() {
        Map<String, String> zk = Map.of("AGENT_HEAP_MB_ZOOKEEPER", "128");
        Map<String, String> broker = Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256");
        return List.of(
                new NodeSpec("zk-1", "zookeeper", 400, zk),
                new NodeSpec("zk-2", "zookeeper", 400, zk),
                new NodeSpec("zk-3", "zookeeper", 400, zk),
                // 128 MiB more than the broker needs: a secured broker node also runs kafka-access, a short JVM
                new NodeSpec("b-1", "broker", 832, broker),
                new NodeSpec("b-2", "broker", 832, broker),
                new NodeSpec("b-3", "broker", 832, broker),
                new NodeSpec("sr-1", "schemareg", 500, Map.of("AGENT_HEAP_MB_SCHEMA_REGISTRY", "192")),
                new NodeSpec("gw-1", "gateway", 400, Map.of("AGENT_HEAP_MB_CONTROL_CENTER", "128")));
    }

    /** The kraft cluster config: the production layout with 3 KRaft controllers instead of ZooKeeper. */
    public static List<NodeSpec> kraft() {
        Map<String, String> controller = Map.of("AGENT_HEAP_MB_KRAFT_CONTROLLER", "192");
        Map<String, String> broker = Map.of("AGENT_HEAP_MB_KRAFT_BROKER", "256");
        return List.of(
                new NodeSpec("c-1", "controller", 450, controller),
                new NodeSpec("c-2", "controller", 450, controller),
                new NodeSpec("c-3", "controller", 450, controller),
                // 128 MiB for kafka-access, a short JVM on a secured broker node, as in production()
                new NodeSpec("b-1", "broker", 832, broker),
                new NodeSpec("b-2", "broker", 832, broker),
                new NodeSpec("b-3", "broker", 832, broker),
                new NodeSpec("sr-1", "schemareg", 500, Map.of("AGENT_HEAP_MB_SCHEMA_REGISTRY", "192")),
                new NodeSpec("gw-1", "gateway", 400, Map.of("AGENT_HEAP_MB_CONTROL_CENTER", "128")));
    }

    /** The KRaft dev stack: one combined broker and controller, registry and console (cluster config kraft-single-node). */
    public static List<NodeSpec> kraftSingleNode() {
        return List.of(new NodeSpec("kdev-1", "standalone", 1800, Map.of(
                "AGENT_HEAP_MB_KRAFT_COMBINED", "320", "AGENT_HEAP_MB_SCHEMA_REGISTRY", "192", "AGENT_HEAP_MB_CONTROL_CENTER", "128",
                "AGENT_HEAP_MB_CONNECT", "192")));
    }

    /** The dev stack: one node runs every service (role standalone, cluster config single-node). */
    public static List<NodeSpec> singleNode() {
        return List.of(new NodeSpec("dev-1", "standalone", 1800, Map.of(
                "AGENT_HEAP_MB_ZOOKEEPER", "128", "AGENT_HEAP_MB_KAFKA_BROKER", "256",
                "AGENT_HEAP_MB_SCHEMA_REGISTRY", "192", "AGENT_HEAP_MB_CONTROL_CENTER", "128", "AGENT_HEAP_MB_CONNECT", "192")));
    }

    /** Creates the network (and takes its lock) and empty node dirs under {@code base}; starts nothing. Plaintext. */
    public LabCluster(List<NodeSpec> specs, String clusterConfig, Path base) {
        this(specs, List.of(), clusterConfig, base, null);
    }

    /**
     * As {@link #LabCluster(List, String, Path)}, every node secured with {@code tls} (the CA and the users),
     * or explicitly plaintext when it is null.
     */
    public LabCluster(List<NodeSpec> specs, String clusterConfig, Path base, LabTls tls) {
        this(specs, List.of(), clusterConfig, base, tls);
    }

    /**
     * As {@link #LabCluster(List, String, Path, LabTls)}, with nodes {@code later} that join afterwards: they have
     * their namespace from the start, but the node list of the others leaves them out, and theirs appends them
     * at the end (how a cluster grows: every existing node keeps its id).
     */
    public LabCluster(List<NodeSpec> specs, List<NodeSpec> later, String clusterConfig, Path base, LabTls tls) {
        this.tls = tls;
        List<NodeSpec> all = new ArrayList<>(specs);
        all.addAll(later);
        this.specs = List.copyOf(all);
        deleteTree(base);
        this.clusterConfig = clusterConfig;
        this.net = LabNet.create(all.stream().map(NodeSpec::name).toList(), HOSTS_FILE);
        String firstNodes = agentNodes(specs);
        String grownNodes = agentNodes(all);
        for (NodeSpec s : all) {
            String agentNodes = later.contains(s) ? grownNodes : firstNodes;
            Path dir = base.resolve(s.name());
            Map<String, String> env = new LinkedHashMap<>();
            env.put("AGENT_ROLE", s.role());
            env.put("AGENT_CLUSTER_CONFIG", clusterConfig);
            env.put("AGENT_CLUSTER_NAME", "dhit");
            env.put("AGENT_FQDN", LabNet.fqdn(s.name()));
            env.put("AGENT_NODES", agentNodes);
            env.put("AGENT_CATALOG", TEMPLATES.resolve("catalog.json").toString());
            env.put("AGENT_TEMPLATES", TEMPLATES.toString());
            env.put("AGENT_DATA_DIR", dir.resolve("data").toString());
            env.put("AGENT_HOME", DIST.toString());
            env.put("AGENT_SOCKET", dir.resolve("agent.sock").toString());
            env.put("AGENT_HTTP_PORT", "9800");
            env.put("AGENT_MEMORY_MB", Integer.toString(s.memoryMb()));
            if (tls != null) {
                env.putAll(tls.env());
            } else {
                env.put("AGENT_SECURITY", "plaintext");
            }
            env.putAll(s.env());
            nodes.put(s.name(), new LabNode(net, s.name(), dir, AGENT_JAR, env));
        }
    }

    /** Removes {@code root} and everything under it (a previous run's node dirs). */
    public static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var all = Files.walk(root)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot empty " + root, e);
        }
    }

    /** {@code role=fqdn,fqdn;role=fqdn} in node order (which gives the ids). */
    static String agentNodes(List<NodeSpec> specs) {
        Map<String, List<String>> byRole = new LinkedHashMap<>();
        specs.forEach(s -> byRole.computeIfAbsent(s.role(), r -> new ArrayList<>()).add(LabNet.fqdn(s.name())));
        return byRole.entrySet().stream().map(e -> e.getKey() + "=" + String.join(",", e.getValue())).collect(Collectors.joining(";"));
    }

    /** The cluster's CA and users when it is secured, else null. */
    public LabTls tls() {
        return tls;
    }

    public LabNet net() {
        return net;
    }

    public String clusterConfig() {
        return clusterConfig;
    }

    public LabNode node(String name) {
        LabNode n = nodes.get(name);
        if (n == null) {
            throw new IllegalArgumentException("no node " + name + " in " + nodes.keySet());
        }
        return n;
    }

    public List<LabNode> nodes() {
        return List.copyOf(nodes.values());
    }

    public List<LabNode> withRole(String role) {
        return specs.stream().filter(s -> s.role().equals(role)).map(s -> nodes.get(s.name())).toList();
    }

    public String bootstrap() {
        return withRole(specs.stream().anyMatch(s -> s.role().equals("broker")) ? "broker" : "standalone").stream()
                .map(n -> n.fqdn() + ":9092").collect(Collectors.joining(","));
    }

    public void startAll() {
        nodes.values().forEach(n -> n.start());
    }

    /** Whether the agent says every service of its role is ready. */
    public static boolean ready(LabNode n) {
        try {
            return n.status().path("ready").asBoolean(false);
        } catch (RuntimeException e) {
            return false;
        }
    }

    public void awaitReady(Duration timeout) {
        Timing.await("every node ready", timeout, Duration.ofMillis(250), () -> nodes.values().stream().allMatch(this::readyOrExited));
    }

    /**
     * Whether {@code n} is ready; a failure at once when its agent has exited: an agent that refused its input (exit 2)
     * never gets ready, and a wait for it would only spend its whole bound.
     */
    public boolean readyOrExited(LabNode n) {
        if (!n.running()) {
            throw new AssertionError(n.name() + ": its agent exited:" + describe());
        }
        return ready(n);
    }

    /** One line per node: its agent's overall state and each service's state, for failure messages. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (LabNode n : nodes.values()) {
            sb.append("\n  ").append(n.name()).append(": ");
            try {
                JsonNode st = n.status();
                sb.append(st.path("state").asText());
                for (JsonNode s : st.path("services")) {
                    sb.append(' ').append(s.path("id").asText()).append('=').append(s.path("state").asText())
                            .append("(restarts ").append(s.path("restarts").asInt()).append(')');
                }
            } catch (RuntimeException e) {
                sb.append(n.running() ? "no status (" + e.getMessage() + ")" : "not running").append("; log: ")
                        .append(n.tail(5).replace("\n", "\n      "));
            }
        }
        return sb.toString();
    }

    /**
     * Stops every node, the clients of a role before the role (gateway, registry, brokers, then ZooKeeper so
     * that the brokers can shut down in a controlled way), each role's nodes in parallel; then returns the
     * pids that survived (none expected) after killing them, and removes the network.
     */
    @Override
    public void close() {
        List<Long> strays = new ArrayList<>();
        try {
            List<String> roles = new ArrayList<>();
            specs.forEach(s -> {
                if (!roles.contains(s.role())) {
                    roles.add(s.role());
                }
            });
            // brokers before the controllers of their quorum, as before ZooKeeper: a controlled shutdown needs them
            List<String> order = new ArrayList<>(List.of("gateway", "schemareg", "broker", "zookeeper", "controller", "standalone"));
            roles.stream().filter(r -> !order.contains(r)).forEach(order::add);
            for (String role : order) {
                // the whole role at once, and insisting (a second SIGTERM): a broker or ZooKeeper member whose
                // peers stop with it would otherwise wait its waitUntilSafe for them
                List<CompletableFuture<Integer>> stops = withRole(role).stream()
                        .map(n -> CompletableFuture.supplyAsync(() -> n.stopInsisting(Duration.ofSeconds(60)))).toList();
                stops.forEach(CompletableFuture::join);
            }
            for (LabNode n : nodes.values()) {
                for (long p : net.pidsIn(n.name())) {
                    strays.add(p);
                    Procs.signal(p, "KILL");
                }
                strays.addAll(n.survivors());
            }
        } finally {
            net.close();
        }
        if (!strays.isEmpty()) {
            throw new AssertionError("processes that outlived their node's stop (killed now): " + strays);
        }
    }
}
