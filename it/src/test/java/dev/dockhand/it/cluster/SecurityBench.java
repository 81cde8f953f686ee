package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Figures, not assertions: what securing a cluster costs. The dev stack (one node) and the production
 * cluster (8 nodes in network namespaces), each plaintext then secured in the same run: time from the
 * agents' start to every node READY, and the throughput of one producer with acks=all (idempotent, the
 * clients' listener: PLAINTEXT, or SASL_SSL with SCRAM-SHA-512) and of one consumer reading it back.
 *
 * <p>Run: {@code it/bench/security-bench.sh}; the table is printed and written to
 * {@code it/target/bench/security.md}.
 */
class SecurityBench {
    static final Path BASE = Path.of("target/bench").toAbsolutePath();
    static final int RECORDS = Integer.getInteger("bench.records", 20_000);
    static final StringBuilder TABLE = new StringBuilder();

    @BeforeAll
    static void setUp() {
        String why = LabCluster.unsupportedReason();
        assumeTrue(why == null, () -> "benchmark skipped: " + why);
        TABLE.append("| stack | listeners | agents' start → all READY | produce ").append(RECORDS)
                .append(" records, acks=all | consume them |\n|---|---|---:|---:|---:|\n");
    }

    @AfterAll
    static void print() throws IOException {
        String out = "\nSecured vs plaintext, " + Runtime.getRuntime().availableProcessors() + " cores, timing.multiple "
                + Timing.MULTIPLE + ":\n\n" + TABLE;
        System.out.println(out);
        Files.createDirectories(BASE);
        Files.writeString(BASE.resolve("security.md"), out, StandardCharsets.UTF_8);
    }

    @TestFactory
    List<DynamicTest> runs() {
        return List.of(
                DynamicTest.dynamicTest("dev stack, plaintext", () -> run("dev (1 node)", LabCluster.singleNode(), "single-node", false)),
                DynamicTest.dynamicTest("dev stack, secured", () -> run("dev (1 node)", LabCluster.singleNode(), "single-node", true)),
                DynamicTest.dynamicTest("production, plaintext", () -> run("production (8 nodes)", LabCluster.production(), "production", false)),
                DynamicTest.dynamicTest("production, secured", () -> run("production (8 nodes)", LabCluster.production(), "production", true)));
    }

    static void run(String stack, List<LabCluster.NodeSpec> specs, String config, boolean secured) {
        LabTls tls = secured ? new LabTls(BASE.resolve("security-secrets"), null) : null;
        try (LabCluster cluster = new LabCluster(specs, config, BASE.resolve("security"), tls)) {
            long t0 = System.nanoTime();
            cluster.startAll();
            Timing.awaitValue("every node ready", Duration.ofMinutes(8), Duration.ofMillis(100),
                    () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
            double ready = (System.nanoTime() - t0) / 1e9;
            Map<String, String> client = secured ? tls.kafkaClient(LabTls.APP_USER, LabTls.APP_PASSWORD) : Map.of();
            try (Kafka kafka = new Kafka(cluster.bootstrap(), client)) {
                int brokers = kafka.brokerIds().size();
                kafka.createTopic("bench", 3, Math.min(3, brokers), Math.min(2, brokers));
                kafka.produce("bench", "warm-up", 500);
                long p0 = System.nanoTime();
                Kafka.Produced p = kafka.produce("bench", "r", RECORDS);
                double produce = (System.nanoTime() - p0) / 1e9;
                long c0 = System.nanoTime();
                int read = kafka.consumeAll("bench", p.acked(), Duration.ofMinutes(3)).size();
                double consume = (System.nanoTime() - c0) / 1e9;
                TABLE.append(String.format("| %s | %s | %.1f s | %.0f records/s (%d acked, %d errors) | %.0f records/s (%d read) |%n",
                        stack, secured ? "TLS, SCRAM" : "plaintext", ready, p.acked().size() / produce, p.acked().size(), p.errors().size(),
                        read / consume, read));
            }
        }
    }
}
