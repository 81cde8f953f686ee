package dev.dockhand.agent.catalog;

import java.util.List;

/**
 * What a health probe asks, parsed once at the catalog's edge: one record per probe type, so that a
 * new type is a new record here and one case where probes are made ({@code health.Probes}).
 */
public sealed interface ProbeSpec {

    /**
     * The catalog's name of the type: {@code tcp}, {@code http}, {@code zookeeper}, {@code kafka},
     * {@code kafka-quorum}, {@code exec}, {@code none}.
     */
    String type();

    /** The TCP port asked over the network; 0 for {@code exec} and {@code none}. */
    default int port() {
        return 0;
    }

    /** The same probe asked at {@code port} (a secured broker is probed on its internal listener). */
    default ProbeSpec atPort(int port) {
        return this;
    }

    /** No probe: the service counts as ready once it runs. */
    record None() implements ProbeSpec {
        @Override
        public String type() {
            return "none";
        }
    }

    /** Ready when the port accepts a connection. */
    record Tcp(int port) implements ProbeSpec {
        @Override
        public String type() {
            return "tcp";
        }

        @Override
        public ProbeSpec atPort(int p) {
            return new Tcp(p);
        }
    }

    /** Ready when {@code GET path} answers {@code expectStatus} (and its body holds {@code expectBody}, if given). */
    record Http(int port, String path, int expectStatus, String expectBody) implements ProbeSpec {
        @Override
        public String type() {
            return "http";
        }

        @Override
        public ProbeSpec atPort(int p) {
            return new Http(p, path, expectStatus, expectBody);
        }
    }

    /** ZooKeeper's {@code ruok} and {@code srvr}: ready when it serves as leader, follower or standalone. */
    record ZooKeeper(int port) implements ProbeSpec {
        @Override
        public String type() {
            return "zookeeper";
        }

        @Override
        public ProbeSpec atPort(int p) {
            return new ZooKeeper(p);
        }
    }

    /**
     * A Kafka ApiVersions request: alive when the broker answers it. With {@code inSync}, ready only
     * once the broker is registered and back in the ISR of every partition it hosts (partitions with no
     * live leader excepted: nothing there to catch up with): "safe to roll the next one".
     */
    record Kafka(int port, boolean inSync) implements ProbeSpec {
        @Override
        public String type() {
            return "kafka";
        }

        @Override
        public ProbeSpec atPort(int p) {
            return new Kafka(p, inSync);
        }
    }

    /**
     * A KRaft controller (Kafka's DescribeQuorum, API key 55, on its controller listener {@code port}):
     * ready when the quorum has a leader and this node is one of its voters, fetching from the leader and
     * caught up with it (or is the leader). With {@code brokerPort} (a combined broker and controller),
     * also when the broker there is registered, unfenced and in sync, as {@link Kafka} with inSync.
     * Another node's controller, waited for, is ready when it is the quorum's leader.
     */
    record KafkaQuorum(int port, int brokerPort) implements ProbeSpec {
        @Override
        public String type() {
            return "kafka-quorum";
        }
    }

    /** A command run next to the service: ready when it exits 0 within the timeout. */
    record Exec(List<String> command) implements ProbeSpec {
        public Exec {
            command = List.copyOf(command);
        }

        @Override
        public String type() {
            return "exec";
        }
    }

    /**
     * A precondition of the ZooKeeper-to-KRaft migration (ADR 012), asked of the KRaft controllers'
     * metrics ({@code port}: the JMX exporter's {@code /metrics}): met when a controller reports the
     * metadata migrated ({@code ZkMigrationState} MIGRATION or POST_MIGRATION) and, with
     * {@code noZooKeeperBrokers}, no broker left registered in ZooKeeper mode. Made by the planner for a
     * node that moves to the next phase; a catalog does not name it.
     */
    record ZkMigration(int port, boolean noZooKeeperBrokers) implements ProbeSpec {
        @Override
        public String type() {
            return "zk-migration";
        }

        @Override
        public ProbeSpec atPort(int p) {
            return new ZkMigration(p, noZooKeeperBrokers);
        }
    }

    /** The types a catalog may name. */
    List<String> TYPES = List.of("tcp", "http", "zookeeper", "kafka", "kafka-quorum", "exec", "none");
}
