package dev.dockhand.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The migration's preconditions, read from a KRaft controller's metrics as the JMX exporter prints them. */
class ZkMigrationCheckTest {
    static String page(int state, int zkBrokers) {
        return "# HELP kafka_controller_kafkacontroller_zkmigrationstate Attribute exposed for management\n"
                + "# TYPE kafka_controller_kafkacontroller_zkmigrationstate gauge\n"
                + "kafka_controller_kafkacontroller_zkmigrationstate " + state + ".0\n"
                + "kafka_controller_kafkacontroller_migratingzkbrokercount " + zkBrokers + ".0\n";
    }

    @Test
    void brokersGoIntoKraftModeOnlyOnceTheMetadataIsMigrated() {
        HealthResult pre = ZkMigrationCheck.judge(page(2, 3), false, 1);
        assertFalse(pre.ok());
        assertTrue(pre.alive());
        assertEquals("ZkMigrationState PRE_MIGRATION, 3 broker(s) in ZooKeeper mode: the metadata is not migrated yet (all brokers must "
                + "run with the migration settings, phase migration, before the controller copies it)", pre.detail());
        assertTrue(ZkMigrationCheck.judge(page(1, 3), false, 1).ok(), "dual write: the brokers may go");
        assertTrue(ZkMigrationCheck.judge(page(3, 0), false, 1).ok(), "finalized: a broker restarted late may go too");
        assertFalse(ZkMigrationCheck.judge(page(0, 0), false, 1).ok(), "NONE: no migration under way");
    }

    @Test
    void controllersLeaveMigrationModeOnlyOnceNoBrokerIsInZooKeeperMode() {
        HealthResult left = ZkMigrationCheck.judge(page(1, 1), true, 1);
        assertFalse(left.ok());
        assertTrue(left.detail().startsWith("ZkMigrationState MIGRATION, 1 broker(s) in ZooKeeper mode: every broker must run in KRaft "
                + "mode (phase kraft-brokers)"), left.detail());
        assertTrue(ZkMigrationCheck.judge(page(1, 0), true, 1).ok());
        assertTrue(ZkMigrationCheck.judge(page(3, 0), true, 1).ok());
    }

    @Test
    void aPageWithoutTheStateIsNoAnswer() {
        HealthResult r = ZkMigrationCheck.judge("jvm_threads_current 40.0\n", false, 1);
        assertFalse(r.alive(), "not a controller that can tell");
        assertTrue(r.detail().contains("lack kafka_controller_kafkacontroller_zkmigrationstate"), r.detail());
        assertEquals(2.0, ZkMigrationCheck.value("x{a=\"b\"} 2.0 1700000000\n", "x"));
        assertTrue(Double.isNaN(ZkMigrationCheck.value("xy 2.0\n", "x")), "another series that starts with the name");
    }

    @Test
    void asksTheExportersMetricsPageOverHttp() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicReference<String> asked = new AtomicReference<>();
        server.createContext("/metrics", x -> {
            asked.set(x.getRequestURI().toString());
            byte[] body = page(1, 0).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        try {
            HealthResult r = new ZkMigrationCheck(true).check("127.0.0.1", server.getAddress().getPort(), Duration.ofSeconds(5));
            assertTrue(r.ok(), r.detail());
            assertEquals("ZkMigrationState MIGRATION, 0 broker(s) in ZooKeeper mode", r.detail());
            assertEquals(ZkMigrationCheck.PATH, asked.get());
        } finally {
            server.stop(0);
        }
    }
}
