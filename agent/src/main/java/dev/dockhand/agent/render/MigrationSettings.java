package dev.dockhand.agent.render;

import dev.dockhand.agent.catalog.Macro;
import dev.dockhand.agent.catalog.MigrationPhase;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings that Kafka 3.9's ZooKeeper-to-KRaft migration documents for each step, applied to the
 * rendered {@code server.properties} of the Kafka services of a node in a migration phase (ADR 012).
 * The templates stay those of ZooKeeper mode and of KRaft; a phase only sets and removes the keys the
 * migration is about, so that a broker is the same broker in every phase but for them. Env overrides
 * ({@code KAFKA_CFG_*}) are applied after these and win.
 *
 * <ul>
 *   <li>Controllers, while the migration runs ({@code migration}, {@code kraft-brokers}): migration mode
 *       ({@code zookeeper.metadata.migration.enable}, {@code zookeeper.connect}), the brokers' listener
 *       for the RPCs the controller sends them, and a static quorum: Kafka 3.9 migrates only with
 *       {@code controller.quorum.voters}, not a dynamic quorum.
 *   <li>Brokers in {@code migration}: still ZooKeeper mode, plus the controller quorum, its listener,
 *       the migration flag and {@code inter.broker.protocol.version=3.9}.
 *   <li>Brokers in {@code kraft-brokers} and after: KRaft mode under their old id ({@code node.id} is
 *       the {@code broker.id} they had), no ZooKeeper setting left.
 *   <li>Every Kafka node in {@code kraft}: the same static quorum, also after the move to Kafka 4 (the
 *       voters were fixed when the controllers were formatted for the migration).
 * </ul>
 *
 * A secured node stays secured in every phase (ADR 017): the listeners' protocols are the secured templates' names
 * (mutual TLS on CONTROLLER and INTERNAL), a controller in migration mode reaches ZooKeeper over TLS as the identity the
 * brokers share toward it, and a broker in KRaft mode authorizes with {@code StandardAuthorizer}.
 */
public final class MigrationSettings {
    /** The listener of the KRaft controllers, as the KRaft templates name it. */
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The protocol of every listener of a plaintext cluster. */
    static final String PROTOCOL_MAP = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
    /**
     * The protocol of every listener of a secured cluster (ADR 013, 014, 017): the clients' SASL_SSL, the nodes' mutual
     * TLS among brokers (INTERNAL) and to the controllers (CONTROLLER), as the secured templates of both modes name them.
     */
    static final String SECURED_PROTOCOL_MAP = "CLIENT:SASL_SSL,INTERNAL:SSL,CONTROLLER:SSL";
    /** What a secured controller in migration mode has of the brokers' listeners: the one it sends their RPCs on. */
    static final String SECURED_CONTROLLER_PROTOCOL_MAP = "CONTROLLER:SSL,INTERNAL:SSL";
    /** The authorizer of every KRaft node: ACLs in the metadata log, where the migration copied ZooKeeper's. */
    static final String STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
    /** Every ZooKeeper setting a ZooKeeper-mode broker may have, none of which a KRaft-mode broker keeps. */
    static final List<String> ZOOKEEPER_KEYS = List.of("broker.id", "zookeeper.connect", "zookeeper.connection.timeout.ms",
            "zookeeper.session.timeout.ms", "zookeeper.metadata.migration.enable", "inter.broker.protocol.version",
            "zookeeper.ssl.client.enable", "zookeeper.clientCnxnSocket", "zookeeper.ssl.keystore.type", "zookeeper.ssl.keystore.location",
            "zookeeper.ssl.truststore.type", "zookeeper.ssl.truststore.location", "zookeeper.ssl.enabled.protocols", "zookeeper.set.acl");
    /** Kafka 3.9's documented value for brokers during the migration. */
    static final String INTER_BROKER_PROTOCOL = "3.9";

    private MigrationSettings() {}

    /**
     * What {@code phase} sets ({@code key -> value}) and removes ({@code key -> null}) in the
     * {@code server.properties} of {@code serviceId}, in that order; empty for a service the migration
     * leaves alone.
     */
    public static Map<String, String> of(MigrationPhase phase, String serviceId, Map<Macro, String> macros, boolean secured) {
        Map<String, String> out = new LinkedHashMap<>();
        if (phase == null) {
            return out;
        }
        String voters = macros.get(Macro.KRAFT_VOTERS);
        String brokers = secured ? SECURED_PROTOCOL_MAP : PROTOCOL_MAP;
        switch (serviceId) {
            case ServiceIds.KRAFT_CONTROLLER -> {
                out.put("controller.quorum.bootstrap.servers", null);
                out.put("controller.quorum.voters", voters);
                if (phase.controllersMigrating()) {
                    out.put("zookeeper.metadata.migration.enable", "true");
                    out.put("zookeeper.connect", macros.get(Macro.ZOOKEEPER_SERVICE_STRING));
                    // the controller sends the ZooKeeper-mode brokers their RPCs over their listener: on a secured
                    // cluster the brokers' INTERNAL, mutual TLS with the controller's own certificate (a super user)
                    out.put("inter.broker.listener.name", secured ? "INTERNAL" : "PLAINTEXT");
                    out.put("listener.security.protocol.map", secured ? SECURED_CONTROLLER_PROTOCOL_MAP : PROTOCOL_MAP);
                    if (secured) {
                        zooKeeperTls(out, macros);
                    }
                }
            }
            case ServiceIds.KAFKA_BROKER -> {
                if (phase.brokersInKraft()) {
                    for (String zk : ZOOKEEPER_KEYS) {
                        out.put(zk, null);
                    }
                    out.put("process.roles", "broker");
                    out.put("node.id", macros.get(Macro.UNIQUE_SELF_NODE_INT));
                    if (secured) {
                        // Kafka 3.9's step for brokers into KRaft mode: AclAuthorizer reads ZooKeeper, StandardAuthorizer the
                        // metadata log, which holds the ACLs the controllers copied from ZooKeeper
                        out.put("authorizer.class.name", STANDARD_AUTHORIZER);
                    }
                } else {
                    out.put("zookeeper.metadata.migration.enable", "true");
                    out.put("inter.broker.protocol.version", INTER_BROKER_PROTOCOL);
                }
                out.put("controller.quorum.voters", voters);
                out.put("controller.listener.names", CONTROLLER_LISTENER);
                // secured: the brokers reach the controllers' listener with their own certificates (ssl.keystore.*)
                out.put("listener.security.protocol.map", brokers);
            }
            case ServiceIds.KRAFT_BROKER -> {
                out.put("controller.quorum.bootstrap.servers", null);
                out.put("controller.quorum.voters", voters);
            }
            default -> {
                // ZooKeeper, the registry, the console: the migration is Kafka's alone
            }
        }
        return out;
    }

    /**
     * ZooKeeper over TLS for a secured controller in migration mode, as the brokers reach it (templates/kafka-broker/
     * server-tls.properties): the identity every broker shares toward ZooKeeper ({@code zk-client.pem}), since the
     * znodes' ACLs name it and the controller rewrites the brokers' znodes in dual write, and {@code zookeeper.set.acl}
     * so that what it creates is ACL'd as theirs.
     */
    private static void zooKeeperTls(Map<String, String> out, Map<Macro, String> macros) {
        String tls = macros.get(Macro.TLS_DIR);
        out.put("zookeeper.ssl.client.enable", "true");
        out.put("zookeeper.clientCnxnSocket", "org.apache.zookeeper.ClientCnxnSocketNetty");
        out.put("zookeeper.ssl.keystore.type", "PEM");
        out.put("zookeeper.ssl.keystore.location", tls + "/zk-client.pem");
        out.put("zookeeper.ssl.truststore.type", "PEM");
        out.put("zookeeper.ssl.truststore.location", tls + "/ca.crt");
        out.put("zookeeper.ssl.enabled.protocols", "TLSv1.3,TLSv1.2");
        out.put("zookeeper.set.acl", "true");
    }

    /**
     * {@code text} (a properties file) with {@code settings} applied: a key set replaces its line or is
     * appended under a heading that names the phase; a key removed is left as a comment saying why.
     */
    public static String apply(String text, Map<String, String> settings, MigrationPhase phase) {
        if (settings.isEmpty()) {
            return text;
        }
        List<String> lines = new ArrayList<>(text.lines().toList());
        Map<String, String> left = new LinkedHashMap<>(settings);
        for (int i = 0; i < lines.size(); i++) {
            String key = Overrides.keyOfLine(lines.get(i));
            if (key == null || !settings.containsKey(key)) {
                continue;
            }
            String value = settings.get(key);
            lines.set(i, value == null ? "# " + key + ": not set in migration phase " + phase.id + " (ADR 012)"
                    : PropertiesText.key(key) + "=" + PropertiesText.value(value));
            left.remove(key);
        }
        left.values().removeIf(v -> v == null);
        if (!left.isEmpty()) {
            lines.add("");
            lines.add("############################# ZooKeeper to KRaft: migration phase " + phase.id + " #############################");
            left.forEach((k, v) -> lines.add(PropertiesText.key(k) + "=" + PropertiesText.value(v)));
        }
        return String.join("\n", lines) + "\n";
    }

    /** The agent's format wrapper (users in the bootstrap metadata), followed by its lib dir, security and users file. */
    static final String STORAGE_FORMAT = "dev.dockhand.agent.access.StorageFormat";

    /**
     * The storage format step of a controller formatted for the migration: with ZooKeeper's cluster id
     * (read from {@code /cluster/id} by {@code libexec/format-with-zookeeper-cluster-id} just before it
     * formats) instead of the id derived from the cluster name, and without initial controllers: the
     * migration needs a static quorum ({@code controller.quorum.voters}), fixed by the config.
     */
    public static List<String> formatCommand(List<String> argv, String homeDir, String zookeeperConnect, String zooKeeperTlsConfig) {
        List<String> out = new ArrayList<>(List.of(homeDir + "/libexec/format-with-zookeeper-cluster-id", zookeeperConnect));
        if (zooKeeperTlsConfig != null) {
            // a secured ZooKeeper takes TLS only, with a certificate of the cluster's CA: the node's, in the settings its
            // zookeeper-shell reads (Kafka's names)
            out.addAll(List.of("--zk-tls-config-file", zooKeeperTlsConfig));
        }
        out.add("--");
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals(STORAGE_FORMAT) && i + 3 < argv.size() && out.size() >= 2 && out.get(out.size() - 2).equals("-cp")) {
                // Kafka's own tool, from the Kafka line's lib dir: no users to add, the migration copies ZooKeeper's SCRAM
                // credentials and ACLs into the metadata log; and the script reads ZooKeeper's cluster id with the classes
                // of the format command's class path
                out.set(out.size() - 1, argv.get(i + 1) + "/*");
                out.add("kafka.tools.StorageTool");
                i += 3;
                continue;
            }
            if ((a.equals("--cluster-id") || a.equals("--initial-controllers")) && i + 1 < argv.size()) {
                i++;
                continue;
            }
            if (a.startsWith("--cluster-id=") || a.startsWith("--initial-controllers=")) {
                continue;
            }
            out.add(a);
        }
        return out;
    }

    /**
     * The storage format step of a broker added to a migrated cluster (a KRaft broker that keeps phase {@code kraft}):
     * with the cluster id the controllers tell ({@code libexec/format-with-quorum-cluster-id}, through the node's client
     * config: mutual TLS with its certificate on a secured cluster), since the cluster's id is ZooKeeper's, not the one
     * derived from the cluster name, and ZooKeeper is gone.
     */
    public static List<String> brokerFormatCommand(List<String> argv, String homeDir, String controllers, String clientConfig) {
        List<String> out = new ArrayList<>(List.of(homeDir + "/libexec/format-with-quorum-cluster-id", controllers, clientConfig, "--"));
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--cluster-id") && i + 1 < argv.size()) {
                i++;
                continue;
            }
            if (!a.startsWith("--cluster-id=")) {
                out.add(a);
            }
        }
        return out;
    }
}
