package dev.dockhand.it.rolling;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabCluster.NodeSpec;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Roll;
import dev.dockhand.it.lab.Roll.Pace;
import dev.dockhand.it.lab.Timing;
import dev.dockhand.it.lab.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Figures, not assertions: a roll of the three brokers of a production cluster under the workload of
 * {@link RollingIT} (a producer with acks=all, RF 3, min.insync.replicas 2; a producer that never retries; a
 * consumer group), side by side in one run, each on a fresh cluster:
 * <ul>
 *   <li><b>dockhand</b>: the shipped catalog (a broker is ready once back in sync; a stop waits until it is
 *       safe), the roll waits for each broker's readiness;
 *   <li><b>ready = answers</b>: readiness as it was (a broker is ready once it answers ApiVersions) and no
 *       stop gates, the roll waits for that readiness;
 *   <li><b>process up, gates</b>: the shipped catalog, the next broker as soon as the last one's process runs
 *       (readiness ignored): what the stop gates alone prevent;
 *   <li><b>process up, no gates</b>: neither.
 * </ul>
 * Then, on the first cluster, the time from {@code kill -9} of a broker to every partition back in sync.
 *
 * <p>Run: {@code it/bench/rolling-bench.sh}; {@code -Drolling.modes=dockhand,answers} picks modes. The table
 * is printed and written to {@code it/target/bench/rolling.md}.
 */
class RollingBench {
    static final String TOPIC = "bench";
    static final Path BASE = Path.of("target/bench").toAbsolutePath();

    /** One way of rolling: the catalog the nodes run and when the next broker goes. */
    record Mode(String id, String title, boolean gates, Pace pace) {}

    static final List<Mode> MODES = List.of(
            new Mode("dockhand", "ready = in sync, stop gates", true, Pace.READY),
            new Mode("answers", "ready = answers, no gates", false, Pace.READY),
            new Mode("gates", "process up, stop gates", true, Pace.PROCESS_UP),
            new Mode("none", "process up, no gates", false, Pace.PROCESS_UP));

    static final Map<String, Map<String, String>> ROWS = new LinkedHashMap<>();
    static final List<String> COLUMNS = new ArrayList<>();
    static String killFigure = "not measured";

    @BeforeAll
    static void setUp() {
        String why = LabCluster.unsupportedReason();
        assumeTrue(why == null, () -> "benchmark skipped: " + why);
    }

    /** The shipped catalog without in-sync readiness and stop gates (the catalog as it was before them). */
    static Path catalogWithoutGates() throws IOException {
        String shipped = Files.readString(LabCluster.TEMPLATES.resolve("catalog.json"));
        String without = shipped.replace("\"readyWhen\": \"in-sync\", ", "").replaceAll(", \"waitUntilSafe\": \"\\d+s\"", "");
        if (without.contains("in-sync") || without.contains("waitUntilSafe")) {
            throw new IllegalStateException("the catalog's readyWhen or waitUntilSafe is written in another way than this bench removes");
        }
        Files.createDirectories(BASE);
        Path p = BASE.resolve("catalog-without-gates.json");
        Files.writeString(p, without);
        return p;
    }

    static List<NodeSpec> nodes(Path catalog) {
        Map<String, String> zk = new LinkedHashMap<>(Map.of("AGENT_HEAP_MB_ZOOKEEPER", "128"));
        Map<String, String> broker = new LinkedHashMap<>(Map.of("AGENT_HEAP_MB_KAFKA_BROKER", "256"));
        if (catalog != null) {
            zk.put("AGENT_CATALOG", catalog.toString());
            broker.put("AGENT_CATALOG", catalog.toString());
        }
        return List.of(
                new NodeSpec("zk-1", "zookeeper", 400, zk),
                new NodeSpec("zk-2", "zookeeper", 400, zk),
                new NodeSpec("zk-3", "zookeeper", 400, zk),
                // listed (the production config has a registry node), not started: nothing here uses it
                new NodeSpec("sr-1", "schemareg", 500, Map.of()),
                new NodeSpec("b-1", "broker", 700, broker),
                new NodeSpec("b-2", "broker", 700, broker),
                new NodeSpec("b-3", "broker", 700, broker));
    }

    static void put(String row, String column, String value) {
        ROWS.computeIfAbsent(row, r -> new LinkedHashMap<>()).put(column, value);
    }

    static boolean allInSync(Kafka kafka) {
        try {
            return kafka.minIsr(TOPIC) == 3;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Seconds the brokers' stops waited at their gates, from their agents' "safe to stop after N s" and "after N s" lines. */
    static String gateWaits(List<LabNode> brokers) {
        Pattern waited = Pattern.compile("kafka-broker: (?:safe to stop after|still not safe to stop after) (\\d+) s");
        List<String> out = new ArrayList<>();
        for (LabNode b : brokers) {
            Matcher m = waited.matcher(b.logText());
            while (m.find()) {
                out.add(b.name() + " " + m.group(1) + " s");
            }
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    @Test
    void rollThreeBrokersEachWay() throws Exception {
        List<String> wanted = List.of(System.getProperty("rolling.modes", "dockhand,answers,gates,none").split(","));
        Path without = catalogWithoutGates();
        for (Mode mode : MODES) {
            if (!wanted.contains(mode.id())) {
                continue;
            }
            COLUMNS.add(mode.title());
            runMode(mode, mode.gates() ? null : without);
        }
    }

    static void runMode(Mode mode, Path catalog) throws Exception {
        String col = mode.title();
        try (LabCluster cluster = new LabCluster(nodes(catalog), "production", BASE.resolve("rolling-" + mode.id()))) {
            cluster.nodes().stream().filter(n -> !n.name().equals("sr-1")).forEach(LabNode::start);
            Timing.awaitValue("every started node ready", Duration.ofMinutes(5), Duration.ofMillis(250),
                    () -> cluster.nodes().stream().filter(LabNode::running).allMatch(LabCluster::ready) ? Boolean.TRUE : null, cluster::describe);
            List<LabNode> brokers = cluster.withRole("broker");
            try (Kafka kafka = new Kafka(brokers.stream().map(n -> n.fqdn() + ":9092").collect(Collectors.joining(",")))) {
                kafka.createTopic(TOPIC, 6, 3, 2);
                Timing.await("ISR 3", Duration.ofSeconds(60), Duration.ofMillis(200), () -> allInSync(kafka));
                Workload w = new Workload(kafka, TOPIC, Duration.ofMillis(5));
                try {
                    Timing.await("acknowledgements", Duration.ofSeconds(60), Duration.ofMillis(100), () -> w.ackedCount() > 500);
                    double steady0 = w.now();
                    Timing.await("10 s of steady production", Duration.ofSeconds(30), Duration.ofMillis(100), () -> w.now() > steady0 + 10);
                    Workload.Figures steady = w.figures(steady0, w.now());

                    double from = w.now();
                    long t0 = System.nanoTime();
                    for (LabNode b : brokers) {
                        Roll.restart(b, Map.of(), mode.pace());
                    }
                    double rolled = (System.nanoTime() - t0) / 1e9;
                    Timing.await("every partition back to 3 in sync", Duration.ofMinutes(5), Duration.ofMillis(100), () -> allInSync(kafka));
                    double healed = (System.nanoTime() - t0) / 1e9;
                    double to = w.now();
                    Workload.Figures during = w.figures(from, to);

                    if (mode.id().equals("dockhand")) {
                        killFigure = killToInSync(cluster, kafka, brokers.get(1));
                    }
                    Workload.Report r = w.finish(Duration.ofMinutes(3));
                    put("full roll of 3 brokers (orchestrator: last one " + "ready or up)", col, String.format("%.0f s", rolled));
                    put("roll until every partition is back to 3 in sync", col, String.format("%.0f s", healed));
                    put("longest produce stall during the roll (no acks=all acknowledgement)", col, String.format("%.1f s", during.longestStallMs() / 1000));
                    put("p99 / max produce latency during the roll", col, String.format("%.0f / %.0f ms", during.p99Ms(), during.maxLatencyMs()));
                    put("p99 produce latency, 10 s before the roll", col, String.format("%.0f ms", steady.p99Ms()));
                    put("NotEnoughReplicas (the producer that does not retry)", col, Integer.toString(r.notEnoughReplicas().size()));
                    put("other errors of the producer that does not retry", col,
                            Integer.toString(r.canaryErrors().values().stream().mapToInt(Integer::intValue).sum() - r.notEnoughReplicas().size()));
                    put("failed sends / acknowledged records lost (producer that retries)", col, r.durableErrors().size() + " / " + r.lost().size());
                    put("stops that waited at their gate", col, gateWaits(brokers));
                } finally {
                    w.close();
                }
            }
        }
    }

    /**
     * kill -9 of a broker's JVM: seconds until the cluster notices (an ISR without it), until its agent has it
     * READY again (back in sync), and until every partition is back to 3 in sync.
     */
    static String killToInSync(LabCluster cluster, Kafka kafka, LabNode b) {
        long pid = b.serviceProcess("kafka.Kafka").orElseThrow(() -> new AssertionError("no broker under " + b));
        long readyBefore = readyLines(b);
        long t0 = System.nanoTime();
        Procs.signal(pid, "KILL");
        double[] ready = {-1};
        double noticed;
        try {
            Timing.await("an ISR without the killed broker", Duration.ofMinutes(1), Duration.ofMillis(100), () -> {
                if (ready[0] < 0 && readyLines(b) > readyBefore) {
                    ready[0] = (System.nanoTime() - t0) / 1e9;
                }
                return !allInSync(kafka);
            });
            noticed = (System.nanoTime() - t0) / 1e9;
        } catch (AssertionError e) {
            noticed = Double.NaN; // a shrink shorter than the polling: the figure says so
        }
        Timing.await("every partition back to 3 in sync after kill -9", Duration.ofMinutes(5), Duration.ofMillis(100), () -> {
            if (ready[0] < 0 && readyLines(b) > readyBefore) {
                ready[0] = (System.nanoTime() - t0) / 1e9;
            }
            return ready[0] >= 0 && allInSync(kafka);
        });
        double inSync = (System.nanoTime() - t0) / 1e9;
        return String.format("%.0f s (the ISR without it after %s; its agent had it READY, in sync, after %.0f s)", inSync,
                Double.isNaN(noticed) ? "(not seen)" : String.format("%.0f s", noticed), ready[0]);
    }

    static long readyLines(LabNode b) {
        return b.logSinceStart().lines().filter(l -> l.contains("kafka-broker: STARTING -> READY")).count();
    }

    @AfterAll
    static void print() throws IOException {
        if (COLUMNS.isEmpty()) {
            return;
        }
        StringBuilder t = new StringBuilder("\nRolling the 3 brokers of a production cluster in network namespaces, "
                + Runtime.getRuntime().availableProcessors() + " cores, timing.multiple " + Timing.MULTIPLE
                + "; producer acks=all every 5 ms, RF 3, min.insync.replicas 2:\n\n| |");
        COLUMNS.forEach(c -> t.append(' ').append(c).append(" |"));
        t.append("\n|---|").append("---:|".repeat(COLUMNS.size())).append('\n');
        ROWS.forEach((row, values) -> {
            t.append("| ").append(row).append(" |");
            COLUMNS.forEach(c -> t.append(' ').append(values.getOrDefault(c, "")).append(" |"));
            t.append('\n');
        });
        t.append("\nkill -9 of a broker (dockhand's catalog) to every partition back to 3 in sync: ").append(killFigure).append('\n');
        System.out.println(t);
        Files.createDirectories(BASE);
        Files.writeString(BASE.resolve("rolling.md"), t.toString(), StandardCharsets.UTF_8);
    }
}
