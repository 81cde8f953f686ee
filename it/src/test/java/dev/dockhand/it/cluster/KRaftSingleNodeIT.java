package dev.dockhand.it.cluster;

import dev.dockhand.it.lab.Need;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Timing;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The kraft-single-node cluster config (the dev stack's KRaft twin): one agent as PID 1 in its own namespaces
 * runs a combined broker and controller on Kafka 4, the registry, the console and a Kafka Connect worker
 * (Kafka 3.9's, with its file and MirrorMaker 2 plugins, a client of the Kafka 4 broker: ADR 022). It formats its storage on
 * the first start, is ready with a quorum of one, serves records, and after a clean stop starts again without
 * formatting.
 */
class KRaftSingleNodeIT {

    @Test
    void formatsOnceServesAndRestartsWithoutFormatting() {
        String why = LabCluster.unsupportedReason();
        Need.that(why == null, () -> "kraft-single-node in a network namespace: " + why);
        try (LabCluster cluster = new LabCluster(LabCluster.kraftSingleNode(), "kraft-single-node",
                Path.of("target/kraft-single-node").toAbsolutePath())) {
            LabNode n = cluster.node("kdev-1");
            n.start();
            Timing.awaitValue("the node ready", Duration.ofMinutes(4), Duration.ofMillis(250),
                    () -> cluster.readyOrExited(n) ? Boolean.TRUE : null, cluster::describe);
            assertTrue(n.logText().contains("kraft-combined: prepare step format: done"), "formatted on the first start");
            JsonNode quorum = n.status().path("quorum");
            assertEquals(1, quorum.path("leaderId").asInt(), "the node leads a quorum of one: " + quorum);
            assertEquals(1, quorum.path("voters").size(), quorum.toString());
            assertEquals(200, n.http(8081, "/apis/ccompat/v7/subjects").statusCode(), "the registry answers");
            var plugins = n.http(8083, "/connector-plugins");
            assertEquals(200, plugins.statusCode(), "the Connect worker answers: " + plugins.body());
            for (String plugin : List.of("FileStreamSourceConnector", "FileStreamSinkConnector", "MirrorSourceConnector")) {
                assertTrue(plugins.body().contains("org.apache.kafka.connect." + (plugin.startsWith("Mirror") ? "mirror." : "file.") + plugin),
                        "the worker loads the shipped plugin " + plugin + ": " + plugins.body());
            }
            try (Kafka kafka = new Kafka(cluster.bootstrap())) {
                assertEquals(Set.of(1), kafka.brokerIds());
                kafka.createTopic("dev", 3, 1, 1);
                Kafka.Produced p = kafka.produce("dev", "first", 300);
                assertEquals(List.of(), p.errors());
                assertTrue(kafka.consumeAll("dev", p.acked(), Duration.ofSeconds(60)).containsAll(p.acked()));
            }

            n.signalAgent("TERM");
            assertEquals(0, n.awaitExit(Duration.ofSeconds(120)), "clean stop: " + n.tail(20));
            n.start();
            Timing.awaitValue("the node ready again", Duration.ofMinutes(3), Duration.ofMillis(250),
                    () -> cluster.readyOrExited(n) ? Boolean.TRUE : null, cluster::describe);
            String again = n.logSinceStart();
            assertTrue(again.contains("kraft-combined: prepare step format: skipped"), "never formatted twice");
            try (Kafka kafka = new Kafka(cluster.bootstrap())) {
                Kafka.Produced p = kafka.produce("dev", "second", 100);
                assertEquals(List.of(), p.errors());
                assertTrue(kafka.consumeAll("dev", p.acked(), Duration.ofSeconds(60)).containsAll(p.acked()));
            }
        }
    }
}
