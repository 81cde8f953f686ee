package dev.dockhand.it.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabTls;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The soak: a secured cluster in network namespaces under an {@code acks=all} producer and a consumer group,
 * with random faults for a set time ({@link Soak}): {@code kill -9} and {@code SIGSTOP} of ZooKeeper, brokers
 * and the registry, {@code kill -9} of agents. It prints and writes a report (see docs/soak.md) and fails when
 * an acknowledged record was not consumed or the cluster was not whole again after a fault.
 *
 * <p>The cluster: the production config (secured: mutual TLS between nodes, SASL_SSL with SCRAM for clients),
 * 3 ZooKeeper nodes ({@code -Dsoak.zookeepers=1} for one), 3 brokers and the registry; the console is left
 * out (no fault goes to it, and 2 cores have enough to do).
 *
 * <p>Run: {@code it/bench/soak.sh} ({@code SOAK_MINUTES}, {@code SOAK_SEED}); the report lands in
 * {@code it/target/soak-report.txt}, every RSS sample in {@code it/target/soak-rss.csv}.
 */
class SoakBench {
    static final Path TARGET = Path.of(System.getProperty("it.target", "target")).toAbsolutePath();
    static final Path REPORT = TARGET.resolve("soak-report.txt");
    static final Path RSS = TARGET.resolve("soak-rss.csv");
    static final Path REPO = Path.of(System.getProperty("dockhand.repo.root", "..")).toAbsolutePath().normalize();

    @Test
    void soak() throws IOException {
        Files.createDirectories(TARGET);
        Files.deleteIfExists(REPORT);
        Files.deleteIfExists(RSS);
        String why = LabCluster.unsupportedReason();
        if (why != null) {
            // said, not hidden: a skipped soak leaves a report that says so instead of an earlier run's figures
            String text = "dockhand soak: NOT RUN on " + Instant.now() + ": " + why + "\n";
            Files.writeString(REPORT, text, StandardCharsets.UTF_8);
            System.out.println(text);
            org.junit.jupiter.api.Assumptions.assumeTrue(false, text);
        }
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "30"));
        long seed = Long.getLong("soak.seed", System.currentTimeMillis() % 100_000);
        int zookeepers = Integer.getInteger("soak.zookeepers", 3);
        List<LabCluster.NodeSpec> specs = new ArrayList<>();
        for (LabCluster.NodeSpec s : LabCluster.production()) {
            boolean extraZk = s.role().equals("zookeeper") && !s.name().equals("zk-1") && zookeepers < 3;
            if (!s.role().equals("gateway") && !extraZk) {
                specs.add(s);
            }
        }
        String loadStart = SoakReport.loadAverage();
        String commit = SoakReport.commit(REPO);
        String layout = specs.stream().map(LabCluster.NodeSpec::name).collect(Collectors.joining(", "));
        System.out.printf("soak: %.1f min, seed %d, nodes %s; report: %s%n", minutes, seed, layout, REPORT);

        LabTls tls = new LabTls(TARGET.resolve("soak-secrets"), null);
        Soak.Result result;
        String loadEnd;
        try (LabCluster cluster = new LabCluster(specs, "production", TARGET.resolve("soak"), tls)) {
            long t0 = System.nanoTime();
            cluster.startAll();
            Timing.awaitValue("every node ready", Duration.ofMinutes(8), Duration.ofMillis(250),
                    () -> cluster.nodes().stream().allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
            System.out.printf("soak: every node READY after %.1f s%n", (System.nanoTime() - t0) / 1e9);
            var appSecurity = tls.kafkaClient(LabTls.APP_USER, LabTls.APP_PASSWORD);
            try (Kafka admin = new Kafka(cluster.bootstrap(), tls.kafkaAdmin()); Kafka app = new Kafka(cluster.bootstrap(), appSecurity)) {
                // every fault makes the clients warn (retries, a coordinator gone) for seconds: thousands of lines in 30
                // minutes, while the report says what mattered; errors still show (after Kafka's own setting, WARN)
                dev.dockhand.agent.log.AgentLog.get().setLevel("org.apache.kafka", org.slf4j.event.Level.ERROR);
                Soak.Plan plan = Soak.Plan.random(Duration.ofMillis((long) (minutes * 60_000)), seed);
                result = new Soak(cluster, admin, app, appSecurity, plan, System.out).run();
            }
            loadEnd = SoakReport.loadAverage();
        }
        String described = "production config, secured (mutual TLS between nodes, SASL_SSL SCRAM-SHA-512 for clients), " + specs.size()
                + " nodes in network namespaces: " + layout + " (console left out); timing.multiple " + Timing.MULTIPLE;
        String text = SoakReport.render(result, commit, described, loadStart, loadEnd);
        Files.writeString(REPORT, text, StandardCharsets.UTF_8);
        Files.writeString(RSS, SoakReport.csv(result), StandardCharsets.UTF_8);
        System.out.println("\n" + text + "\nreport: " + REPORT + "\nRSS samples: " + RSS);
        assertEquals(0, result.load().lost(), "acknowledged records not consumed, e.g. " + result.load().lostSample());
        assertTrue(result.everyFaultRecovered() && result.problems().isEmpty(), "problems: " + result.problems());
    }
}
