package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Figures, not assertions: the {@code production} cluster (ZooKeeper, Kafka 3.9) and the {@code kraft} cluster
 * (KRaft controllers, Kafka 4) in network namespaces, one after the other in the same run, each measured the
 * same way: time from the first agent's start to every agent READY, and, with a topic of RF 3 and
 * {@code min.insync.replicas=2} written with acks=all, time from {@code kill -9} of one broker to its agent
 * READY again (restarted, registered, in sync) and to every partition back in full ISR. Rounds: {@code
 * -Dbench.runs=N} (default 1). it/bench/kraft-bench.sh runs it; the table lands in it/target/bench/kraft.md.
 */
class KRaftBench {
    static final Path BASE = Path.of("target/bench").toAbsolutePath();
    static final String TOPIC = "bench";
    static final Map<String, List<double[]>> results = new LinkedHashMap<>();

    @AfterAll
    static void print() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("| cluster config | every node READY | kill -9 of a broker -> its agent READY | kill -9 of a broker -> full ISR |\n");
        out.append("|---|---|---|---|\n");
        results.forEach((config, rows) -> out.append("| ").append(config).append(" | ").append(column(rows, 0)).append(" | ")
                .append(column(rows, 1)).append(" | ").append(column(rows, 2)).append(" |\n"));
        out.append("\n(").append(Integer.getInteger("bench.runs", 1)).append(" round(s); each round's figure, or the median (min..max) over more than 3; ")
                .append("both clusters in the same run, 8 agents in network namespaces on this machine)\n");
        Files.createDirectories(BASE);
        Files.writeString(BASE.resolve("kraft.md"), out, StandardCharsets.UTF_8);
        System.out.println(out);
    }

    /** Each round's figure when there are few, else the median and the range. */
    static String column(List<double[]> rows, int i) {
        List<Double> v = new ArrayList<>();
        rows.forEach(r -> v.add(r[i]));
        if (v.size() <= 3) {
            return String.join(", ", v.stream().map(x -> String.format("%.1f s", x)).toList());
        }
        List<Double> sorted = new ArrayList<>(v);
        sorted.sort(Double::compare);
        return String.format("%.1f s (%.1f..%.1f)", sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1));
    }

    @Test
    void zookeeperModeNextToKraft() {
        String why = LabCluster.unsupportedReason();
        assumeTrue(why == null, () -> "skipped: " + why);
        int runs = Integer.getInteger("bench.runs", 1);
        for (int i = 0; i < runs; i++) {
            round("production", LabCluster.production(), "kafka-broker");
            round("kraft", LabCluster.kraft(), "kraft-broker");
        }
    }

    static void round(String config, List<LabCluster.NodeSpec> specs, String brokerService) {
        try (LabCluster cluster = new LabCluster(specs, config, BASE.resolve(config))) {
            long t0 = System.nanoTime();
            cluster.startAll();
            Timing.awaitValue(config + ": every node ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                    () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
            double ready = seconds(t0);
            try (Kafka kafka = new Kafka(cluster.bootstrap())) {
                kafka.createTopic(TOPIC, 6, 3, 2);
                Timing.await("ISR 3", Duration.ofSeconds(60), Duration.ofMillis(200), () -> kafka.minIsr(TOPIC) == 3);
                kafka.produce(TOPIC, "load", 5000);
                LabNode b = cluster.node("b-2");
                int restarts = b.service(brokerService).path("restarts").asInt();
                long pid = b.serviceProcess("kafka.Kafka").orElseThrow();
                long t1 = System.nanoTime();
                Procs.signal(pid, "KILL");
                double[] agentReady = {-1};
                Timing.await(config + ": full ISR after kill -9", Duration.ofMinutes(4), Duration.ofMillis(250), () -> {
                    if (agentReady[0] < 0) {
                        JsonNode s = b.service(brokerService);
                        if (s != null && s.path("restarts").asInt() > restarts && "READY".equals(s.path("state").asText())) {
                            agentReady[0] = seconds(t1);
                        }
                    }
                    return agentReady[0] >= 0 && kafka.minIsr(TOPIC) == 3;
                });
                double isr = seconds(t1);
                results.computeIfAbsent(config, k -> new ArrayList<>()).add(new double[] {ready, agentReady[0], isr});
                System.out.printf("%s: ready %.1f s, kill -9 -> agent READY %.1f s, -> full ISR %.1f s%n", config, ready, agentReady[0], isr);
            }
        }
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
