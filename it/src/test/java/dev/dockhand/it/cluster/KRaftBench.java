package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.LabTls;
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
 * Figures, not assertions: the {@code kraft} cluster (KRaft controllers, Kafka 4) secured as shipped and
 * explicitly plaintext, and the {@code production} cluster (ZooKeeper, Kafka 3.9) secured as shipped, in
 * network namespaces, one after the other in the same run (a round: the three in that order), each measured
 * the same way: time from the first agent's start to every agent READY, and, with a topic of RF 3 and
 * {@code min.insync.replicas=2} written with acks=all, time from {@code kill -9} of one broker to its agent
 * READY again (restarted, registered, in sync) and to every partition back in full ISR. A secured cluster is
 * given a fresh CA and users (as `agent ca init` makes them) and its client logs in over SASL_SSL. Rounds:
 * {@code -Dbench.runs=N} (default 1). it/bench/kraft-bench.sh runs it; the table lands in it/target/bench/kraft.md.
 */
class KRaftBench {
    static final Path BASE = Path.of("target/bench").toAbsolutePath();
    static final String TOPIC = "bench";
    static final Map<String, List<double[]>> results = new LinkedHashMap<>();

    @AfterAll
    static void print() throws IOException {
        StringBuilder out = new StringBuilder();
        out.append("| cluster | every node READY | brokers: waiting for their quorum | brokers: storage format | brokers: start to READY"
                + " | kill -9 of a broker -> its agent READY | kill -9 of a broker -> full ISR |\n");
        out.append("|---|---|---|---|---|---|---|\n");
        results.forEach((config, rows) -> out.append("| ").append(config).append(" | ").append(column(rows, 0)).append(" | ")
                .append(column(rows, 3)).append(" | ").append(column(rows, 4)).append(" | ").append(column(rows, 5)).append(" | ")
                .append(column(rows, 1)).append(" | ").append(column(rows, 2)).append(" |\n"));
        out.append("\n(brokers' columns: the slowest broker, from its agent's log: its agent's first line to its broker leaving"
                + " PENDING (ZooKeeper or the KRaft quorum ready), its prepare step (the storage format, KRaft only), then its start"
                + " to READY: registered, unfenced, in sync)\n");
        out.append("\n(").append(Integer.getInteger("bench.runs", 1)).append(" round(s); each round's figure, or the median (min..max) over more than 3; ")
                .append("every cluster in the same run, 8 agents in network namespaces on this machine, timing.multiple ")
                .append(Timing.MULTIPLE).append(")\n");
        if (results.containsKey(KRAFT_TLS) && results.containsKey(KRAFT_PLAIN) && results.containsKey(PRODUCTION_TLS)) {
            double tls = median(results.get(KRAFT_TLS), 0);
            double plain = median(results.get(KRAFT_PLAIN), 0);
            double zk = median(results.get(PRODUCTION_TLS), 0);
            out.append(String.format("%nevery node READY: secured kraft / plaintext kraft = %.2f (goal <= 1.5); secured kraft / secured"
                    + " production = %.2f (goal <= 1.0)%n", tls / plain, tls / zk));
        }
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

    static double median(List<double[]> rows, int i) {
        List<Double> v = new ArrayList<>();
        rows.forEach(r -> v.add(r[i]));
        v.sort(Double::compare);
        return v.get(v.size() / 2);
    }

    static final String KRAFT_TLS = "kraft, secured (as shipped)";
    static final String KRAFT_PLAIN = "kraft, AGENT_SECURITY=plaintext";
    static final String PRODUCTION_TLS = "production (ZooKeeper), secured (as shipped)";

    @Test
    void kraftSecuredAndPlaintextNextToProduction() {
        String why = LabCluster.unsupportedReason();
        assumeTrue(why == null, () -> "skipped: " + why);
        int runs = Integer.getInteger("bench.runs", 1);
        for (int i = 0; i < runs; i++) {
            round(KRAFT_TLS, "kraft", LabCluster.kraft(), "kraft-broker", true);
            round(KRAFT_PLAIN, "kraft", LabCluster.kraft(), "kraft-broker", false);
            round(PRODUCTION_TLS, "production", LabCluster.production(), "kafka-broker", true);
        }
    }

    static void round(String label, String config, List<LabCluster.NodeSpec> specs, String brokerService, boolean secured) {
        LabTls tls = secured ? new LabTls(BASE.resolve("kraft-bench-secrets"), null) : null;
        try (LabCluster cluster = new LabCluster(specs, config, BASE.resolve(config), tls)) {
            long t0 = System.nanoTime();
            cluster.startAll();
            Timing.awaitValue(config + ": every node ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                    () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
            double ready = seconds(t0);
            double[] path = brokersPath(cluster, brokerService);
            try (Kafka kafka = secured ? new Kafka(cluster.bootstrap(), tls.kafkaAdmin()) : new Kafka(cluster.bootstrap())) {
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
                results.computeIfAbsent(label, k -> new ArrayList<>()).add(new double[] {ready, agentReady[0], isr, path[0], path[1], path[2]});
                System.out.printf("%s: ready %.1f s, kill -9 -> agent READY %.1f s, -> full ISR %.1f s%n", label, ready, agentReady[0], isr);
            }
        }
    }

    private static final java.util.regex.Pattern LINE = java.util.regex.Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z) ");

    /**
     * The critical path of the slowest broker to READY, from its agent's log (the agent's own timestamps): its
     * agent's first line to its broker service leaving PENDING (waiting for ZooKeeper or the KRaft quorum), its
     * prepare step (the storage format; 0 when none ran), and from there to READY.
     */
    static double[] brokersPath(LabCluster cluster, String brokerService) {
        double[] slowest = {0, 0, 0};
        double slowestTotal = -1;
        for (LabNode b : cluster.withRole("broker")) {
            List<String> lines = b.logSinceStart().lines().filter(l -> LINE.matcher(l).find()).toList();
            if (lines.isEmpty()) {
                continue;
            }
            java.time.Instant first = at(lines.get(0));
            java.time.Instant waited = null;
            java.time.Instant ready = null;
            double format = 0;
            java.util.regex.Pattern step = java.util.regex.Pattern.compile(brokerService + ": prepare step format: .*\\((\\d+) ms\\)");
            for (String l : lines) {
                if (waited == null && l.contains(brokerService + ": PENDING -> ")) {
                    waited = at(l);
                }
                java.util.regex.Matcher m = step.matcher(l);
                if (m.find()) {
                    format = Long.parseLong(m.group(1)) / 1000.0;
                }
                if (ready == null && l.contains(brokerService + ": STARTING -> READY")) {
                    ready = at(l);
                }
            }
            if (waited == null || ready == null) {
                continue;
            }
            double wait = java.time.Duration.between(first, waited).toMillis() / 1000.0;
            double total = java.time.Duration.between(first, ready).toMillis() / 1000.0;
            if (total > slowestTotal) {
                slowestTotal = total;
                slowest = new double[] {wait, format, total - wait - format};
            }
        }
        return slowest;
    }

    private static java.time.Instant at(String line) {
        java.util.regex.Matcher m = LINE.matcher(line);
        return m.find() ? java.time.Instant.parse(m.group(1)) : java.time.Instant.EPOCH;
    }

    static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
