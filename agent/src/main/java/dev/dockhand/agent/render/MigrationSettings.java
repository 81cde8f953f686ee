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
 */
public final class MigrationSettings {
    /** The listener of the KRaft controllers, as the KRaft templates name it. */
    static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** The protocol of every listener: the migration is for plaintext clusters (ADR 009, 012). */
    static final String PROTOCOL_MAP = "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT";
    /** Kafka 3.9's documented value for brokers during the migration. */
    static final String INTER_BROKER_PROTOCOL = "3.9";

    private MigrationSettings() {}

    /**
     * What {@code phase} sets ({@code key -> value}) and removes ({@code key -> null}) in the
     * {@code server.properties} of {@code serviceId}, in that order; empty for a service the migration
     * leaves alone.
     */
    public static Map<String, String> of(MigrationPhase phase, String serviceId, Map<Macro, String> macros) {
        Map<String, String> out = new LinkedHashMap<>();
        if (phase == null) {
            return out;
        }
        String voters = macros.get(Macro.KRAFT_VOTERS);
        switch (serviceId) {
            case ServiceIds.KRAFT_CONTROLLER -> {
                out.put("controller.quorum.bootstrap.servers", null);
                out.put("controller.quorum.voters", voters);
                if (phase.controllersMigrating()) {
                    out.put("zookeeper.metadata.migration.enable", "true");
                    out.put("zookeeper.connect", macros.get(Macro.ZOOKEEPER_SERVICE_STRING));
                    // the controller sends the ZooKeeper-mode brokers their RPCs over their listener
                    out.put("inter.broker.listener.name", "PLAINTEXT");
                    out.put("listener.security.protocol.map", PROTOCOL_MAP);
                }
            }
            case ServiceIds.KAFKA_BROKER -> {
                if (phase.brokersInKraft()) {
                    for (String zk : List.of("broker.id", "zookeeper.connect", "zookeeper.connection.timeout.ms",
                            "zookeeper.session.timeout.ms", "zookeeper.metadata.migration.enable", "inter.broker.protocol.version")) {
                        out.put(zk, null);
                    }
                    out.put("process.roles", "broker");
                    out.put("node.id", macros.get(Macro.UNIQUE_SELF_NODE_INT));
                } else {
                    out.put("zookeeper.metadata.migration.enable", "true");
                    out.put("inter.broker.protocol.version", INTER_BROKER_PROTOCOL);
                }
                out.put("controller.quorum.voters", voters);
                out.put("controller.listener.names", CONTROLLER_LISTENER);
                out.put("listener.security.protocol.map", PROTOCOL_MAP);
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
    public static List<String> formatCommand(List<String> argv, String homeDir, String zookeeperConnect) {
        List<String> out = new ArrayList<>(List.of(homeDir + "/libexec/format-with-zookeeper-cluster-id", zookeeperConnect, "--"));
        for (int i = 0; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals(STORAGE_FORMAT) && i + 3 < argv.size() && out.size() >= 2 && out.get(out.size() - 2).equals("-cp")) {
                // Kafka's own tool, from the Kafka line's lib dir: a migration runs plaintext (no users to add), and the
                // script reads ZooKeeper's cluster id with the classes of the format command's class path
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
}
