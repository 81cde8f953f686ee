package dev.dockhand.agent.health;

import dev.dockhand.agent.core.PrometheusText;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Whether a KRaft controller reports the ZooKeeper-to-KRaft migration far enough for the next phase
 * (ADR 012), from its own metrics ({@code kafka.controller:type=KafkaController}, exported by the JMX
 * exporter on the controller's metrics port). Kafka keeps the migration state in the metadata log
 * ({@code ZkMigrationStateRecord}), which every controller replays, so any controller that answers
 * tells the quorum's state:
 *
 * <ul>
 *   <li>{@code ZkMigrationState}: 0 NONE, 1 MIGRATION (metadata copied from ZooKeeper, dual write),
 *       2 PRE_MIGRATION (waiting for the brokers, or copying), 3 POST_MIGRATION (finalized), 4 ZK;
 *   <li>{@code MigratingZkBrokerCount}: brokers registered with the controller in ZooKeeper mode.
 * </ul>
 *
 * Ready when the state is MIGRATION or POST_MIGRATION and, with {@code noZooKeeperBrokers}, no
 * ZooKeeper-mode broker is registered any more (or the state is already POST_MIGRATION).
 */
final class ZkMigrationCheck implements HealthCheck {
    static final String STATE = "kafka_controller_kafkacontroller_zkmigrationstate";
    static final String ZK_BROKERS = "kafka_controller_kafkacontroller_migratingzkbrokercount";
    /** Only the two series, where the exporter filters (Prometheus' {@code name[]}); the whole page where it does not. */
    static final String PATH = "/metrics?name[]=" + STATE + "&name[]=" + ZK_BROKERS;

    static final int MIGRATION = 1;
    static final int PRE_MIGRATION = 2;
    static final int POST_MIGRATION = 3;

    private final boolean noZooKeeperBrokers;

    ZkMigrationCheck(boolean noZooKeeperBrokers) {
        this.noZooKeeperBrokers = noZooKeeperBrokers;
    }

    @Override
    public HealthResult check(String host, int port, Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try (Socket s = Probes.connect(host, port, deadline)) {
            s.getOutputStream().write(("GET " + PATH + " HTTP/1.1\r\nHost: " + host + ":" + port
                    + "\r\nUser-Agent: dockhand-agent\r\nAccept: text/plain\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = DeadlineInput.of(s, deadline);
            String head = HttpCheck.readHead(in);
            int status = HttpCheck.status(head);
            if (status != 200) {
                return HealthResult.failed("GET /metrics answered " + status, Probes.since(start));
            }
            return judge(HttpCheck.body(in, head), noZooKeeperBrokers, Probes.since(start));
        } catch (IOException | IllegalArgumentException e) {
            return HealthResult.failed(Probes.describe(e, host, port), Probes.since(start));
        }
    }

    /** The verdict on a controller's metrics page; alive whenever it answered with them. */
    static HealthResult judge(String metrics, boolean noZooKeeperBrokers, long latencyMs) {
        double state = value(metrics, STATE);
        if (Double.isNaN(state)) {
            return HealthResult.failed("the controller's metrics lack " + STATE + " (not a Kafka 3.9 controller, or its metrics "
                    + "exporter is not set up)", latencyMs);
        }
        int s = (int) state;
        double zk = value(metrics, ZK_BROKERS);
        int zkBrokers = Double.isNaN(zk) ? -1 : (int) zk;
        String said = "ZkMigrationState " + name(s) + (zkBrokers >= 0 ? ", " + zkBrokers + " broker(s) in ZooKeeper mode" : "");
        if (s != MIGRATION && s != POST_MIGRATION) {
            return HealthResult.notReady(said + ": the metadata is not migrated yet (all brokers must run with the migration "
                    + "settings, phase migration, before the controller copies it)", latencyMs);
        }
        if (noZooKeeperBrokers && s == MIGRATION && zkBrokers != 0) {
            return HealthResult.notReady(said + ": every broker must run in KRaft mode (phase kraft-brokers) before the "
                    + "controllers leave migration mode", latencyMs);
        }
        return HealthResult.ok(said, latencyMs);
    }

    /** The state's name as Kafka spells it. */
    static String name(int state) {
        return switch (state) {
            case 0 -> "NONE";
            case MIGRATION -> "MIGRATION";
            case PRE_MIGRATION -> "PRE_MIGRATION";
            case POST_MIGRATION -> "POST_MIGRATION";
            case 4 -> "ZK";
            default -> String.valueOf(state);
        };
    }

    /** The value of the series {@code name} in Prometheus' text format (its first sample), or NaN when absent. */
    static double value(String metrics, String name) {
        return PrometheusText.parse(metrics).value(name).orElse(Double.NaN);
    }
}
