package dev.dockhand.agent.render;

import dev.dockhand.agent.core.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The env that users of Confluent's ({@code confluentinc/cp-kafka}) and the official
 * ({@code apache/kafka}) images bring along: {@code KAFKA_} + the property, with the same underscore
 * rules as {@code KAFKA_CFG_} (both images' scripts: {@code _} is {@code .}, {@code __} is {@code _},
 * {@code ___} is {@code -}), and the variables those images keep for their start script
 * ({@code kafka-run-class.sh}) rather than the properties file.
 *
 * <p>Not every {@code KAFKA_} name is a property: the script's variables, Bitnami's {@code KAFKA_CFG_}
 * spelling, and the service links Kubernetes puts in every container for a Service named
 * {@code kafka...} ({@code KAFKA_PORT=tcp://10.0.0.7:9092}, {@code KAFKA_SERVICE_HOST}): Confluent's
 * image fails on those; here they are not properties.
 */
final class OtherImages {
    static final String KAFKA = "KAFKA_";
    static final String BITNAMI_KAFKA = "KAFKA_CFG_";

    /** Kafka's services and ZooKeeper, which those images start through {@code kafka-run-class.sh}. */
    static final Set<String> JVM_OPTION_SERVICES = Set.of(ServiceIds.KAFKA_BROKER, ServiceIds.KRAFT_BROKER,
            ServiceIds.KRAFT_CONTROLLER, ServiceIds.KRAFT_COMBINED, ServiceIds.ZOOKEEPER);

    /** Read by the images' scripts, never properties (the union of both images' exclusion lists). */
    static final Set<String> SCRIPT_VARS = Set.of("KAFKA_VERSION", "KAFKA_HEAP_OPTS", "KAFKA_LOG4J_OPTS", "KAFKA_OPTS",
            "KAFKA_JMX_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_LOG4J_ROOT_LOGLEVEL",
            "KAFKA_LOG4J_LOGGERS", "KAFKA_TOOLS_LOG4J_LOGLEVEL", "KAFKA_JMX_HOSTNAME", "KAFKA_JMX_PORT");

    /** Confluent's one property that the underscore rules cannot spell. */
    static final Map<String, String> SPECIAL_KEYS = Map.of("ZOOKEEPER_CLIENT_CNXN_SOCKET", "zookeeper.clientCnxnSocket");

    /**
     * Properties the agent derives from the node's identity: set by env, they would make this broker
     * another one than the node list says. Each with what sets it instead.
     */
    static final Map<String, String> OWNED_KEYS = ownedKeys();

    private static final Pattern SERVICE_LINK = Pattern.compile(
            "[A-Z0-9_]+_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)|[A-Z0-9_]+_PORT_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?");
    private static final Pattern SERVICE_LINK_URL = Pattern.compile("(tcp|udp|sctp)://[0-9a-fA-F.:\\[\\]]+:[0-9]+");

    private OtherImages() {}

    private static Map<String, String> ownedKeys() {
        Map<String, String> m = new TreeMap<>();
        String identity = "the node's id comes from its place in the node list (AGENT_NODES, or the metadata file's nodes)";
        m.put("broker.id", identity);
        m.put("node.id", identity);
        m.put("process.roles", "the node's role picks its services (AGENT_ROLE, AGENT_CLUSTER_CONFIG)");
        String listeners = "the agent renders every listener from the node's FQDN (AGENT_FQDN) and AGENT_SECURITY"
                + " (an outside address: AGENT_EXTERNAL_*)";
        for (String k : List.of("listeners", "advertised.listeners", "listener.security.protocol.map",
                "inter.broker.listener.name", "security.inter.broker.protocol", "controller.listener.names")) {
            m.put(k, listeners);
        }
        String quorum = "the agent derives the quorum from the node list (AGENT_NODES)";
        m.put("controller.quorum.voters", quorum);
        m.put("controller.quorum.bootstrap.servers", quorum);
        m.put("zookeeper.connect", quorum);
        String data = "the agent keeps the data on the node's volume (AGENT_DATA_DIR)";
        m.put("log.dirs", data);
        m.put("log.dir", data);
        m.put("metadata.log.dir", data);
        m.put("broker.rack", "the node's rack comes from AGENT_RACK or the metadata file's \"rack\"");
        return Map.copyOf(m);
    }

    /**
     * Whether {@code var} in the plain {@code KAFKA_} spelling sets a property: not Bitnami's spelling,
     * not a script variable, not a Kubernetes service link.
     */
    static boolean isPlainKafkaProperty(String var, String value) {
        return var.startsWith(KAFKA) && !var.startsWith(BITNAMI_KAFKA) && !SCRIPT_VARS.contains(var)
                && !isServiceLink(var, value);
    }

    /** A variable Kubernetes sets for a Service: {@code X_SERVICE_HOST}, {@code X_PORT=tcp://ip:port}, .... */
    static boolean isServiceLink(String var, String value) {
        return SERVICE_LINK.matcher(var).matches() || (var.endsWith("_PORT") && SERVICE_LINK_URL.matcher(value).matches());
    }

    /** A value's words, as the start script's unquoted {@code $KAFKA_OPTS} splits them. */
    static List<String> words(String value) {
        List<String> out = new ArrayList<>();
        for (String w : value.strip().split("[ \t\n]+")) {
            if (!w.isEmpty()) {
                out.add(w);
            }
        }
        return out;
    }

    /**
     * The script variables refused on a node that runs {@code services}, once each, with what to do
     * instead: {@code KAFKA_HEAP_OPTS} and a heap flag in the others (the agent sizes heaps),
     * {@code KAFKA_LOG4J_OPTS} and a log config flag (the agent's log configs keep credentials out of the
     * log), {@code KAFKA_JMX_PORT}/{@code KAFKA_JMX_HOSTNAME} (remote JMX without a login), apache/kafka's
     * {@code CLUSTER_ID} (the agent derives the id).
     */
    static void refuseOwnedScriptVars(List<String> services, Map<String, String> env, Problems problems) {
        String service = services.stream().filter(JVM_OPTION_SERVICES::contains).findFirst().orElse(null);
        if (service == null) {
            return;
        }
        if (env.containsKey("KAFKA_HEAP_OPTS")) {
            problems.add("env KAFKA_HEAP_OPTS: the agent sizes every service's heap from the container's memory limit; remove it, "
                    + "and set AGENT_HEAP_MB_" + service.toUpperCase(java.util.Locale.ROOT).replace('-', '_')
                    + "=<MB> to fix a service's heap (or AGENT_MEMORY_MB for the node)");
        }
        if (env.containsKey("KAFKA_LOG4J_OPTS")) {
            problems.add("env KAFKA_LOG4J_OPTS: the agent renders the services' log configs (they keep credentials out of the log); "
                    + "remove it, and set levels with KAFKA_LOG4J_ROOT_LOGLEVEL and KAFKA_LOG4J_LOGGERS");
        }
        if (env.containsKey("CLUSTER_ID")) {
            // apache/kafka's start script formats the storage with it; here the id is derived, and a node whose data
            // was formatted with another id would not start: say so at once rather than run with another id
            problems.add("env CLUSTER_ID: the agent derives the cluster id from the cluster's name (AGENT_CLUSTER_NAME, the same on "
                    + "every node) and formats the storage with it; remove it");
        }
        for (String jmx : List.of("KAFKA_JMX_PORT", "KAFKA_JMX_HOSTNAME")) {
            if (env.containsKey(jmx)) {
                problems.add("env " + jmx + ": the agent opens no remote JMX port (JMX without a login runs any code it is sent); "
                        + "the services' metrics are served for Prometheus on their metrics ports (the broker's 9404); "
                        + "remove it (remote JMX anyway: its -Dcom.sun.management.jmxremote.* flags in KAFKA_JMX_OPTS)");
            }
        }
        for (String var : JVM_OPTION_VARS) {
            String v = env.get(var);
            if (v == null) {
                continue;
            }
            for (String w : words(v)) {
                if (w.startsWith("-Xmx") || w.startsWith("-Xms") || w.startsWith("-XX:MaxRAM") || w.startsWith("-XX:InitialRAM")) {
                    problems.add("env " + var + ": the heap flag " + w + "; the agent sizes heaps: remove it, and set "
                            + "AGENT_HEAP_MB_<SERVICE> or AGENT_MEMORY_MB instead");
                }
                if (w.startsWith("-Dlog4j.configuration=") || w.startsWith("-Dlog4j2.configurationFile=")
                        || w.startsWith("-Dlog4j.configurationFile=")) {
                    problems.add("env " + var + ": a log config flag; the agent renders the log configs (they keep credentials out "
                            + "of the log): remove it, and set levels with KAFKA_LOG4J_ROOT_LOGLEVEL and KAFKA_LOG4J_LOGGERS");
                }
            }
        }
    }

    private static final List<String> JVM_OPTION_VARS = List.of("KAFKA_JVM_PERFORMANCE_OPTS", "KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS", "KAFKA_OPTS");

    /**
     * The JVM command line of a Kafka or ZooKeeper service with the script variables applied as
     * {@code kafka-run-class.sh} applies them: {@code KAFKA_JVM_PERFORMANCE_OPTS} in place of the
     * catalog's garbage-collector flags (Kafka's defaults, as the script's are); {@code KAFKA_GC_LOG_OPTS},
     * {@code KAFKA_JMX_OPTS} and {@code KAFKA_OPTS} before the class path (so they win over the
     * catalog's flags, as the script's order makes them win over its defaults).
     */
    static List<String> jvmCommand(String service, List<String> argv, Map<String, String> env) {
        if (!JVM_OPTION_SERVICES.contains(service)) {
            return argv;
        }
        Map<String, List<String>> opts = new TreeMap<>();
        for (String var : JVM_OPTION_VARS) {
            if (env.containsKey(var)) {
                opts.put(var, words(env.get(var)));
            }
        }
        if (opts.isEmpty()) {
            return argv;
        }
        List<String> out = new ArrayList<>();
        boolean performanceDone = !opts.containsKey("KAFKA_JVM_PERFORMANCE_OPTS");
        boolean tailDone = false;
        for (String a : argv) {
            if (!performanceDone && isPerformanceFlag(a)) {
                out.addAll(opts.get("KAFKA_JVM_PERFORMANCE_OPTS"));
                performanceDone = true;
                continue;
            }
            if (opts.containsKey("KAFKA_JVM_PERFORMANCE_OPTS") && isPerformanceFlag(a)) {
                continue;
            }
            if (!tailDone && (a.equals("-cp") || a.equals("-classpath") || a.equals("-jar"))) {
                if (!performanceDone) {
                    out.addAll(opts.get("KAFKA_JVM_PERFORMANCE_OPTS"));
                    performanceDone = true;
                }
                for (String var : List.of("KAFKA_GC_LOG_OPTS", "KAFKA_JMX_OPTS", "KAFKA_OPTS")) {
                    out.addAll(opts.getOrDefault(var, List.of()));
                }
                tailDone = true;
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    /** The flags of {@code KAFKA_JVM_PERFORMANCE_OPTS}'s default: the collector and its tuning. */
    static boolean isPerformanceFlag(String arg) {
        return (arg.startsWith("-XX:+Use") && arg.endsWith("GC")) || arg.startsWith("-XX:MaxGCPauseMillis=")
                || arg.startsWith("-XX:InitiatingHeapOccupancyPercent=") || arg.equals("-XX:+ExplicitGCInvokesConcurrent")
                || arg.startsWith("-XX:MaxInlineLevel=") || arg.equals("-server");
    }
}
