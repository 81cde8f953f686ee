package dev.dockhand.it.soak;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dockhand.it.lab.Kafka;
import dev.dockhand.it.lab.LabCluster;
import dev.dockhand.it.lab.LabNode;
import dev.dockhand.it.lab.Procs;
import dev.dockhand.it.lab.Timing;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Faults under traffic, on a running {@link LabCluster}, one at a time, each only while the cluster is whole
 * (every node's agent READY, every partition of the soak's topic and of the group's offsets topic fully in
 * sync), so that losing nothing is a fair demand of {@code acks=all} with {@code min.insync.replicas=2}:
 * <ul>
 *   <li>{@code kill -9} of a service's process (ZooKeeper, broker, registry): its agent restarts it;
 *   <li>{@code SIGSTOP} of a service's process for a while, then {@code SIGCONT};
 *   <li>{@code kill -9} of a node's agent (PID 1: its namespace and services go with it), then the node's
 *       agent is started again, as an orchestrator's restart policy would.
 * </ul>
 * For each fault: the time to every node READY again and to every partition in sync. Throughout: each
 * agent's RSS (VmRSS from /proc, sampled), each service's restarts as its agents count them. At the end:
 * acknowledged vs consumed ({@link SoakLoad}). The faults come from a seeded random choice for a set time
 * ({@link Plan#random}) or from a fixed list ({@link Plan#fixed}).
 */
public final class Soak {
    public static final String TOPIC = "soak";
    static final String OFFSETS_TOPIC = "__consumer_offsets";
    /** The services faults go to, and how to find each one's process under its agent. */
    static final Map<String, String> MARKERS = Map.of(
            "zookeeper", "org.apache.zookeeper.server.quorum.QuorumPeerMain",
            "kafka-broker", "kafka.Kafka",
            "schema-registry", "quarkus-run.jar");

    public enum Kind {
        KILL_SERVICE("kill -9"), STOP_SERVICE("SIGSTOP"), KILL_AGENT("kill -9 agent");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** One fault: what, to which node, and to which service of it (null for an agent). */
    public record Fault(Kind kind, String node, String service) {
        @Override
        public String toString() {
            return kind == Kind.KILL_AGENT ? kind.label + " " + node : kind.label + " " + service + "@" + node;
        }
    }

    /**
     * How a soak runs.
     *
     * @param duration     faults are injected until this much time has passed (random plans), or the fixed list is done
     * @param seed         the random choice's seed (what to fault, where, the pauses)
     * @param fixed        the faults in order, or empty for a random choice
     * @param pauseMin     shortest pause between the cluster being whole again and the next fault
     * @param pauseMax     longest such pause
     * @param stopFor      how long a SIGSTOPped service stays stopped
     * @param wholeWithin  the longest the cluster may take to be whole again after a fault
     * @param every        time between two sends of the producer
     * @param rssEvery     time between two samples of the agents' RSS
     */
    public record Plan(Duration duration, long seed, List<Fault> fixed, Duration pauseMin, Duration pauseMax, Duration stopFor,
            Duration wholeWithin, Duration every, Duration rssEvery) {

        public static Plan random(Duration duration, long seed) {
            return new Plan(duration, seed, List.of(), Duration.ofSeconds(15), Duration.ofSeconds(45), Duration.ofSeconds(20),
                    Duration.ofMinutes(5), Duration.ofMillis(5), Duration.ofSeconds(10));
        }

        public static Plan fixed(List<Fault> faults) {
            return new Plan(Duration.ZERO, 0, List.copyOf(faults), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(20),
                    Duration.ofMinutes(4), Duration.ofMillis(5), Duration.ofSeconds(5));
        }
    }

    /**
     * What became of one fault.
     *
     * @param atS        seconds since the soak began when it was injected
     * @param readyS     seconds from the fault to every node READY again (-1: not within the plan's bound)
     * @param inSyncS    seconds from the fault to every partition fully in sync again (-1: not within the bound)
     * @param agentSaw   the states the faulted service went through in its agent's status while the fault lasted
     * @param restarts   restarts of the faulted service that its agent counted because of the fault
     * @param notes      what else was seen (a restart that died on the broker's stale ZooKeeper registration)
     */
    public record Injected(int number, Instant at, double atS, Fault fault, double readyS, double inSyncS, String agentSaw, int restarts,
            String notes) {}

    /** An agent's RSS at a moment: seconds since the soak began, which start of the node's agent, KiB. */
    public record Rss(double atS, String node, int incarnation, long kib) {}

    public record Result(Plan plan, Instant start, Instant end, List<Injected> faults, SoakLoad.Outcome load, List<Rss> rss,
            Map<String, Integer> restarts, Map<String, Integer> agentRestarts, List<String> problems) {

        /** Every fault followed by every node READY within the bound. */
        public boolean everyFaultRecovered() {
            return faults.stream().allMatch(f -> f.readyS() >= 0 && f.inSyncS() >= 0);
        }
    }

    private final LabCluster cluster;
    private final Kafka admin;
    private final Kafka app;
    private final Map<String, String> appSecurity;
    private final Plan plan;
    private final Random random;
    private final RestartLedger ledger = new RestartLedger();
    private final List<Rss> rss = new ArrayList<>();
    private final Map<String, Integer> incarnation = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> agentRestarts = new java.util.concurrent.ConcurrentSkipListMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<Injected> injected = new ArrayList<>();
    private final java.io.PrintStream progress;
    private int replicas;
    private SoakLoad load;

    /**
     * @param admin       a client as the admin user (topic, offsets)
     * @param app         a client as an application user (the producer)
     * @param appSecurity that user's client settings (the consumer)
     * @param progress    where a line per fault goes as the soak runs
     */
    public Soak(LabCluster cluster, Kafka admin, Kafka app, Map<String, String> appSecurity, Plan plan, java.io.PrintStream progress) {
        this.cluster = cluster;
        this.admin = admin;
        this.app = app;
        this.appSecurity = appSecurity;
        this.plan = plan;
        this.random = new Random(plan.seed());
        this.progress = progress;
        cluster.nodes().forEach(n -> incarnation.put(n.name(), 1));
    }

    /** Creates the topic, starts the traffic and the RSS sampler, injects the faults, then stops the traffic and compares. */
    public Result run() {
        Instant start = Instant.now();
        replicas = Math.min(3, admin.brokerIds().size());
        admin.createTopic(TOPIC, 3, replicas, Math.min(2, replicas));
        Timing.await("every partition of " + TOPIC + " in sync", Duration.ofSeconds(60), Duration.ofMillis(200), () -> admin.minIsr(TOPIC) == replicas);
        cluster.nodes().forEach(this::observeQuietly); // the restart counts the soak starts from
        load = new SoakLoad(app, admin, appSecurity, TOPIC, plan.every());
        Thread sampler = new Thread(this::sampleRss, "soak-rss");
        sampler.setDaemon(true);
        sampler.start();
        long deadline = System.nanoTime() + plan.duration().toNanos();
        try {
            List<Fault> fixed = plan.fixed();
            boolean stopped = false;
            for (int i = 0; fixed.isEmpty() ? System.nanoTime() < deadline : i < fixed.size(); i++) {
                pause();
                if (fixed.isEmpty() && System.nanoTime() >= deadline) {
                    break;
                }
                // whole right before the fault, not only before the pause
                if (!awaitWhole("before fault " + (i + 1))) {
                    stopped = true;
                    break;
                }
                Fault f = fixed.isEmpty() ? choose() : fixed.get(i);
                Injected r = inject(i + 1, f);
                injected.add(r);
                progress.printf("soak: %s%n", line(r));
                if (r.readyS() < 0 || r.inSyncS() < 0) {
                    problems.add("fault " + r.number() + " (" + f + "): the cluster was not whole again within " + plan.wholeWithin().toSeconds()
                            + " s; the soak stopped there:" + cluster.describe());
                    stopped = true;
                    break;
                }
            }
            // the comparison on a whole cluster (not waited for again when the soak stopped on one that was not)
            if (!stopped) {
                awaitWhole("at the end");
            }
        } finally {
            stopSampler(sampler);
        }
        SoakLoad.Outcome o = load.finish(Duration.ofMinutes(3));
        load = null;
        if (o.catchUpProblem() != null) {
            problems.add("the consumer group did not catch up: " + o.catchUpProblem());
        }
        if (o.lost() > 0) {
            problems.add(o.lost() + " acknowledged records were not consumed, e.g. " + o.lostSample());
        }
        cluster.nodes().forEach(this::observeQuietly);
        return new Result(plan, start, Instant.now(), List.copyOf(injected), o, snapshotRss(), ledger.totals(), Map.copyOf(agentRestarts),
                List.copyOf(problems));
    }

    private volatile boolean sampling = true;

    private void sampleRss() {
        while (sampling) {
            for (LabNode n : cluster.nodes()) {
                long pid = n.agentPid();
                if (n.running() && Procs.alive(pid)) {
                    Procs.status(pid, "VmRSS").ifPresent(v -> {
                        long kib = Long.parseLong(v.replaceAll("[^0-9]", ""));
                        synchronized (rss) {
                            rss.add(new Rss(now(), n.name(), incarnation.getOrDefault(n.name(), 1), kib));
                        }
                    });
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(plan.rssEvery().toMillis()); // the sampling period, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void stopSampler(Thread t) {
        sampling = false;
        t.interrupt();
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Rss> snapshotRss() {
        synchronized (rss) {
            return List.copyOf(rss);
        }
    }

    double now() {
        return load == null ? 0 : load.seconds(System.nanoTime());
    }

    private void pause() {
        long min = plan.pauseMin().toMillis();
        long max = Math.max(min, plan.pauseMax().toMillis());
        long ms = min + (max > min ? (long) (random.nextDouble() * (max - min)) : 0);
        try {
            TimeUnit.MILLISECONDS.sleep(ms); // the fault rate, not a wait for a condition
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A fault drawn at random: a third each of kill -9, SIGSTOP (of a service) and kill -9 of an agent; the node uniformly. */
    private Fault choose() {
        List<String[]> services = new ArrayList<>();
        for (LabNode n : cluster.nodes()) {
            for (String svc : servicesOf(n)) {
                if (MARKERS.containsKey(svc)) {
                    services.add(new String[] {n.name(), svc});
                }
            }
        }
        int k = random.nextInt(3);
        if (k == 2 || services.isEmpty()) {
            List<LabNode> nodes = cluster.nodes();
            return new Fault(Kind.KILL_AGENT, nodes.get(random.nextInt(nodes.size())).name(), null);
        }
        String[] s = services.get(random.nextInt(services.size()));
        return new Fault(k == 0 ? Kind.KILL_SERVICE : Kind.STOP_SERVICE, s[0], s[1]);
    }

    private static List<String> servicesOf(LabNode n) {
        List<String> out = new ArrayList<>();
        try {
            n.status().path("services").forEach(s -> out.add(s.path("id").asText()));
        } catch (RuntimeException e) {
            // not answering: no target now
        }
        return out;
    }

    /** Every node READY and every partition of the soak's topic and the offsets topic fully in sync; false when not within the bound. */
    private boolean awaitWhole(String when) {
        try {
            Timing.awaitValue("the cluster whole " + when, plan.wholeWithin(), Duration.ofMillis(250),
                    () -> allReady() && inSync() ? Boolean.TRUE : null, cluster::describe);
            return true;
        } catch (AssertionError e) {
            problems.add("the cluster was not whole " + when + ": " + e.getMessage());
            return false;
        }
    }

    private boolean allReady() {
        reviveExited();
        return cluster.nodes().stream().allMatch(LabCluster::ready);
    }

    /**
     * An agent that exited without a fault of the soak (a stop from outside, a crash) is a finding: it is
     * recorded as a problem, and the node's agent is started again, as an orchestrator's restart policy would.
     */
    private void reviveExited() {
        for (LabNode n : cluster.nodes()) {
            if (!n.running() && !killing.equals(n.name())) {
                int exit = n.awaitExit(Duration.ofSeconds(10));
                String last = n.tail(3).replace("\n", " / ");
                String what = String.format("%.0f s: the agent of %s exited %d without a fault of the soak (started again); its last lines: %s",
                        now(), n.name(), exit, last);
                problems.add(what);
                progress.println("soak: " + what);
                agentRestarts.merge(n.name(), 1, Integer::sum);
                incarnation.merge(n.name(), 1, Integer::sum);
                n.start();
            }
        }
    }

    /** The node whose agent a fault is killing right now (its restart is the fault's own), or "". */
    private volatile String killing = "";

    private boolean inSync() {
        try {
            if (admin.minIsr(TOPIC) < replicas) {
                return false;
            }
            Set<String> topics = admin.admin().listTopics(new org.apache.kafka.clients.admin.ListTopicsOptions().listInternal(true))
                    .names().get(20, TimeUnit.SECONDS);
            if (topics.contains(OFFSETS_TOPIC)) {
                int rf = admin.describe(OFFSETS_TOPIC).partitions().get(0).replicas().size();
                return admin.minIsr(OFFSETS_TOPIC) >= rf;
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private Injected inject(int number, Fault f) {
        LabNode node = cluster.node(f.node());
        observeQuietly(node);
        Instant at = Instant.now();
        double atS = now();
        long t0 = System.nanoTime();
        long logFrom = logSize(node);
        int restartsBefore = f.service() == null ? 0 : restarts(node, f.service());
        StringBuilder saw = new StringBuilder();
        String notes = "";
        switch (f.kind()) {
            case KILL_SERVICE -> {
                long pid = servicePid(node, f.service());
                Procs.signal(pid, "KILL");
            }
            case STOP_SERVICE -> {
                long pid = servicePid(node, f.service());
                Procs.signal(pid, "STOP");
                long until = System.nanoTime() + plan.stopFor().toNanos();
                try {
                    // the fault lasts this long; meanwhile, what the agent makes of it
                    while (System.nanoTime() < until) {
                        seen(saw, node, f.service());
                        TimeUnit.MILLISECONDS.sleep(250); // the sampling period of the states seen, not a wait for a condition
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    Procs.signal(pid, "CONT");
                }
            }
            case KILL_AGENT -> {
                killing = node.name();
                try {
                    node.signalAgent("KILL");
                    int exit = node.awaitExit(Duration.ofSeconds(60));
                    agentRestarts.merge(node.name(), 1, Integer::sum);
                    incarnation.merge(node.name(), 1, Integer::sum);
                    notes = "unshare exited " + exit + "; the node's agent started again at once";
                    node.start();
                } finally {
                    killing = "";
                }
            }
        }
        double readyS = -1;
        try {
            Timing.awaitValue(f + ": every node READY again", plan.wholeWithin(), Duration.ofMillis(200), () -> {
                if (f.service() != null) {
                    seen(saw, node, f.service());
                }
                boolean effect = f.kind() != Kind.KILL_SERVICE || restarts(node, f.service()) > restartsBefore;
                return effect && allReady() ? Boolean.TRUE : null;
            }, cluster::describe);
            readyS = (System.nanoTime() - t0) / 1e9;
            if (f.service() != null) {
                seen(saw, node, f.service());
            }
        } catch (AssertionError e) {
            // reported below as not recovered
        }
        double inSyncS = -1;
        if (readyS >= 0) {
            try {
                Timing.await(f + ": every partition in sync again", plan.wholeWithin(), Duration.ofMillis(250), this::inSync);
                inSyncS = (System.nanoTime() - t0) / 1e9;
            } catch (AssertionError e) {
                // reported as not recovered
            }
        }
        int restarts = f.service() == null ? 0 : Math.max(0, restarts(node, f.service()) - (f.kind() == Kind.KILL_AGENT ? 0 : restartsBefore));
        String log = logSince(node, logFrom);
        int nodeExists = count(log, "NodeExistsException");
        if (nodeExists > 0) {
            notes = join(notes, "NodeExistsException x" + nodeExists + " in the log (a restart raced the old ZooKeeper session)");
        }
        if (f.kind() == Kind.KILL_AGENT) {
            notes = join(notes, "services restarted by the new agent: " + restartsOf(node));
        }
        observeQuietly(node);
        return new Injected(number, at.truncatedTo(ChronoUnit.SECONDS), atS, f, readyS, inSyncS, saw.toString(), restarts, notes);
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length())) {
            n++;
        }
        return n;
    }

    /** Appends the service's state to {@code saw} when it differs from the last one noted. */
    private static void seen(StringBuilder saw, LabNode node, String service) {
        String state;
        try {
            JsonNode s = node.service(service);
            state = s == null ? "(not listed)" : s.path("state").asText();
        } catch (RuntimeException e) {
            state = "(no status)";
        }
        String last = saw.length() == 0 ? "" : saw.substring(saw.lastIndexOf(">") + 1);
        if (!state.equals(last)) {
            if (saw.length() > 0) {
                saw.append('>');
            }
            saw.append(state);
        }
    }

    private static long servicePid(LabNode node, String service) {
        String marker = MARKERS.get(service);
        if (marker == null) {
            throw new IllegalArgumentException("no process marker for service " + service);
        }
        OptionalLong pid = node.serviceProcess(marker);
        return pid.orElseThrow(() -> new AssertionError("no process of " + service + " (" + marker + ") under " + node));
    }

    private static int restarts(LabNode node, String service) {
        try {
            JsonNode s = node.service(service);
            return s == null ? 0 : s.path("restarts").asInt();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static String restartsOf(LabNode node) {
        try {
            StringBuilder sb = new StringBuilder();
            node.status().path("services").forEach(s -> sb.append(sb.length() == 0 ? "" : ", ").append(s.path("id").asText()).append(' ')
                    .append(s.path("restarts").asInt()));
            return sb.toString();
        } catch (RuntimeException e) {
            return "(no status)";
        }
    }

    private void observeQuietly(LabNode n) {
        try {
            ledger.observe(n, n.status());
        } catch (RuntimeException e) {
            // not answering now: the next observation covers it
        }
    }

    private static long logSize(LabNode n) {
        try {
            return Files.size(n.log());
        } catch (IOException e) {
            return 0;
        }
    }

    private static String logSince(LabNode n, long from) {
        Path p = n.log();
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
            long len = f.length();
            if (len <= from) {
                return "";
            }
            long start = Math.max(from, len - 8L * 1024 * 1024); // at most the last 8 MiB
            byte[] b = new byte[(int) (len - start)];
            f.seek(start);
            f.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static String line(Injected r) {
        return String.format("#%d at %.0f s: %s -> %s", r.number(), r.atS(), r.fault(),
                r.readyS() < 0 ? "NOT READY within the bound" : String.format("READY after %.1f s, in sync after %.1f s", r.readyS(), r.inSyncS()));
    }

    /**
     * Restarts per service during the soak as the agents count them, across agent restarts: an agent that is
     * started again counts from zero, so what its predecessor counted last is banked; what the first agent had
     * counted before the soak (an earlier test's faults on the same cluster) is left out.
     */
    static final class RestartLedger {
        private final Map<String, Long> agentOf = new TreeMap<>();
        private final Map<String, Integer> baseline = new TreeMap<>();
        private final Map<String, Integer> last = new TreeMap<>();
        private final Map<String, Integer> banked = new TreeMap<>();

        synchronized void observe(LabNode n, JsonNode status) {
            long pid = n.agentPid();
            Long before = agentOf.put(n.name(), pid);
            boolean first = before == null;
            if (before != null && before != pid) {
                last.forEach((k, v) -> {
                    if (k.startsWith(n.name() + "/")) {
                        banked.merge(k, v - baseline.getOrDefault(k, 0), Integer::sum);
                    }
                });
                last.keySet().removeIf(k -> k.startsWith(n.name() + "/"));
                baseline.keySet().removeIf(k -> k.startsWith(n.name() + "/"));
            }
            for (JsonNode s : status.path("services")) {
                String k = n.name() + "/" + s.path("id").asText();
                int restarts = s.path("restarts").asInt();
                if (first) {
                    baseline.put(k, restarts);
                }
                last.put(k, restarts);
            }
        }

        synchronized Map<String, Integer> totals() {
            Map<String, Integer> out = new TreeMap<>(banked);
            last.forEach((k, v) -> out.merge(k, v - baseline.getOrDefault(k, 0), Integer::sum));
            return out;
        }
    }
}
