package dev.dockhand.it.cluster;

import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.dockhand.agent.catalog.Catalog;
import dev.dockhand.agent.catalog.CatalogReader;
import dev.dockhand.agent.catalog.ServiceSpec;
import dev.dockhand.agent.health.HealthCheck;
import dev.dockhand.agent.health.Probes;
import dev.dockhand.it.lab.AgentJvm;
import dev.dockhand.it.lab.Cmd;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNet;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Figures, not assertions: how long {@code agent run} takes to bring each service to READY, next to the same
 * rendered commands started directly (by this class, in the same namespaces, in the same dependency order,
 * probed with the agent's own health checks), for the dev stack (one node, cluster config single-node) and
 * the production cluster (8 nodes). The critical path is ZooKeeper → broker → console, the registry in
 * parallel; the ratio is agent / direct over the whole path (target ≤ 1.1).
 *
 * <p>Run: {@code it/bench/critical-path.sh} or {@code mvn -B -o -pl it -am verify -P bench,!docker -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false}; the table is printed and written to
 * {@code it/target/bench/critical-path.md}.
 */
class CriticalPathBench {
    static final List<String> SERVICES = List.of("zookeeper", "kafka-broker", "schema-registry", "control-center");
    static final Path BASE = Path.of("target/bench").toAbsolutePath();
    static final StringBuilder TABLE = new StringBuilder();
    static Catalog catalog;

    /** One run's times, seconds, per service: spawn → READY (worst node) and t0 → READY (last node). */
    record Times(Map<String, Double> own, Map<String, Double> fromStart, double total, double agentStartup) {}

    @BeforeAll
    static void setUp() throws IOException {
        String why = LabCluster.unsupportedReason();
        assumeTrue(why == null, () -> "benchmark skipped: " + why);
        catalog = CatalogReader.read(LabCluster.TEMPLATES.resolve("catalog.json"));
        warmPageCache(LabCluster.DIST);
        AgentJvm.runFlags(LabCluster.AGENT_JAR); // made once, before any clock runs
        TABLE.append("| stack | service | direct: spawn → READY | direct: t0 → READY | agent: spawn → READY | agent: `agent run` → READY |\n")
                .append("|---|---|---:|---:|---:|---:|\n");
    }

    @AfterAll
    static void print() throws IOException {
        if (TABLE.length() == 0) {
            return;
        }
        String out = "\nCritical path (ZooKeeper → broker → console; registry in parallel), "
                + Runtime.getRuntime().availableProcessors() + " cores, timing.multiple " + Timing.MULTIPLE + ":\n\n" + TABLE;
        System.out.println(out);
        Files.createDirectories(BASE);
        Files.writeString(BASE.resolve("critical-path.md"), out, StandardCharsets.UTF_8);
    }

    /**
     * The scenarios, in this order, on the one cluster this class starts: each begins where the previous one
     * left it (a sequence, not independent tests; a failed step does not stop the next).
     */
    @TestFactory
    Stream<DynamicTest> scenarios() {
        return Stream.of(
                dynamicTest("1 dev stack", this::devStack),
                dynamicTest("2 production cluster", this::productionCluster));
    }

    void devStack() {
        bench("dev (single-node, 1 node)", "dev", LabCluster.singleNode(), "single-node");
    }
    void productionCluster() {
        bench("production (8 nodes)", "production", LabCluster.production(), "production");
    }

    /** Runs per stack ({@code -Dbench.runs}, default 1); with more, the order alternates and medians are shown. */
    static final int RUNS = Integer.getInteger("bench.runs", 1);

    static void bench(String stack, String key, List<LabCluster.NodeSpec> specs, String config) {
        List<Times> directs = new ArrayList<>();
        List<Times> agents = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            if (i % 2 == 0) {
                directs.add(direct(specs, config, BASE.resolve(key)));
                agents.add(underAgent(specs, config, BASE.resolve(key)));
            } else {
                agents.add(underAgent(specs, config, BASE.resolve(key)));
                directs.add(direct(specs, config, BASE.resolve(key)));
            }
        }
        Times direct = medianOf(directs);
        Times agent = medianOf(agents);
        for (String s : SERVICES) {
            TABLE.append(String.format("| %s | %s | %.1f s | %.1f s | %.1f s | %.1f s |%n", stack, s,
                    direct.own().getOrDefault(s, Double.NaN), direct.fromStart().getOrDefault(s, Double.NaN),
                    agent.own().getOrDefault(s, Double.NaN), agent.fromStart().getOrDefault(s, Double.NaN)));
        }
        TABLE.append(String.format("| %s | agent itself: exec → supervising (slowest node) | | | | %.1f s |%n", stack, agent.agentStartup()));
        TABLE.append(String.format("| %s | **critical path**%s | | **%.1f s** | | **%.1f s** (ratio **%.2f×**) |%n",
                stack, RUNS > 1 ? " (median of " + RUNS + ")" : "", direct.total(), agent.total(), agent.total() / direct.total()));
        for (int i = 0; i < RUNS; i++) {
            System.out.printf("%s run %d: direct %.1f s, agent %.1f s%n", stack, i + 1, directs.get(i).total(), agents.get(i).total());
        }
    }

    static Times medianOf(List<Times> runs) {
        Map<String, Double> own = new LinkedHashMap<>();
        Map<String, Double> from = new LinkedHashMap<>();
        for (String s : SERVICES) {
            own.put(s, median(runs.stream().map(t -> t.own().getOrDefault(s, Double.NaN)).toList()));
            from.put(s, median(runs.stream().map(t -> t.fromStart().getOrDefault(s, Double.NaN)).toList()));
        }
        return new Times(own, from, median(runs.stream().map(Times::total).toList()), median(runs.stream().map(Times::agentStartup).toList()));
    }

    static double median(List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        int n = v.size();
        return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    // ------------------------------------------------------------------ direct

    /** A process this class started directly, by pid. */
    record Direct(String node, String service, Process process, long spawnedNanos) {}

    static Times direct(List<LabCluster.NodeSpec> specs, String config, Path base) {
        Map<String, Double> own = new LinkedHashMap<>();
        Map<String, Double> fromStart = new LinkedHashMap<>();
        List<Direct> running = new java.util.concurrent.CopyOnWriteArrayList<>();
        double total;
        try (LabCluster cluster = new LabCluster(specs, config, base.resolve("direct"))) {
            // node -> service -> argv, exactly what the agent would run (rendered into the node's data dir)
            Map<LabNode, Map<String, List<String>>> commands = new LinkedHashMap<>();
            for (LabNode n : cluster.nodes()) {
                commands.put(n, render(n));
            }
            Map<String, List<LabNode>> nodesOf = new LinkedHashMap<>();
            commands.forEach((n, m) -> m.keySet().forEach(s -> nodesOf.computeIfAbsent(s, x -> new ArrayList<>()).add(n)));
            Map<String, Map<LabNode, Double>> readyAt = new java.util.concurrent.ConcurrentHashMap<>();
            long t0 = System.nanoTime();
            Map<String, Long> startedAt = new LinkedHashMap<>();
            // one prober per process, each on its own thread: a broker that accepts but does not answer yet
            // holds its probe for up to the probe timeout, which must not delay the others' readings
            java.util.concurrent.ExecutorService probers = java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "bench-probe");
                t.setDaemon(true);
                return t;
            });
            try {
                for (String first : List.of("zookeeper", "schema-registry")) {
                    startAll(first, nodesOf, commands, running, startedAt, cluster, t0, readyAt, own, probers);
                }
                long deadline = System.nanoTime() + Timing.scaled(Duration.ofMinutes(5)).toNanos();
                while (!allReady(nodesOf, readyAt)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("direct start of " + specs.size() + " node(s) not ready in time: " + readyAt);
                    }
                    for (Direct d : running) {
                        if (!d.process().isAlive()) {
                            throw new AssertionError(d + " exited " + d.process().exitValue() + " (see " + cluster.node(d.node()).dir() + ")");
                        }
                    }
                    // the agent's rule for a remote dependency: ZooKeeper when a majority answers, others when one does
                    int zks = nodesOf.getOrDefault("zookeeper", List.of()).size();
                    if (!startedAt.containsKey("kafka-broker") && readyAt.getOrDefault("zookeeper", Map.of()).size() >= zks / 2 + 1) {
                        startAll("kafka-broker", nodesOf, commands, running, startedAt, cluster, t0, readyAt, own, probers);
                    }
                    if (!startedAt.containsKey("control-center") && !readyAt.getOrDefault("kafka-broker", Map.of()).isEmpty()) {
                        startAll("control-center", nodesOf, commands, running, startedAt, cluster, t0, readyAt, own, probers);
                    }
                    pause(Duration.ofMillis(10));
                }
                probers.shutdownNow();
                total = (System.nanoTime() - t0) / 1e9;
                readyAt.forEach((s, m) -> fromStart.put(s, m.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN)));
            } finally {
                stopDirect(running);
            }
        }
        return new Times(own, fromStart, total, Double.NaN);
    }

    static boolean allReady(Map<String, List<LabNode>> nodesOf, Map<String, Map<LabNode, Double>> readyAt) {
        return nodesOf.entrySet().stream().allMatch(e -> readyAt.getOrDefault(e.getKey(), Map.of()).size() == e.getValue().size());
    }

    static void startAll(String service, Map<String, List<LabNode>> nodesOf, Map<LabNode, Map<String, List<String>>> commands,
            List<Direct> running, Map<String, Long> startedAt, LabCluster cluster, long t0,
            Map<String, Map<LabNode, Double>> readyAt, Map<String, Double> own, java.util.concurrent.ExecutorService probers) {
        startedAt.put(service, System.nanoTime());
        for (LabNode n : nodesOf.getOrDefault(service, List.of())) {
            List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", LabNet.netns(n.name())));
            argv.addAll(commands.get(n).get(service));
            ProcessBuilder pb = new ProcessBuilder(argv).directory(n.dir().toFile()).redirectErrorStream(true)
                    .redirectOutput(n.dir().resolve("direct-" + service + ".log").toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().keySet().removeIf(k -> k.startsWith("AGENT_"));
            ServiceSpec spec = catalog.service(service).orElseThrow();
            if (spec.env() != null) {
                pb.environment().putAll(spec.env());
            }
            try {
                long t = System.nanoTime();
                Direct d = new Direct(n.name(), service, pb.start(), t);
                running.add(d);
                // an attempt every 50 ms whether or not the last one answered (at most 4 out), as the agent
                // hedges while a service starts: an attempt that hangs must not hide the service's readiness
                probers.submit(() -> {
                    java.util.concurrent.atomic.AtomicBoolean seen = new java.util.concurrent.atomic.AtomicBoolean();
                    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(4);
                    while (!Thread.currentThread().isInterrupted() && d.process().isAlive() && !seen.get()) {
                        if (slots.tryAcquire()) {
                            probers.submit(() -> {
                                try {
                                    if (probe(service, n) && seen.compareAndSet(false, true)) {
                                        long now = System.nanoTime();
                                        synchronized (own) {
                                            own.merge(service, (now - t) / 1e9, Math::max);
                                        }
                                        readyAt.computeIfAbsent(service, x -> new java.util.concurrent.ConcurrentHashMap<>()).put(n, (now - t0) / 1e9);
                                    }
                                } finally {
                                    slots.release();
                                }
                            });
                        }
                        pause(Duration.ofMillis(50));
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    static boolean probe(String service, LabNode n) {
        ServiceSpec spec = catalog.service(service).orElseThrow();
        HealthCheck check = Probes.of(spec.health().probe(), null);
        return check.check(n.fqdn(), spec.port(), Duration.ofSeconds(1)).ok();
    }

    /** {@code agent render --explain} for the node's env: writes its configs, returns its services' argv. */
    static Map<String, List<String>> render(LabNode n) {
        List<String> argv = List.of("java", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
                LabCluster.AGENT_JAR.toString(), "render", "--explain");
        String out = Cmd.run(Duration.ofSeconds(60), argv, n.env()).check().out();
        Map<String, List<String>> commands = new LinkedHashMap<>();
        boolean in = false;
        for (String line : out.split("\n")) {
            if (line.equals("commands:")) {
                in = true;
            } else if (in && line.startsWith("  ")) {
                String[] f = line.strip().split("\\s+");
                commands.put(f[0], List.of(f).subList(1, f.length));
            } else {
                in = false;
            }
        }
        if (commands.isEmpty()) {
            throw new AssertionError("no commands in agent render --explain of " + n.name() + ":\n" + out);
        }
        return commands;
    }

    /** SIGTERM to every direct process, dependents first; SIGKILL to any that outlives a bounded wait. */
    static void stopDirect(List<Direct> running) {
        List<Direct> order = new ArrayList<>(running);
        java.util.Collections.reverse(order);
        for (Direct d : order) {
            d.process().destroy();
        }
        for (Direct d : order) {
            try {
                if (!d.process().waitFor(Timing.seconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
                    d.process().destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ agent

    static final Pattern TRANSITION = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) \\w+ supervise - ([a-z-]+): (\\w+) -> (\\w+) ");
    /** The agent's line once it rendered, sized and serves its control plane: "...: supervising SVC, SVC". */
    static final Pattern SUPERVISING = Pattern.compile(
            "^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) \\w+ supervise - node .*: supervising ");
    static final Pattern STARTED = Pattern.compile("^---- test: agent start (\\S+)$");

    static Times underAgent(List<LabCluster.NodeSpec> specs, String config, Path base) {
        Map<String, Double> own = new LinkedHashMap<>();
        Map<String, Double> fromStart = new LinkedHashMap<>();
        double total;
        double agentStartup;
        try (LabCluster cluster = new LabCluster(specs, config, base.resolve("agent"))) {
            // every node's services, by its role: READY is read from the agents' logs, not asked of their
            // control planes, so that the bench adds no work to the agents it measures
            Map<LabNode, List<String>> servicesOf = new LinkedHashMap<>();
            for (LabCluster.NodeSpec spec : specs) {
                servicesOf.put(cluster.node(spec.name()),
                        catalog.clusterConfig(config).orElseThrow().assignments().getOrDefault(spec.role(), List.of()));
            }
            cluster.startAll();
            Timing.awaitValue("every node ready under the agent", Duration.ofMinutes(5), Duration.ofMillis(100),
                    () -> servicesOf.entrySet().stream().allMatch(e -> readyInLog(e.getKey(), e.getValue())) ? Boolean.TRUE : null,
                    cluster::describe);
            // the times come from the agents' transition lines (ms), not from this poll
            Instant t0 = null;
            Instant last = null;
            for (LabNode n : cluster.nodes()) {
                Matcher m = STARTED.matcher(n.logText().lines().findFirst().orElse(""));
                if (!m.matches()) {
                    throw new AssertionError("no start line in " + n.log());
                }
                Instant s = Instant.parse(m.group(1));
                t0 = t0 == null || s.isBefore(t0) ? s : t0;
            }
            double startup = 0; // exec of the agent -> it supervises (rendered, sized, control plane up), slowest node
            java.util.Set<String> counted = new java.util.HashSet<>(); // later READYs of a service would be restarts
            for (LabNode n : cluster.nodes()) {
                Map<String, Instant> spawned = new LinkedHashMap<>();
                for (String line : (Iterable<String>) n.logText().lines()::iterator) {
                    Matcher sv = SUPERVISING.matcher(line);
                    if (sv.find()) {
                        Instant at = Instant.parse(sv.group(1));
                        Matcher st = STARTED.matcher(n.logText().lines().findFirst().orElse(""));
                        if (st.matches()) {
                            startup = Math.max(startup, Duration.between(Instant.parse(st.group(1)), at).toMillis() / 1e3);
                        }
                    }
                    Matcher m = TRANSITION.matcher(line);
                    if (!m.find()) {
                        continue;
                    }
                    Instant at = Instant.parse(m.group(1));
                    String svc = m.group(2);
                    if (m.group(4).equals("STARTING")) {
                        spawned.putIfAbsent(svc, at);
                    } else if (m.group(4).equals("READY") && spawned.containsKey(svc) && counted.add(n.name() + "/" + svc)) {
                        double s = Duration.between(spawned.get(svc), at).toMillis() / 1e3;
                        double f = Duration.between(t0, at).toMillis() / 1e3;
                        own.merge(svc, s, Math::max);
                        fromStart.merge(svc, f, Math::max);
                        last = last == null || at.isAfter(last) ? at : last;
                    }
                }
            }
            total = Duration.between(t0, last).toMillis() / 1e3;
            agentStartup = startup;
        }
        return new Times(own, fromStart, total, agentStartup);
    }

    static boolean readyInLog(LabNode n, List<String> services) {
        String log = n.logText();
        return services.stream().allMatch(svc -> log.contains(" supervise - " + svc + ": STARTING -> READY "));
    }

    // ------------------------------------------------------------------ helpers

    /** Reads every jar of the distribution once, so that neither run pays for a cold page cache. */
    static void warmPageCache(Path dist) throws IOException {
        byte[] buf = new byte[1 << 16];
        try (Stream<Path> files = Files.walk(dist)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                }
            }
        }
    }

    static void pause(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis()); // the poll interval of the direct run's probes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
